package oauth_test

import (
	"context"
	"database/sql"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/markbates/goth"
	_ "modernc.org/sqlite"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/sqlstore"
	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/oauth"
	"github.com/gopassport/passport/strategy/oauth/oauthtest"
)

// app is a net/http app that runs oauth strategies on
// /auth/{name} and /auth/{name}/callback over a server-side session store,
// and a browser (a client with a cookie jar) to drive it.
type app struct {
	t       *testing.T
	srv     *httptest.Server
	browser *http.Client // follows redirects
	step    *http.Client // same jar, stops at the first redirect
	mgr     *session.Manager

	mu         sync.Mutex
	strategies map[string]*oauth.Strategy[string]
	last       strategy.Result[string]
	lastErr    error
	faults     *oauthtest.FaultLog // requests answered with a 500
	// requestTimeout, when set, bounds the context of every auth request.
	requestTimeout time.Duration
}

func newApp(t *testing.T) *app {
	t.Helper()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i + 1)
	}
	store, err := sqlstore.New(context.Background(), db, sqlstore.Config{Keys: [][]byte{key}, CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := session.New(session.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	a := &app{t: t, mgr: mgr, strategies: map[string]*oauth.Strategy[string]{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/auth/{name}", a.serveAuth)
	mux.HandleFunc("/auth/{name}/callback", a.serveAuth)
	mux.HandleFunc("GET /whoami", func(w http.ResponseWriter, r *http.Request) {
		s, _ := session.FromContext(r.Context())
		u, _ := s.Get("user")
		_, _ = io.WriteString(w, u)
	})
	inner := mgr.Middleware(mux)
	// 500 is a fault of ours; 502 and 503 are the provider's outage,
	// which tests assert where they expect it.
	a.faults = oauthtest.RecordFaults(inner)
	a.srv = httptest.NewServer(a.faults)
	t.Cleanup(a.srv.Close)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	a.browser = &http.Client{Jar: jar, Transport: &http.Transport{}, Timeout: 10 * time.Second}
	a.step = &http.Client{Jar: jar, Transport: a.browser.Transport, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t.Cleanup(a.closeIdle)
	return a
}

func (a *app) closeIdle() {
	a.browser.CloseIdleConnections()
}

// callbackURL is the callback of the strategy called name.
func (a *app) callbackURL(name string) string { return a.srv.URL + "/auth/" + name + "/callback" }

// use registers a strategy for provider under its name, with a Verify that
// returns "provider:subject", and a client with the given timeout (0: 5 s)
// on its own transport.
func (a *app) use(p goth.Provider, timeout time.Duration, edit ...func(*oauth.Config[string])) *oauth.Strategy[string] {
	a.t.Helper()
	if timeout == 0 {
		timeout = 5 * time.Second
	}
	client := &http.Client{Timeout: timeout, Transport: &http.Transport{}}
	a.t.Cleanup(client.CloseIdleConnections)
	cfg := oauth.Config[string]{
		Provider:   p,
		HTTPClient: client,
		Verify: func(_ context.Context, u goth.User) (string, error) {
			return oauth.IdentityOf(u).String(), nil
		},
	}
	for _, e := range edit {
		e(&cfg)
	}
	s, err := oauth.New(cfg)
	if err != nil {
		a.t.Fatal(err)
	}
	a.mu.Lock()
	a.strategies[s.Name()] = s
	a.mu.Unlock()
	return s
}

func (a *app) serveAuth(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	s, ok := a.strategies[r.PathValue("name")]
	a.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	a.mu.Lock()
	timeout := a.requestTimeout
	a.mu.Unlock()
	if timeout > 0 {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		r = r.WithContext(ctx)
	}
	res, err := s.Authenticate(r)
	a.mu.Lock()
	a.last, a.lastErr = res, err
	a.mu.Unlock()
	if err != nil {
		http.Error(w, "Internal Server Error", http.StatusInternalServerError)
		return
	}
	switch res.Kind {
	case strategy.KindRedirect:
		http.Redirect(w, r, res.Location, res.RedirectStatus())
	case strategy.KindSuccess:
		sess, _ := session.FromContext(r.Context())
		if err := sess.Regenerate(); err != nil {
			http.Error(w, "Internal Server Error", http.StatusInternalServerError)
			return
		}
		sess.Set("user", res.User)
		_, _ = io.WriteString(w, "signed in as "+res.User)
	case strategy.KindFail:
		http.Error(w, res.Info.Message, res.FailStatus())
	default:
		http.Error(w, "no outcome", http.StatusInternalServerError)
	}
}

// outcome returns the last result an auth route produced.
func (a *app) outcome() (strategy.Result[string], error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.last, a.lastErr
}

// checkNoFaults fails the test if any request was answered with a 500.
func (a *app) checkNoFaults(t *testing.T) {
	t.Helper()
	a.faults.Check(t)
}

// get sends a GET with the browser and returns the final status and body.
func (a *app) get(t *testing.T, client *http.Client, target string) (*http.Response, string) {
	t.Helper()
	resp, err := client.Get(target)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// begin starts a sign-in with name and returns the authorization request
// the app redirected to.
func (a *app) begin(t *testing.T, name, query string) *url.URL {
	t.Helper()
	target := a.srv.URL + "/auth/" + name
	if query != "" {
		target += "?" + query
	}
	resp, _ := a.get(t, a.step, target)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("begin: got %d; want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// authorize visits the provider's authorization URL and returns the
// callback URL it redirects to, without following it.
func (a *app) authorize(t *testing.T, authURL *url.URL) *url.URL {
	t.Helper()
	resp, _ := a.get(t, a.step, authURL.String())
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: got %d; want 302", resp.StatusCode)
	}
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return back
}

// whoami returns the user of the browser's session, "" when anonymous.
func (a *app) whoami(t *testing.T) string {
	t.Helper()
	_, body := a.get(t, a.browser, a.srv.URL+"/whoami")
	return body
}

// withQuery returns u with its query parameters changed: an empty value
// deletes the key.
func withQuery(u *url.URL, kv ...string) string {
	c := *u
	q := c.Query()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
		} else {
			q.Set(kv[i], kv[i+1])
		}
	}
	c.RawQuery = q.Encode()
	return c.String()
}
