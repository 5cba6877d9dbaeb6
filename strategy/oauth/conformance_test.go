package oauth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/markbates/goth"
	"go.uber.org/goleak"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/oauth"
	"github.com/gopassport/passport/strategy/oauth/oauthtest"
	"github.com/gopassport/passport/strategy/strategytest"
)

func TestConformance(t *testing.T) {
	gh := oauthtest.NewGitHub(t)
	const code = "conformance-code"
	gh.AllowCode(code)
	store, err := session.NewCookieStore(make32())
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := session.New(session.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{}}
	t.Cleanup(client.CloseIdleConnections)
	cb := "https://app.example.test/auth/github/callback"
	build := func(tb testing.TB) *oauth.Strategy[string] {
		s, err := oauth.New(oauth.Config[string]{
			Provider:   gh.Provider(cb),
			HTTPClient: client,
			Verify:     func(_ context.Context, u goth.User) (string, error) { return oauth.IdentityOf(u).String(), nil },
		})
		if err != nil {
			tb.Fatal(err)
		}
		return s
	}
	// bind gives a request that carries no session a fresh one, as the
	// Session middleware would.
	bind := func(s strategy.Strategy[string]) strategy.Strategy[string] {
		return strategy.Func[string](func(r *http.Request) (strategy.Result[string], error) {
			if _, ok := session.FromContext(r.Context()); !ok {
				sess := mgr.Bind(httptest.NewRecorder(), r)
				r = r.WithContext(session.NewContext(r.Context(), sess))
				sess.SetRequest(r)
			}
			return s.Authenticate(r)
		})
	}

	// A handshake as the begin leg leaves it, and its state.
	begin := httptest.NewRequest(http.MethodGet, "/auth/github", nil)
	sess := mgr.Bind(httptest.NewRecorder(), begin)
	begin = begin.WithContext(session.NewContext(begin.Context(), sess))
	sess.SetRequest(begin)
	o := strategytest.Run(t, build(t), begin)
	if o.Result.Kind != strategy.KindRedirect {
		t.Fatalf("begin: got %s; want a redirect", o)
	}
	loc, err := url.Parse(o.Result.Location)
	if err != nil {
		t.Fatal(err)
	}
	state := loc.Query().Get("state")
	raw, ok := sess.Get(oauth.SessionKeyPrefix + "github")
	if !ok {
		t.Fatal("begin stored no handshake")
	}
	// inFlight puts a fresh session holding that handshake into every
	// request built, as a browser that just came back from GitHub.
	inFlight := func(ctx context.Context) context.Context {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		s := mgr.Bind(httptest.NewRecorder(), r)
		s.Set(oauth.SessionKeyPrefix+"github", raw)
		return session.NewContext(ctx, s)
	}
	callback := func(q url.Values) *strategytest.RequestBuilder {
		return strategytest.NewRequest(http.MethodGet, "/auth/github/callback").Query(q).WithContext(inFlight)
	}

	strategytest.Conformance(t, func(tb testing.TB) strategy.Strategy[string] { return bind(build(tb)) }, strategytest.ConformanceCases{
		Good: []strategytest.Case{
			{Name: "callback", Request: callback(url.Values{"state": {state}, "code": {code}})},
			{Name: "form_post callback", Request: strategytest.NewRequest(http.MethodPost, "/auth/github/callback").
				Form(url.Values{"state": {state}, "code": {code}}).WithContext(inFlight)},
		},
		Bad: []strategytest.Case{
			{Name: "no handshake", Request: strategytest.NewRequest(http.MethodGet, "/auth/github/callback").Query(url.Values{"state": {state}, "code": {code}})},
			{Name: "no state", Request: callback(url.Values{"code": {code}})},
			{Name: "wrong state", Request: callback(url.Values{"state": {strings.Repeat("x", 43)}, "code": {code}})},
			{Name: "access denied", Request: callback(url.Values{"state": {state}, "error": {"access_denied"}, "error_description": {"<script>alert(1)</script>"}})},
			{Name: "repeated state", Request: callback(url.Values{"state": {state, state}, "code": {code}})},
			{Name: "no code", Request: callback(url.Values{"state": {state}})},
			{Name: "unknown code", Request: callback(url.Values{"state": {state}, "code": {"nope"}})},
		},
		Hostile: []strategytest.Case{
			{Name: "callback with garbage escapes", Request: strategytest.NewRequest(http.MethodGet, "/auth/github/callback?state=%ff%00&code=%zz").WithContext(inFlight)},
			{Name: "callback with an oversized code", Request: callback(url.Values{"state": {state}, "code": {strings.Repeat("c", 1<<20)}})},
			{Name: "form_post with a 1 MiB body", Request: strategytest.NewRequest(http.MethodPost, "/auth/github/callback").
				Body("application/x-www-form-urlencoded", []byte("state="+strings.Repeat("s", (1<<20)))).WithContext(inFlight)},
			{Name: "callback with redirect_uri and code_verifier", Request: callback(url.Values{"state": {state}, "code": {code},
				"redirect_uri": {"https://evil.test/"}, "code_verifier": {"x"}})},
			{Name: "begin with a hostile return_to", Request: strategytest.NewRequest(http.MethodGet, "/auth/github?return_to=%2F%2Fevil.test")},
		},
	})
}

// TestNoGoroutineLeakAfterFaults runs every fault once, then checks that
// the goroutines they started (HTTP connections, stalled requests, key
// fetches) have all ended. The check is scoped: goroutines that ran before
// the faults (the fake providers' servers, other tests' leftovers) are
// ignored, and goleak retries until the ending ones are gone instead of
// the test sleeping. The fake providers are real loopback servers, which
// a testing/synctest bubble cannot host.
func TestNoGoroutineLeakAfterFaults(t *testing.T) {
	a := newApp(t)
	gh := oauthtest.NewGitHub(t)
	op := oauthtest.NewOIDC(t)
	ghs := a.use(gh.Provider(a.callbackURL("github")), 200*time.Millisecond)
	// The strategy's own exchange and goth's profile request, with PKCE.
	gh2 := a.use(gh.Provider(a.callbackURL("github2")), 200*time.Millisecond, func(c *oauth.Config[string]) {
		c.Name = "github2"
		c.OAuth2 = gh.OAuth2(a.callbackURL("github2"))
	})
	p, err := op.Provider("oidc", a.callbackURL("oidc"))
	if err != nil {
		t.Fatal(err)
	}
	ops := a.use(p, 200*time.Millisecond)
	closeIdle := func() {
		a.browser.CloseIdleConnections()
		ghs.HTTPClient().CloseIdleConnections()
		gh2.HTTPClient().CloseIdleConnections()
		ops.HTTPClient().CloseIdleConnections()
	}
	// Warm up (discovery, keys), then take the baseline.
	for _, name := range []string{"github", "github2", "oidc"} {
		if resp, _ := a.get(t, a.browser, a.srv.URL+"/auth/"+name); resp.StatusCode != http.StatusOK {
			t.Fatalf("warm-up %s: got %d; want 200", name, resp.StatusCode)
		}
	}
	closeIdle()
	baseline := goleak.IgnoreCurrent()

	for _, f := range []oauthtest.Fault{oauthtest.Fault500, oauthtest.FaultStall, oauthtest.FaultMalformedJSON, oauthtest.FaultNoAccessToken} {
		gh.SetTokenFault(f)
		op.SetTokenFault(f)
		a.get(t, a.browser, a.srv.URL+"/auth/github")
		a.get(t, a.browser, a.srv.URL+"/auth/github2")
		a.get(t, a.browser, a.srv.URL+"/auth/oidc")
	}
	gh.SetTokenFault(oauthtest.NoFault)
	for _, f := range []oauthtest.Fault{oauthtest.Fault500, oauthtest.FaultStall, oauthtest.FaultMalformedJSON} {
		gh.SetProfileFault(f)
		op.SetUserinfoFault(f)
		a.get(t, a.browser, a.srv.URL+"/auth/github2")
		a.get(t, a.browser, a.srv.URL+"/auth/oidc")
	}
	gh.SetProfileFault(oauthtest.NoFault)
	op.SetUserinfoFault(oauthtest.NoFault)
	op.SetTokenFault(oauthtest.NoFault)
	for _, f := range []oauthtest.IDTokenFault{oauthtest.IDTokenBadSignature, oauthtest.IDTokenWrongNonce, oauthtest.IDTokenExpired, oauthtest.IDTokenAlgNone} {
		op.SetIDTokenFault(f)
		a.get(t, a.browser, a.srv.URL+"/auth/oidc")
	}
	gh.SetDeny("<script>")
	a.get(t, a.browser, a.srv.URL+"/auth/github")
	a.get(t, a.browser, a.callbackURL("github")+"?state=x&code=y")
	a.checkNoFaults(t)

	closeIdle()
	goleak.VerifyNone(t, baseline)
}
