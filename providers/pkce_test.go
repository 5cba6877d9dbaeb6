package providers_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/markbates/goth"

	"github.com/gopassport/passport/providers"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/oauth"
	"github.com/gopassport/passport/strategy/oauth/oauthtest"
)

// route is where a request for one of the real providers goes instead:
// the imitation's base URL and, when the imitation's path differs, the
// path there.
type route struct {
	base  *url.URL
	paths map[string]string
}

// imitationTransport sends the requests for the real providers' hosts to
// the imitations: the browser's (authorization requests) and the app's
// (token and profile requests) alike.
type imitationTransport struct {
	routes map[string]route
	base   http.RoundTripper
}

func (it imitationTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if rt, ok := it.routes[r.URL.Host]; ok {
		r = r.Clone(r.Context())
		if p, ok := rt.paths[r.URL.Path]; ok {
			r.URL.Path, r.URL.RawPath = p, ""
		}
		r.URL.Scheme, r.URL.Host, r.Host = rt.base.Scheme, rt.base.Host, ""
	}
	return it.base.RoundTrip(r)
}

// catalogueApp runs the strategies of a catalogue on /auth/{name} and
// /auth/{name}/callback.
type catalogueApp struct {
	srv        *httptest.Server
	browser    *http.Client
	mu         sync.Mutex
	strategies map[string]strategy.Strategy[string]
	last       strategy.Result[string]
}

func newCatalogueApp(t *testing.T, transport http.RoundTripper) *catalogueApp {
	t.Helper()
	store, err := session.NewCookieStore(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := session.New(session.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	a := &catalogueApp{strategies: map[string]strategy.Strategy[string]{}}
	mux := http.NewServeMux()
	serve := func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		s, ok := a.strategies[r.PathValue("name")]
		a.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		res, err := s.Authenticate(r)
		a.mu.Lock()
		a.last = res
		a.mu.Unlock()
		switch {
		case err != nil:
			http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		case res.Kind == strategy.KindRedirect:
			http.Redirect(w, r, res.Location, http.StatusFound)
		case res.Kind == strategy.KindSuccess:
			_, _ = io.WriteString(w, "signed in as "+res.User)
		default:
			http.Error(w, res.Info.Message, res.FailStatus())
		}
	}
	mux.HandleFunc("/auth/{name}", serve)
	mux.HandleFunc("/auth/{name}/callback", serve)
	a.srv = httptest.NewServer(mgr.Middleware(mux))
	t.Cleanup(a.srv.Close)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	a.browser = &http.Client{Jar: jar, Transport: transport, Timeout: 10 * time.Second}
	return a
}

func (a *catalogueApp) outcome() strategy.Result[string] {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.last
}

// TestEveryCatalogueProviderSendsAVerifier runs each built-in provider of
// the catalogue, with its real endpoints, against imitations whose token
// endpoint refuses a code without an S256 challenge and checks the
// verifier: goth's github and google providers sign in; gitlab, discord
// and microsoft get past the exchange (the GitHub imitation's profile
// endpoint is not theirs, so their profile fetch fails after it).
func TestEveryCatalogueProviderSendsAVerifier(t *testing.T) {
	gh := oauthtest.NewGitHub(t)
	gh.SetRequirePKCE(true)
	goog := oauthtest.NewGoogle(t)
	goog.SetRequirePKCE(true)
	ghURL, _ := url.Parse(gh.Server.URL)
	googURL, _ := url.Parse(goog.Server.URL)
	as := func(authorize, token, profile string) map[string]string {
		return map[string]string{authorize: "/login/oauth/authorize", token: "/login/oauth/access_token", profile: "/user"}
	}
	transport := imitationTransport{base: &http.Transport{}, routes: map[string]route{
		"github.com":                {base: ghURL},
		"api.github.com":            {base: ghURL},
		"gitlab.com":                {base: ghURL, paths: as("/oauth/authorize", "/oauth/token", "/api/v4/user")},
		"discord.com":               {base: ghURL, paths: as("/api/oauth2/authorize", "/api/oauth2/token", "/api/users/@me")},
		"login.microsoftonline.com": {base: ghURL, paths: as("/common/oauth2/v2.0/authorize", "/common/oauth2/v2.0/token", "")},
		"graph.microsoft.com":       {base: ghURL, paths: map[string]string{"/v1.0/me": "/user"}},
		"accounts.google.com":       {base: googURL},
		"oauth2.googleapis.com":     {base: googURL},
		oauthtest.GoogleProfileHost: {base: googURL},
	}}
	a := newCatalogueApp(t, transport)
	creds := &providers.Credentials{ClientID: gh.ClientID, ClientSecret: gh.ClientSecret}
	client := &http.Client{Transport: transport, Timeout: 5 * time.Second}
	cat, err := providers.New(t.Context(), providers.Config{
		BaseURL: a.srv.URL, HTTPClient: client,
		GitHub: creds, GitLab: creds, Discord: creds, Microsoft: creds,
		Google: &providers.Credentials{ClientID: goog.ClientID, ClientSecret: goog.ClientSecret},
	})
	if err != nil {
		t.Fatal(err)
	}
	err = providers.Register(cat, func(name string, s strategy.Strategy[string]) error {
		a.strategies[name] = s
		return nil
	}, func(_ context.Context, u goth.User) (string, error) { return oauth.IdentityOf(u).String(), nil })
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		tokenCalls func() int
		signsIn    string // "" when the profile is not the imitation's
	}{
		{"github", gh.TokenCalls, "github:4242"},
		{"google", goog.TokenCalls, "google:4242"},
		{"gitlab", gh.TokenCalls, ""},
		{"discord", gh.TokenCalls, ""},
		{"microsoft", gh.TokenCalls, ""},
	}
	for _, tt := range tests {
		t.Run("ok, "+tt.name, func(t *testing.T) {
			before := tt.tokenCalls()
			resp, err := a.browser.Get(a.srv.URL + "/auth/" + tt.name)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			res := a.outcome()
			if got := tt.tokenCalls() - before; got != 1 {
				t.Errorf("token endpoint calls: got %d; want 1", got)
			}
			if tt.signsIn != "" {
				if resp.StatusCode != http.StatusOK || string(b) != "signed in as "+tt.signsIn {
					t.Errorf("got %d %q, reason %v; want 200 signed in as %s", resp.StatusCode, b, res.Reason, tt.signsIn)
				}
				return
			}
			// Past the exchange, which the imitation accepted with the
			// verifier: the profile is the one thing that failed.
			if res.Kind != strategy.KindFail || !errors.Is(res.Reason, oauth.ErrProfile) || errors.Is(res.Reason, oauth.ErrExchange) {
				t.Errorf("got %v, reason %v; want a fail at the profile, after the exchange", res.Kind, res.Reason)
			}
		})
	}
	if q := goog.AuthorizeRequests(); len(q) != 1 || q[0].Get("access_type") != "offline" || !strings.Contains(q[0].Get("scope"), "openid") {
		t.Errorf("google authorization requests %v: want one with access_type=offline", q)
	}
}

func TestWithoutPKCE(t *testing.T) {
	cat, err := providers.New(t.Context(), providers.Config{
		BaseURL: "https://app.example", WithoutPKCE: []string{"gitlab"},
		GitHub: &providers.Credentials{ClientID: "a", ClientSecret: "b"}, GitLab: &providers.Credentials{ClientID: "c", ClientSecret: "d"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		pkce bool
	}{{"github", true}, {"gitlab", false}} {
		cfg, err := providers.StrategyConfig(cat, tt.name, verifyID)
		if err != nil {
			t.Fatal(err)
		}
		s, err := oauth.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		q := begin(t, s, "/auth/"+tt.name).Query()
		if s.UsesPKCE() != tt.pkce || q.Has("code_challenge") != tt.pkce {
			t.Errorf("%s: UsesPKCE %v, challenge %q; want PKCE %v", tt.name, s.UsesPKCE(), q.Get("code_challenge"), tt.pkce)
		}
	}
}

// TestIssuerWithTrailingSlash configures the generic provider with an
// issuer that ends with '/', as Auth0 publishes its own: discovery and the
// ID token's iss must match it as written.
func TestIssuerWithTrailingSlash(t *testing.T) {
	op := oauthtest.NewOIDC(t)
	op.SetIssuerTrailingSlash()
	a := newCatalogueApp(t, &http.Transport{})
	cat, err := providers.New(t.Context(), providers.Config{
		BaseURL: a.srv.URL,
		OIDC:    &providers.OIDCConfig{Name: "auth0", Issuer: op.Issuer(), Credentials: providers.Credentials{ClientID: op.ClientID, ClientSecret: op.ClientSecret}},
	})
	if err != nil {
		t.Fatalf("New with issuer %q: %v", op.Issuer(), err)
	}
	if p, _ := cat.Lookup("auth0"); p.OIDC == nil || p.OIDC.Issuer != op.Issuer() || p.EndSessionURL != op.EndSessionURL() {
		t.Fatalf("OIDC: got %+v, end session %q; want issuer %q and the discovered end_session_endpoint", p.OIDC, p.EndSessionURL, op.Issuer())
	}
	err = providers.Register(cat, func(name string, s strategy.Strategy[string]) error {
		a.strategies[name] = s
		return nil
	}, func(_ context.Context, u goth.User) (string, error) { return oauth.IdentityOf(u).String(), nil })
	if err != nil {
		t.Fatal(err)
	}
	resp, err := a.browser.Get(a.srv.URL + "/auth/auth0")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(b) != "signed in as auth0:oidc-user-1" {
		t.Errorf("got %d %q, reason %v; want 200", resp.StatusCode, b, a.outcome().Reason)
	}
}
