package oauth_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/markbates/goth"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/oauth"
	"github.com/gopassport/passport/strategy/oauth/oauthtest"
)

// pkceProvider is one provider run against an imitation whose token
// endpoint refuses a code without an S256 challenge and checks the
// verifier.
type pkceProvider struct {
	name     string
	setup    func(t *testing.T, a *app) (p goth.Provider, edit func(*oauth.Config[string]), tokenCalls func() int, authz func() []url.Values)
	wantUser string
}

func pkceProviders() []pkceProvider {
	return []pkceProvider{
		{"ok, goth's github provider with the fake's OAuth2 client", func(t *testing.T, a *app) (goth.Provider, func(*oauth.Config[string]), func() int, func() []url.Values) {
			gh := oauthtest.NewGitHub(t)
			gh.SetRequirePKCE(true)
			cb := a.callbackURL("github")
			return gh.Provider(cb), func(c *oauth.Config[string]) { c.OAuth2 = gh.OAuth2(cb) }, gh.TokenCalls, gh.AuthorizeRequests
		}, "github:4242"},
		{"ok, goth's google provider with the fake's OAuth2 client", func(t *testing.T, a *app) (goth.Provider, func(*oauth.Config[string]), func() int, func() []url.Values) {
			g := oauthtest.NewGoogle(t)
			g.SetRequirePKCE(true)
			cb := a.callbackURL("google")
			return g.Provider(cb), func(c *oauth.Config[string]) {
				c.OAuth2 = g.OAuth2(cb)
				c.HTTPClient = &http.Client{Transport: g.Client().Transport, Timeout: 5 * time.Second}
				c.AuthParams = url.Values{"access_type": {"offline"}}
			}, g.TokenCalls, g.AuthorizeRequests
		}, "google:4242"},
		{"ok, goth's openidConnect provider (OAuth2 derived)", func(t *testing.T, a *app) (goth.Provider, func(*oauth.Config[string]), func() int, func() []url.Values) {
			op := oauthtest.NewOIDC(t)
			op.SetRequirePKCE(true)
			p, err := op.Provider("oidc", a.callbackURL("oidc"))
			if err != nil {
				t.Fatal(err)
			}
			return p, nil, op.TokenCalls, op.AuthorizeRequests
		}, "oidc:oidc-user-1"},
	}
}

func TestPKCEForEveryProvider(t *testing.T) {
	for _, tt := range pkceProviders() {
		t.Run(tt.name, func(t *testing.T) {
			a := newApp(t)
			p, edit, tokenCalls, authz := tt.setup(t, a)
			var edits []func(*oauth.Config[string])
			if edit != nil {
				edits = append(edits, edit)
			}
			s := a.use(p, 0, edits...)
			if !s.UsesPKCE() {
				t.Fatal("UsesPKCE: got false; want true")
			}
			name := s.Name()
			resp, body := a.get(t, a.browser, a.srv.URL+"/auth/"+name)
			if resp.StatusCode != http.StatusOK || body != "signed in as "+tt.wantUser {
				t.Fatalf("got %d %q; want 200 %q", resp.StatusCode, body, "signed in as "+tt.wantUser)
			}
			q := authz()[0]
			if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || len(q.Get("state")) != 43 {
				t.Errorf("authorization request %v: want an S256 challenge and a state", q)
			}
			if name == "google" && q.Get("access_type") != "offline" {
				t.Errorf("authorization request %v: want the app's access_type=offline", q)
			}
			// The imitation refuses a code without a challenge and checks
			// the verifier: one call that succeeded is the proof.
			if got := tokenCalls(); got != 1 {
				t.Errorf("token endpoint calls: got %d; want 1", got)
			}
			a.checkNoFaults(t)
		})
	}
}

func TestPKCEOptOut(t *testing.T) {
	a := newApp(t)
	gh := oauthtest.NewGitHub(t)
	cb := a.callbackURL("github")
	s := a.use(gh.Provider(cb), 0, func(c *oauth.Config[string]) { c.OAuth2 = gh.OAuth2(cb); c.PKCE = oauth.PKCEOff })
	if s.UsesPKCE() {
		t.Fatal("UsesPKCE: got true; want false")
	}
	if resp, body := a.get(t, a.browser, a.srv.URL+"/auth/github"); resp.StatusCode != http.StatusOK {
		t.Fatalf("got %d %q; want 200", resp.StatusCode, body)
	}
	if q := gh.AuthorizeRequests()[0]; q.Has("code_challenge") || q.Has("code_challenge_method") {
		t.Errorf("authorization request %v: want no challenge", q)
	}
}

func TestGothFlowWithoutEndpointsHasNoPKCE(t *testing.T) {
	a := newApp(t)
	gh := oauthtest.NewGitHub(t)
	gh.SetRequirePKCE(true)
	s := a.use(gh.Provider(a.callbackURL("github")), 0)
	if s.UsesPKCE() {
		t.Fatal("goth's github flow: UsesPKCE true; want false (goth drops the verifier)")
	}
	resp, _ := a.get(t, a.browser, a.srv.URL+"/auth/github")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("at a token endpoint that requires PKCE: got %d; want 401", resp.StatusCode)
	}
	if res, _ := a.outcome(); !errors.Is(res.Reason, oauth.ErrExchange) || errors.Is(res.Reason, oauth.ErrUnavailable) {
		t.Errorf("reason: got %v; want ErrExchange, not an outage", res.Reason)
	}
}

// countingTransport counts the requests it carries.
type countingTransport struct {
	n    atomic.Int64
	base http.RoundTripper
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}

func TestCallersProviderUnchanged(t *testing.T) {
	a := newApp(t)
	gh := oauthtest.NewGitHub(t)
	cb := a.callbackURL("github")
	p := gh.Provider(cb)
	before := *p
	ct := &countingTransport{base: &http.Transport{}}
	mine := &http.Client{Transport: ct, Timeout: 5 * time.Second}
	t.Cleanup(mine.CloseIdleConnections)
	s, err := oauth.New(oauth.Config[string]{Provider: p, OAuth2: gh.OAuth2(cb), HTTPClient: mine, Verify: verifyName})
	if err != nil {
		t.Fatal(err)
	}
	a.mu.Lock()
	a.strategies["github"] = s
	a.mu.Unlock()
	if resp, body := a.get(t, a.browser, a.srv.URL+"/auth/github"); resp.StatusCode != http.StatusOK {
		t.Fatalf("got %d %q; want 200", resp.StatusCode, body)
	}
	if *p != before || p.HTTPClient != nil {
		t.Errorf("the caller's provider changed: HTTPClient %v", p.HTTPClient)
	}
	// The exchange, /user and /user/emails: all through the app's client.
	if got := ct.n.Load(); got != 3 {
		t.Errorf("requests through Config.HTTPClient: got %d; want 3", got)
	}
}

func TestExchangeStopsWithTheRequest(t *testing.T) {
	a := newApp(t)
	gh := oauthtest.NewGitHub(t)
	cb := a.callbackURL("github")
	// The client would wait a minute; the request's context gives up first.
	a.use(gh.Provider(cb), time.Minute, func(c *oauth.Config[string]) { c.OAuth2 = gh.OAuth2(cb) })
	a.mu.Lock()
	a.requestTimeout = 200 * time.Millisecond
	a.mu.Unlock()
	gh.SetTokenFault(oauthtest.FaultStall)
	start := time.Now()
	resp, _ := a.get(t, a.browser, a.srv.URL+"/auth/github")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("got %d; want 503", resp.StatusCode)
	}
	if elapsed := time.Since(start); elapsed > 30*time.Second {
		t.Errorf("the stalled exchange outlived the request: %v", elapsed)
	}
	res, _ := a.outcome()
	if !errors.Is(res.Reason, oauth.ErrExchange) || !errors.Is(res.Reason, oauth.ErrUnavailable) {
		t.Errorf("reason: got %v; want ErrExchange and ErrUnavailable", res.Reason)
	}
	if got := gh.TokenCalls(); got != 1 {
		t.Errorf("token endpoint calls: got %d; want 1 (never a second attempt)", got)
	}
	if got := a.whoami(t); got != "" {
		t.Errorf("session user: got %q; want none", got)
	}
}

func TestProfileOutage(t *testing.T) {
	tests := []struct {
		name       string
		fault      oauthtest.Fault
		wantStatus int
	}{
		{"nok, profile endpoint 500", oauthtest.Fault500, http.StatusBadGateway},
		{"nok, profile endpoint stalls", oauthtest.FaultStall, http.StatusServiceUnavailable},
		{"nok, profile endpoint malformed JSON", oauthtest.FaultMalformedJSON, http.StatusBadGateway},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newApp(t)
			gh := oauthtest.NewGitHub(t)
			cb := a.callbackURL("github")
			a.use(gh.Provider(cb), 300*time.Millisecond, func(c *oauth.Config[string]) { c.OAuth2 = gh.OAuth2(cb) })
			gh.SetProfileFault(tt.fault)
			resp, body := a.get(t, a.browser, a.srv.URL+"/auth/github")
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("got %d; want %d", resp.StatusCode, tt.wantStatus)
			}
			res, _ := a.outcome()
			if res.Kind != strategy.KindFail || !errors.Is(res.Reason, oauth.ErrProfile) || !errors.Is(res.Reason, oauth.ErrUnavailable) {
				t.Errorf("got %v, reason %v; want a fail with ErrProfile and ErrUnavailable", res.Kind, res.Reason)
			}
			if want := "Could not sign in. Please try again."; strings.TrimSpace(body) != want {
				t.Errorf("body: got %q; want the generic %q", body, want)
			}
			if got := a.whoami(t); got != "" {
				t.Errorf("session user: got %q; want none", got)
			}
			// The handshake was consumed: the same callback again finds none.
			a.checkNoFaults(t)
		})
	}
}

func TestAuthorizedParty(t *testing.T) {
	tests := []struct {
		fault oauthtest.IDTokenFault
		ok    bool
	}{
		{oauthtest.IDTokenOtherAuthorizedParty, false},
		{oauthtest.IDTokenNoAuthorizedParty, false},
		{oauthtest.IDTokenSharedAudience, true},
	}
	for _, tt := range tests {
		prefix := "nok, "
		if tt.ok {
			prefix = "ok, "
		}
		t.Run(prefix+tt.fault.String(), func(t *testing.T) {
			a := newApp(t)
			op := oauthtest.NewOIDC(t)
			op.SetIDTokenFault(tt.fault)
			p, err := op.Provider("oidc", a.callbackURL("oidc"))
			if err != nil {
				t.Fatal(err)
			}
			a.use(p, 0)
			resp, _ := a.get(t, a.browser, a.srv.URL+"/auth/oidc")
			res, _ := a.outcome()
			if tt.ok {
				if resp.StatusCode != http.StatusOK || a.whoami(t) != "oidc:oidc-user-1" {
					t.Errorf("got %d, reason %v; want 200 and a session", resp.StatusCode, res.Reason)
				}
				return
			}
			if resp.StatusCode != http.StatusUnauthorized || !errors.Is(res.Reason, oauth.ErrIDToken) {
				t.Errorf("got %d, reason %v; want 401 ErrIDToken", resp.StatusCode, res.Reason)
			}
			if got := a.whoami(t); got != "" {
				t.Errorf("session user: got %q; want none", got)
			}
		})
	}
}

func TestIssuerWithTrailingSlash(t *testing.T) {
	a := newApp(t)
	op := oauthtest.NewOIDC(t)
	op.SetIssuerTrailingSlash()
	if !strings.HasSuffix(op.Issuer(), "/") {
		t.Fatalf("issuer %q: want a trailing slash", op.Issuer())
	}
	p, err := op.Provider("oidc", a.callbackURL("oidc"))
	if err != nil {
		t.Fatal(err)
	}
	a.use(p, 0)
	if resp, body := a.get(t, a.browser, a.srv.URL+"/auth/oidc"); resp.StatusCode != http.StatusOK || body != "signed in as oidc:oidc-user-1" {
		t.Errorf("got %d %q; want 200", resp.StatusCode, body)
	}
}

func TestOAuth2ConfigErrors(t *testing.T) {
	gh := oauthtest.NewGitHub(t)
	cb := "https://app.test/auth/github/callback"
	good := gh.OAuth2(cb)
	tests := []struct {
		name string
		edit func(c *oauth.Config[string])
		want string // in the error's text, when set
	}{
		{"nok, no token URL", func(c *oauth.Config[string]) { c.OAuth2.Endpoint.TokenURL = "" }, ""},
		{"nok, relative redirect URL", func(c *oauth.Config[string]) { c.OAuth2.RedirectURL = "/cb" }, "github: OAuth2.RedirectURL"},
		{"nok, no client ID", func(c *oauth.Config[string]) { c.OAuth2.ClientID = "" }, "github: OAuth2.ClientID is empty"},
		{"nok, blank client ID", func(c *oauth.Config[string]) { c.OAuth2.ClientID = "  " }, "github: OAuth2.ClientID is empty"},
		{"nok, no client secret", func(c *oauth.Config[string]) { c.OAuth2.ClientSecret = "" }, "github: OAuth2.ClientSecret is empty"},
		{"nok, redirect URL without host", func(c *oauth.Config[string]) { c.OAuth2.RedirectURL = "https:///cb" }, "github: OAuth2.RedirectURL"},
		{"nok, redirect URL not http", func(c *oauth.Config[string]) { c.OAuth2.RedirectURL = "ftp://app.example/cb" }, "github: OAuth2.RedirectURL"},
		{"nok, AuthParams set the state", func(c *oauth.Config[string]) { c.AuthParams = url.Values{"State": {"x"}} }, ""},
		{"nok, AuthParams set the challenge", func(c *oauth.Config[string]) { c.AuthParams = url.Values{"code_challenge": {"x"}} }, ""},
		{"nok, AuthParams without OAuth2", func(c *oauth.Config[string]) { c.OAuth2 = nil; c.AuthParams = url.Values{"prompt": {"consent"}} }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o2 := *good
			cfg := oauth.Config[string]{Provider: gh.Provider(cb), OAuth2: &o2, Verify: verifyName}
			tt.edit(&cfg)
			_, err := oauth.New(cfg)
			if !errors.Is(err, oauth.ErrInvalidConfig) {
				t.Errorf("got %v; want ErrInvalidConfig", err)
			}
			if err != nil && tt.want != "" && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q; want it to name %q", err, tt.want)
			}
		})
	}
	t.Run("ok, the app's OAuth2 config is copied", func(t *testing.T) {
		o2 := *good
		s, err := oauth.New(oauth.Config[string]{Provider: gh.Provider(cb), OAuth2: &o2, Verify: verifyName})
		if err != nil {
			t.Fatal(err)
		}
		o2.Endpoint.AuthURL = "https://evil.test/authorize"
		if loc := beginDirect(t, s); loc.Host == "evil.test" {
			t.Errorf("begin: got %s; want the config as it was at New", loc)
		}
	})
}

func TestEndSessionURL(t *testing.T) {
	op := oauthtest.NewOIDC(t)
	cb := "https://app.test/auth/oidc/callback"
	p, err := op.Provider("oidc", cb)
	if err != nil {
		t.Fatal(err)
	}
	s, err := oauth.New(oauth.Config[string]{Provider: p, Verify: verifyName})
	if err != nil {
		t.Fatal(err)
	}
	target, ok := s.EndSessionURL("the-id-token", "https://app.test/")
	u, err := url.Parse(target)
	if !ok || err != nil || u.Scheme+"://"+u.Host+u.Path != op.EndSessionURL() {
		t.Fatalf("got %q, %v; want the provider's end_session_endpoint", target, ok)
	}
	if q := u.Query(); q.Get("id_token_hint") != "the-id-token" || q.Get("client_id") != op.ClientID || q.Get("post_logout_redirect_uri") != "https://app.test/" {
		t.Errorf("query %v: want id_token_hint, client_id and post_logout_redirect_uri", q)
	}

	gh := oauthtest.NewGitHub(t)
	plain, err := oauth.New(oauth.Config[string]{Provider: gh.Provider(cb), Verify: verifyName})
	if err != nil {
		t.Fatal(err)
	}
	if target, ok := plain.EndSessionURL("x", ""); ok || target != "" {
		t.Errorf("github: got %q, %v; want none", target, ok)
	}
	for _, tt := range []struct {
		name string
		cfg  oauth.Config[string]
	}{
		{"nok, EndSessionURL without OIDC", oauth.Config[string]{Provider: gh.Provider(cb), Verify: verifyName, EndSessionURL: "https://op.test/logout"}},
		{"nok, relative EndSessionURL", oauth.Config[string]{Provider: p, Verify: verifyName, EndSessionURL: "/logout"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := oauth.New(tt.cfg); !errors.Is(err, oauth.ErrInvalidConfig) {
				t.Errorf("got %v; want ErrInvalidConfig", err)
			}
		})
	}
}
