package oauth_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/markbates/goth"
	"github.com/markbates/goth/providers/discord"
	"github.com/markbates/goth/providers/fitbit"
	"github.com/markbates/goth/providers/github"
	"github.com/markbates/goth/providers/gitlab"
	"github.com/markbates/goth/providers/google"
	"github.com/markbates/goth/providers/microsoftonline"
	"github.com/markbates/goth/providers/openidConnect"
	"github.com/markbates/goth/providers/zoom"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/oauth"
	"github.com/gopassport/passport/strategy/oauth/oauthtest"
	"github.com/gopassport/passport/strategy/strategytest"
)

func TestGitHubFlow(t *testing.T) {
	a := newApp(t)
	gh := oauthtest.NewGitHub(t)
	s := a.use(gh.Provider(a.callbackURL("github")), 0)
	if s.UsesPKCE() || s.UsesOIDC() {
		t.Errorf("github: PKCE %v, OIDC %v; want neither", s.UsesPKCE(), s.UsesOIDC())
	}

	resp, body := a.get(t, a.browser, a.srv.URL+"/auth/github?return_to=%2Fsecret")
	if resp.StatusCode != http.StatusOK || body != "signed in as github:4242" {
		t.Fatalf("got %d %q; want 200 %q", resp.StatusCode, body, "signed in as github:4242")
	}
	if got := a.whoami(t); got != "github:4242" {
		t.Errorf("session user: got %q; want %q", got, "github:4242")
	}
	if got := gh.TokenCalls(); got != 1 {
		t.Errorf("token endpoint calls: got %d; want 1", got)
	}
	reqs := gh.AuthorizeRequests()
	if len(reqs) != 1 {
		t.Fatalf("authorization requests: got %d; want 1", len(reqs))
	}
	q := reqs[0]
	if len(q.Get("state")) != 43 {
		t.Errorf("state %q: got %d characters; want 43 (256 bits)", q.Get("state"), len(q.Get("state")))
	}
	for _, k := range []string{"code_challenge", "code_challenge_method", "nonce"} {
		if q.Has(k) {
			t.Errorf("authorization request carries %s=%q; want none for GitHub", k, q.Get(k))
		}
	}
	res, _ := a.outcome()
	if res.Info.Extra["provider"] != "github" || res.Info.Extra["subject"] != "4242" {
		t.Errorf("Info.Extra: got %v; want provider github, subject 4242", res.Info.Extra)
	}
	a.checkNoFaults(t)
}

func TestGitHubProfile(t *testing.T) {
	a := newApp(t)
	gh := oauthtest.NewGitHub(t)
	gh.SetUser(oauthtest.GitHubUser{ID: 7, Login: "hopper", Name: "Grace Hopper"},
		oauthtest.GitHubEmail{Email: "old@example.test", Verified: true},
		oauthtest.GitHubEmail{Email: "grace@example.test", Primary: true, Verified: true})
	var got goth.User
	a.use(gh.Provider(a.callbackURL("github")), 0, func(c *oauth.Config[string]) {
		c.Verify = func(_ context.Context, u goth.User) (string, error) {
			got = u
			return "u", nil
		}
	})
	if resp, _ := a.get(t, a.browser, a.srv.URL+"/auth/github"); resp.StatusCode != http.StatusOK {
		t.Fatalf("got %d; want 200", resp.StatusCode)
	}
	if got.Provider != "github" || got.UserID != "7" || got.NickName != "hopper" || got.Email != "grace@example.test" || got.AccessToken == "" {
		t.Errorf("got %+v; want github user 7 hopper grace@example.test with a token", got)
	}
}

func TestOIDCFlow(t *testing.T) {
	a := newApp(t)
	op := oauthtest.NewOIDC(t)
	p, err := op.Provider("oidc", a.callbackURL("oidc"))
	if err != nil {
		t.Fatal(err)
	}
	var got goth.User
	s := a.use(p, 0, func(c *oauth.Config[string]) {
		c.Verify = func(_ context.Context, u goth.User) (string, error) {
			got = u
			return oauth.IdentityOf(u).String(), nil
		}
	})
	if !s.UsesPKCE() || !s.UsesOIDC() {
		t.Fatalf("openidConnect: PKCE %v, OIDC %v; want both", s.UsesPKCE(), s.UsesOIDC())
	}
	resp, body := a.get(t, a.browser, a.srv.URL+"/auth/oidc")
	if resp.StatusCode != http.StatusOK || body != "signed in as oidc:oidc-user-1" {
		t.Fatalf("got %d %q; want 200 signed in as oidc:oidc-user-1", resp.StatusCode, body)
	}
	if got.Email != "ada@example.test" || got.IDToken == "" {
		t.Errorf("got %+v; want ada@example.test with an ID token", got)
	}
	q := op.AuthorizeRequests()[0]
	if q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 || len(q.Get("nonce")) != 43 {
		t.Errorf("authorization request %v: want code_challenge_method=S256, a 43-character challenge and nonce", q)
	}
	// The fake checks the verifier against the challenge: one call, and it
	// succeeded, so the verifier of this flow was sent.
	if op.TokenCalls() != 1 {
		t.Errorf("token endpoint calls: got %d; want 1", op.TokenCalls())
	}
	a.checkNoFaults(t)
}

func TestEveryFlowHasItsOwnSecrets(t *testing.T) {
	a := newApp(t)
	op := oauthtest.NewOIDC(t)
	p, err := op.Provider("oidc", a.callbackURL("oidc"))
	if err != nil {
		t.Fatal(err)
	}
	a.use(p, 0)
	seen := map[string]bool{}
	for range 3 {
		q := a.begin(t, "oidc", "state=attacker-chosen").Query()
		for _, k := range []string{"state", "nonce", "code_challenge"} {
			v := q.Get(k)
			if v == "" || seen[v] {
				t.Errorf("%s %q: empty or reused across flows", k, v)
			}
			seen[v] = true
		}
		if q.Get("state") == "attacker-chosen" {
			t.Error("the caller's state was used")
		}
	}
}

func TestPKCEByProvider(t *testing.T) {
	cb := "https://app.example.test/auth/x/callback"
	oidcP, err := openidConnect.NewCustomisedURL("id", "secret", cb, "https://op.example.test/authorize",
		"https://op.example.test/token", "https://op.example.test", "", "", "openid")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		provider goth.Provider
		pkce     bool
	}{
		{"ok, openidConnect sends the verifier", oidcP, true},
		{"ok, zoom sends the verifier", zoom.New("id", "secret", cb), true},
		{"ok, fitbit sends the verifier", fitbit.New("id", "secret", cb), true},
		{"ok, github drops it", github.New("id", "secret", cb), false},
		{"ok, google drops it", google.New("id", "secret", cb), false},
		{"ok, gitlab drops it", gitlab.New("id", "secret", cb), false},
		{"ok, discord drops it", discord.New("id", "secret", cb), false},
		{"ok, microsoftonline drops it", microsoftonline.New("id", "secret", cb), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := oauth.New(oauth.Config[string]{Provider: tt.provider, Verify: verifyName})
			if err != nil {
				t.Fatal(err)
			}
			if s.UsesPKCE() != tt.pkce || oauth.SendsCodeVerifier(tt.provider) != tt.pkce {
				t.Errorf("UsesPKCE %v, SendsCodeVerifier %v; want %v", s.UsesPKCE(), oauth.SendsCodeVerifier(tt.provider), tt.pkce)
			}
			loc := beginDirect(t, s)
			q := loc.Query()
			if got := q.Get("code_challenge_method"); (got == "S256") != tt.pkce {
				t.Errorf("code_challenge_method: got %q; want S256 %v", got, tt.pkce)
			}
			if got := q.Get("code_challenge"); (len(got) == 43) != tt.pkce {
				t.Errorf("code_challenge: got %q; want one %v", got, tt.pkce)
			}
		})
	}
}

func TestPKCEModes(t *testing.T) {
	cb := "https://app.example.test/auth/github/callback"
	for _, tt := range []struct {
		mode oauth.PKCE
		want bool
	}{{oauth.PKCEAuto, false}, {oauth.PKCEOn, true}, {oauth.PKCEOff, false}} {
		t.Run("ok, "+tt.mode.String(), func(t *testing.T) {
			s, err := oauth.New(oauth.Config[string]{Provider: github.New("id", "secret", cb), Verify: verifyName, PKCE: tt.mode})
			if err != nil {
				t.Fatal(err)
			}
			if got := beginDirect(t, s).Query().Get("code_challenge_method") == "S256"; got != tt.want {
				t.Errorf("challenge sent %v; want %v", got, tt.want)
			}
		})
	}
}

// beginDirect runs the begin leg of s on a request with a fresh session
// and returns the authorization URL.
func beginDirect(t *testing.T, s strategy.Strategy[string]) *url.URL {
	t.Helper()
	store, err := session.NewCookieStore(make32())
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := session.New(session.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/auth/x", nil)
	sess := mgr.Bind(httptest.NewRecorder(), r)
	r = r.WithContext(session.NewContext(r.Context(), sess))
	sess.SetRequest(r)
	o := strategytest.Run(t, s, r)
	if o.Err != nil || o.Result.Kind != strategy.KindRedirect {
		t.Fatalf("begin: got %s; want a redirect", o)
	}
	u, err := url.Parse(o.Result.Location)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func make32() []byte {
	k := make([]byte, 32)
	for i := range k {
		k[i] = byte(100 + i)
	}
	return k
}

func verifyName(_ context.Context, u goth.User) (string, error) { return u.UserID, nil }

// failCase is a callback that must fail.
type failCase struct {
	name       string
	setup      func(t *testing.T, a *app, gh *oauthtest.GitHub) string // returns the URL to visit
	wantStatus int
	wantReason error
	// wantTokens is how many requests reach the token endpoint.
	wantTokens int
}

func TestCallbackFailures(t *testing.T) {
	tests := []failCase{
		{
			name: "nok, callback without a handshake",
			setup: func(t *testing.T, a *app, gh *oauthtest.GitHub) string {
				return a.callbackURL("github") + "?state=x&code=y"
			},
			wantStatus: 401, wantReason: oauth.ErrNoHandshake,
		},
		{
			name: "nok, callback without state",
			setup: func(t *testing.T, a *app, gh *oauthtest.GitHub) string {
				return withQuery(a.authorize(t, a.begin(t, "github", "")), "state", "")
			},
			wantStatus: 401, wantReason: oauth.ErrStateMismatch,
		},
		{
			name: "nok, mismatched state",
			setup: func(t *testing.T, a *app, gh *oauthtest.GitHub) string {
				return withQuery(a.authorize(t, a.begin(t, "github", "")), "state", strings.Repeat("A", 43))
			},
			wantStatus: 401, wantReason: oauth.ErrStateMismatch,
		},
		{
			name: "nok, caller-chosen state at begin is ignored",
			setup: func(t *testing.T, a *app, gh *oauthtest.GitHub) string {
				back := a.authorize(t, a.begin(t, "github", "state=chosen-by-attacker"))
				return withQuery(back, "state", "chosen-by-attacker")
			},
			wantStatus: 401, wantReason: oauth.ErrStateMismatch,
		},
		{
			name: "nok, access denied with a script description",
			setup: func(t *testing.T, a *app, gh *oauthtest.GitHub) string {
				gh.SetDeny(`<script>alert("pwned")</script>`)
				return a.authorize(t, a.begin(t, "github", "")).String()
			},
			wantStatus: 401, wantReason: oauth.ErrDenied,
		},
		{
			name: "nok, repeated state",
			setup: func(t *testing.T, a *app, gh *oauthtest.GitHub) string {
				back := a.authorize(t, a.begin(t, "github", ""))
				return back.String() + "&state=again"
			},
			wantStatus: 400, wantReason: strategy.ErrMalformedCredentials,
		},
		{
			name: "nok, no code",
			setup: func(t *testing.T, a *app, gh *oauthtest.GitHub) string {
				return withQuery(a.authorize(t, a.begin(t, "github", "")), "code", "")
			},
			wantStatus: 401, wantReason: oauth.ErrExchange,
		},
		{
			name: "nok, state of another provider",
			setup: func(t *testing.T, a *app, gh *oauthtest.GitHub) string {
				back := a.authorize(t, a.begin(t, "github", ""))
				a.begin(t, "github2", "") // B's own flow is in progress too
				return strings.Replace(back.String(), "/auth/github/callback", "/auth/github2/callback", 1)
			},
			wantStatus: 401, wantReason: oauth.ErrStateMismatch,
		},
		{
			name: "nok, another provider's handshake under this key",
			setup: func(t *testing.T, a *app, gh *oauthtest.GitHub) string {
				back := a.authorize(t, a.begin(t, "github", ""))
				return strings.Replace(back.String(), "/auth/github/callback", "/auth/github2/callback", 1)
			},
			wantStatus: 401, wantReason: oauth.ErrNoHandshake,
		},
		{
			name: "nok, token endpoint 500",
			setup: func(t *testing.T, a *app, gh *oauthtest.GitHub) string {
				gh.SetTokenFault(oauthtest.Fault500)
				return a.authorize(t, a.begin(t, "github", "")).String()
			},
			wantStatus: 502, wantReason: oauth.ErrUnavailable, wantTokens: 1,
		},
		{
			name: "nok, token endpoint stalls past the timeout",
			setup: func(t *testing.T, a *app, gh *oauthtest.GitHub) string {
				gh.SetTokenFault(oauthtest.FaultStall)
				return a.authorize(t, a.begin(t, "github", "")).String()
			},
			wantStatus: 503, wantReason: oauth.ErrUnavailable, wantTokens: 1,
		},
		{
			name: "nok, token endpoint malformed JSON",
			setup: func(t *testing.T, a *app, gh *oauthtest.GitHub) string {
				gh.SetTokenFault(oauthtest.FaultMalformedJSON)
				return a.authorize(t, a.begin(t, "github", "")).String()
			},
			wantStatus: 502, wantReason: oauth.ErrUnavailable, wantTokens: 1,
		},
		{
			name: "nok, token endpoint without access token",
			setup: func(t *testing.T, a *app, gh *oauthtest.GitHub) string {
				gh.SetTokenFault(oauthtest.FaultNoAccessToken)
				return a.authorize(t, a.begin(t, "github", "")).String()
			},
			wantStatus: 502, wantReason: oauth.ErrUnavailable, wantTokens: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newApp(t)
			gh := oauthtest.NewGitHub(t)
			gh.SetRequirePKCE(true)
			a.use(gh.Provider(a.callbackURL("github")), 300*time.Millisecond, func(c *oauth.Config[string]) { c.OAuth2 = gh.OAuth2(a.callbackURL("github")) })
			a.use(gh.Provider(a.callbackURL("github2")), 300*time.Millisecond, func(c *oauth.Config[string]) {
				c.Name = "github2"
				c.OAuth2 = gh.OAuth2(a.callbackURL("github2"))
			})
			target := tt.setup(t, a, gh)
			resp, body := a.get(t, a.browser, target)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status: got %d; want %d", resp.StatusCode, tt.wantStatus)
			}
			res, err := a.outcome()
			if err != nil || res.Kind != strategy.KindFail {
				t.Fatalf("got %v, %v; want a fail", res.Kind, err)
			}
			if !errors.Is(res.Reason, tt.wantReason) {
				t.Errorf("reason: got %v; want %v", res.Reason, tt.wantReason)
			}
			if strings.Contains(body, "<") || strings.Contains(res.Info.Message, "script") || strings.Contains(fmt.Sprint(res.Reason), "script") {
				t.Errorf("the provider's description was reflected: body %q, message %q, reason %v", body, res.Info.Message, res.Reason)
			}
			if got := gh.TokenCalls(); got != tt.wantTokens {
				t.Errorf("token endpoint calls: got %d; want %d", got, tt.wantTokens)
			}
			if tt.wantStatus >= 500 && (!errors.Is(res.Reason, oauth.ErrExchange) || res.Info.Message != "Could not sign in. Please try again.") {
				t.Errorf("outage: reason %v, message %q; want ErrExchange and the generic message", res.Reason, res.Info.Message)
			}
			if got := a.whoami(t); got != "" {
				t.Errorf("session user: got %q; want none", got)
			}
			a.checkNoFaults(t)
		})
	}
}

func TestReplayedCallback(t *testing.T) {
	a := newApp(t)
	gh := oauthtest.NewGitHub(t)
	a.use(gh.Provider(a.callbackURL("github")), 0)
	back := a.authorize(t, a.begin(t, "github", ""))
	// The attacker's copy of the pre-login cookie.
	u, _ := url.Parse(a.srv.URL)
	old := a.browser.Jar.Cookies(u)

	if resp, _ := a.get(t, a.browser, back.String()); resp.StatusCode != http.StatusOK {
		t.Fatalf("first callback: got %d; want 200", resp.StatusCode)
	}
	// Replayed by the same browser, and with the old cookie.
	if resp, _ := a.get(t, a.browser, back.String()); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("replay: got %d; want 401", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, back.String(), nil)
	for _, c := range old {
		req.AddCookie(c)
	}
	resp, err := (&http.Client{Transport: a.browser.Transport}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("replay with the old cookie: got %d; want 401", resp.StatusCode)
	}
	if res, _ := a.outcome(); !errors.Is(res.Reason, oauth.ErrNoHandshake) {
		t.Errorf("reason: got %v; want ErrNoHandshake", res.Reason)
	}
	if got := gh.TokenCalls(); got != 1 {
		t.Errorf("token endpoint calls: got %d; want exactly 1", got)
	}
	a.checkNoFaults(t)
}

func TestExpiredHandshake(t *testing.T) {
	a := newApp(t)
	gh := oauthtest.NewGitHub(t)
	now := time.Now()
	clock := &now
	a.use(gh.Provider(a.callbackURL("github")), 0, func(c *oauth.Config[string]) {
		c.MaxAge = time.Minute
		c.Now = func() time.Time { return *clock }
	})
	back := a.authorize(t, a.begin(t, "github", ""))
	later := now.Add(2 * time.Minute)
	clock = &later
	if resp, _ := a.get(t, a.browser, back.String()); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("got %d; want 401", resp.StatusCode)
	}
	if res, _ := a.outcome(); !errors.Is(res.Reason, oauth.ErrExpired) {
		t.Errorf("reason: got %v; want ErrExpired", res.Reason)
	}
	if gh.TokenCalls() != 0 {
		t.Errorf("token endpoint calls: got %d; want 0", gh.TokenCalls())
	}
}

func TestIDTokenFailures(t *testing.T) {
	for _, fault := range []oauthtest.IDTokenFault{
		oauthtest.IDTokenBadSignature,
		oauthtest.IDTokenWrongNonce,
		oauthtest.IDTokenNoNonce,
		oauthtest.IDTokenWrongAudience,
		oauthtest.IDTokenWrongIssuer,
		oauthtest.IDTokenExpired,
		oauthtest.IDTokenAlgNone,
		oauthtest.IDTokenMissing,
		oauthtest.IDTokenWrongAccessTokenHash,
	} {
		t.Run("nok, "+fault.String(), func(t *testing.T) {
			a := newApp(t)
			op := oauthtest.NewOIDC(t)
			op.SetIDTokenFault(fault)
			p, err := op.Provider("oidc", a.callbackURL("oidc"))
			if err != nil {
				t.Fatal(err)
			}
			verified := false
			a.use(p, 0, func(c *oauth.Config[string]) {
				c.Verify = func(context.Context, goth.User) (string, error) { verified = true; return "x", nil }
			})
			resp, _ := a.get(t, a.browser, a.srv.URL+"/auth/oidc")
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("got %d; want 401", resp.StatusCode)
			}
			if res, _ := a.outcome(); !errors.Is(res.Reason, oauth.ErrIDToken) {
				t.Errorf("reason: got %v; want ErrIDToken", res.Reason)
			}
			if verified {
				t.Error("Verify ran for a refused ID token")
			}
			if got := a.whoami(t); got != "" {
				t.Errorf("session user: got %q; want none", got)
			}
			a.checkNoFaults(t)
		})
	}
}

func TestDiscoveryFailureSparesTheCode(t *testing.T) {
	a := newApp(t)
	op := oauthtest.NewOIDC(t)
	p, err := op.Provider("oidc", a.callbackURL("oidc"))
	if err != nil {
		t.Fatal(err)
	}
	// An issuer whose discovery document is not there.
	a.use(p, 0, func(c *oauth.Config[string]) {
		c.OIDC = &oauth.OIDC{Issuer: op.Issuer() + "/nowhere", ClientID: op.ClientID}
	})
	// The provider's discovery answers 404: its fault (or the
	// configuration's), not the user's.
	if resp, _ := a.get(t, a.browser, a.srv.URL+"/auth/oidc"); resp.StatusCode != http.StatusBadGateway {
		t.Errorf("got %d; want 502", resp.StatusCode)
	}
	if res, _ := a.outcome(); !errors.Is(res.Reason, oauth.ErrIDToken) || !errors.Is(res.Reason, oauth.ErrUnavailable) {
		t.Errorf("reason: got %v; want ErrIDToken and ErrUnavailable", res.Reason)
	}
	if op.TokenCalls() != 0 {
		t.Errorf("token endpoint calls: got %d; want 0", op.TokenCalls())
	}
}

func TestExplicitJWKSURL(t *testing.T) {
	a := newApp(t)
	op := oauthtest.NewOIDC(t)
	p, err := op.Provider("oidc", a.callbackURL("oidc"))
	if err != nil {
		t.Fatal(err)
	}
	a.use(p, 0, func(c *oauth.Config[string]) {
		c.OIDC = &oauth.OIDC{Issuer: op.Issuer(), ClientID: op.ClientID, JWKSURL: op.Issuer() + "/jwks"}
	})
	if resp, body := a.get(t, a.browser, a.srv.URL+"/auth/oidc"); resp.StatusCode != http.StatusOK {
		t.Errorf("got %d %q; want 200", resp.StatusCode, body)
	}
}

func TestVerifyOutcomes(t *testing.T) {
	const (
		generic = "Could not sign in. Please try again."
		taken   = "An account with that e-mail exists. Log on first, then link GitHub."
	)
	tests := []struct {
		name        string
		err         error
		wantStatus  int
		wantFault   bool
		wantMessage string
	}{
		{"nok, unknown user refused", fmt.Errorf("no sign-ups: %w", strategy.ErrUserNotFound), 401, false, generic},
		{"nok, invalid credentials", strategy.ErrInvalidCredentials, 401, false, generic},
		{"nok, refused with the app's message", strategy.WithUserMessage(fmt.Errorf("app: e-mail taken: %w", strategy.ErrInvalidCredentials), taken), 401, false, taken},
		{"nok, unknown user with the app's message", fmt.Errorf("app: %w", strategy.WithUserMessage(strategy.ErrUserNotFound, taken)), 401, false, taken},
		{"nok, database down is a fault", errors.New("db down"), 500, true, ""},
		{"nok, a fault with a message is still a fault", strategy.WithUserMessage(errors.New("db down"), taken), 500, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newApp(t)
			gh := oauthtest.NewGitHub(t)
			a.use(gh.Provider(a.callbackURL("github")), 0, func(c *oauth.Config[string]) {
				c.Verify = func(context.Context, goth.User) (string, error) { return "", tt.err }
			})
			resp, _ := a.get(t, a.browser, a.srv.URL+"/auth/github?return_to=/x")
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("got %d; want %d", resp.StatusCode, tt.wantStatus)
			}
			res, err := a.outcome()
			if (err != nil) != tt.wantFault {
				t.Errorf("error: got %v; want one %v", err, tt.wantFault)
			}
			if res.Info.Message != tt.wantMessage {
				t.Errorf("message: got %q; want %q", res.Info.Message, tt.wantMessage)
			}
			if !tt.wantFault && !errors.Is(res.Reason, tt.err) {
				t.Errorf("reason: got %v; want it to wrap Verify's error", res.Reason)
			}
		})
	}
}

func TestCurrentUserReachesVerify(t *testing.T) {
	a := newApp(t)
	gh := oauthtest.NewGitHub(t)
	s := a.use(gh.Provider(a.callbackURL("github")), 0, func(c *oauth.Config[string]) {
		c.Verify = func(ctx context.Context, u goth.User) (string, error) {
			cur, ok, err := strategy.CurrentUser[string](ctx)
			if err != nil || !ok {
				return "", fmt.Errorf("no current user: %v", err)
			}
			return cur + "+" + oauth.IdentityOf(u).String(), nil
		}
	})
	back := a.authorize(t, a.begin(t, "github", ""))
	u, _ := url.Parse(a.srv.URL)
	r := httptest.NewRequest(http.MethodGet, back.String(), nil)
	for _, c := range a.browser.Jar.Cookies(u) {
		r.AddCookie(c)
	}
	sess := a.mgr.Bind(httptest.NewRecorder(), r)
	ctx := session.NewContext(r.Context(), sess)
	ctx = strategytest.LoggedInAs("alice")(ctx)
	r = r.WithContext(ctx)
	sess.SetRequest(r)
	strategytest.Run(t, s, r).SuccessWith(t, "alice+github:4242")
}

func TestReturnTo(t *testing.T) {
	tests := []struct {
		name, param, want string
	}{
		{"ok, relative path", "/secret?x=1", "/secret?x=1"},
		{"nok, protocol-relative", "//evil.test/", ""},
		{"nok, backslash", "/\\evil.test", ""},
		{"nok, absolute", "https://evil.test/", ""},
		{"nok, control character", "/a\nb", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newApp(t)
			gh := oauthtest.NewGitHub(t)
			s := a.use(gh.Provider(a.callbackURL("github")), 0)
			back := a.authorize(t, a.begin(t, "github", url.Values{"return_to": {tt.param}}.Encode()))
			// Run the callback directly to look into the session after it.
			u, _ := url.Parse(a.srv.URL)
			r := httptest.NewRequest(http.MethodGet, back.String(), nil)
			for _, c := range a.browser.Jar.Cookies(u) {
				r.AddCookie(c)
			}
			sess := a.mgr.Bind(httptest.NewRecorder(), r)
			r = r.WithContext(session.NewContext(r.Context(), sess))
			sess.SetRequest(r)
			strategytest.Run(t, s, r).Success(t)
			got, _ := sess.Get(oauth.DefaultReturnToKey)
			if got != tt.want {
				t.Errorf("return-to: got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestFormPostCallback(t *testing.T) {
	a := newApp(t)
	gh := oauthtest.NewGitHub(t)
	a.use(gh.Provider(a.callbackURL("github")), 0)
	back := a.authorize(t, a.begin(t, "github", ""))
	form := back.Query()
	back.RawQuery = ""
	resp, err := a.browser.PostForm(back.String(), form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("got %d; want 200", resp.StatusCode)
	}
	if got := a.whoami(t); got != "github:4242" {
		t.Errorf("session user: got %q; want github:4242", got)
	}
}

func TestNoSessionIsAFault(t *testing.T) {
	s, err := oauth.New(oauth.Config[string]{Provider: github.New("id", "secret", "https://app.test/auth/github/callback"), Verify: verifyName})
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"/auth/github", "/auth/github/callback?state=x&code=y"} {
		err := strategytest.Run(t, s, httptest.NewRequest(http.MethodGet, target, nil)).Error(t)
		if !errors.Is(err, session.ErrNoSession) {
			t.Errorf("%s: got %v; want ErrNoSession", target, err)
		}
	}
}

func TestHTTPClient(t *testing.T) {
	cb := "https://app.test/auth/github/callback"
	t.Run("ok, default client with a timeout, the provider left alone", func(t *testing.T) {
		p := github.New("id", "secret", cb)
		before := *p
		s, err := oauth.New(oauth.Config[string]{Provider: p, Verify: verifyName})
		if err != nil {
			t.Fatal(err)
		}
		if s.HTTPClient() == nil || s.HTTPClient().Timeout != oauth.DefaultTimeout {
			t.Errorf("strategy client %+v; want one with timeout %v", s.HTTPClient(), oauth.DefaultTimeout)
		}
		if *p != before || p.HTTPClient != nil {
			t.Errorf("the caller's provider was changed: HTTPClient %v", p.HTTPClient)
		}
	})
	t.Run("ok, the provider's own client is kept", func(t *testing.T) {
		p := github.New("id", "secret", cb)
		own := &http.Client{Timeout: time.Second}
		p.HTTPClient = own
		s, err := oauth.New(oauth.Config[string]{Provider: p, Verify: verifyName})
		if err != nil {
			t.Fatal(err)
		}
		if p.HTTPClient != own || s.HTTPClient() != own {
			t.Error("the provider's own client was replaced")
		}
	})
	t.Run("ok, Config.HTTPClient wins and the provider stays as it was", func(t *testing.T) {
		p := github.New("id", "secret", cb)
		theirs := &http.Client{}
		p.HTTPClient = theirs
		mine := &http.Client{Timeout: 2 * time.Second}
		s, err := oauth.New(oauth.Config[string]{Provider: p, Verify: verifyName, HTTPClient: mine})
		if err != nil {
			t.Fatal(err)
		}
		if p.HTTPClient != theirs || s.HTTPClient() != mine {
			t.Errorf("provider client %p, strategy client %p; want %p and %p", p.HTTPClient, s.HTTPClient(), theirs, mine)
		}
	})
	t.Run("ok, a provider without a client field", func(t *testing.T) {
		if c, ok := oauth.ProviderHTTPClient(noClientProvider{}); ok || c != nil {
			t.Errorf("got %v, %v; want no field", c, ok)
		}
	})
}

// noClientProvider is a goth provider with no HTTPClient field.
type noClientProvider struct{ goth.Provider }

func TestNewErrors(t *testing.T) {
	p := github.New("id", "secret", "https://app.test/cb")
	tests := []struct {
		name string
		cfg  oauth.Config[string]
	}{
		{"nok, no provider", oauth.Config[string]{Verify: verifyName}},
		{"nok, no verify", oauth.Config[string]{Provider: p}},
		{"nok, negative MaxAge", oauth.Config[string]{Provider: p, Verify: verifyName, MaxAge: -1}},
		{"nok, name with a slash", oauth.Config[string]{Provider: p, Verify: verifyName, Name: "a/b"}},
		{"nok, identity with a colon", oauth.Config[string]{Provider: p, Verify: verifyName, IdentityProvider: "a:b"}},
		{"nok, OIDC without issuer", oauth.Config[string]{Provider: p, Verify: verifyName, OIDC: &oauth.OIDC{ClientID: "x"}}},
		{"nok, OIDC with alg none", oauth.Config[string]{Provider: p, Verify: verifyName, OIDC: &oauth.OIDC{Issuer: "https://op", ClientID: "x", SigningAlgorithms: []string{"RS256", "none"}}}},
		{"nok, unknown PKCE mode", oauth.Config[string]{Provider: p, Verify: verifyName, PKCE: 9}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := oauth.New(tt.cfg); !errors.Is(err, oauth.ErrInvalidConfig) {
				t.Errorf("got %v; want ErrInvalidConfig", err)
			}
		})
	}
}

func TestIdentity(t *testing.T) {
	id := oauth.IdentityOf(goth.User{Provider: "github", UserID: "42", Email: "a@example.test"})
	if id != (oauth.Identity{Provider: "github", Subject: "42"}) || id.String() != "github:42" {
		t.Errorf("got %+v %q; want github 42", id, id.String())
	}
}

func TestFailMessagesAreCatalogueTexts(t *testing.T) {
	a := newApp(t)
	gh := oauthtest.NewGitHub(t)
	s := a.use(gh.Provider(a.callbackURL("github")), 0, func(c *oauth.Config[string]) { c.Label = "GitHub" })
	if got := s.Label(); got != "GitHub" {
		t.Errorf("Label: got %q; want %q", got, "GitHub")
	}
	tests := []struct {
		name  string
		query func(state string) url.Values
		want  string
	}{
		{name: "nok, cancelled at the provider", query: func(st string) url.Values {
			return url.Values{"state": {st}, "error": {"access_denied"}}
		}, want: strategy.MsgSignInCancelled},
		{name: "nok, wrong state", query: func(string) url.Values {
			return url.Values{"state": {"forged"}, "code": {"x"}}
		}, want: strategy.MsgSignInFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			state := a.begin(t, "github", "").Query().Get("state")
			a.get(t, a.browser, a.callbackURL("github")+"?"+tt.query(state).Encode())
			res, err := a.outcome()
			if err != nil {
				t.Fatal(err)
			}
			if res.Kind != strategy.KindFail || res.Info.Message != tt.want {
				t.Errorf("got %s %q; want fail %q", res.Kind, res.Info.Message, tt.want)
			}
		})
	}
	t.Run("ok, Label defaults to the name", func(t *testing.T) {
		s := a.use(oauthtest.NewGitHub(t).Provider(a.callbackURL("github")), 0)
		if got := s.Label(); got != "github" {
			t.Errorf("Label: got %q; want %q", got, "github")
		}
	})
}
