package main

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopassport/passport/strategy/password"
)

// sessionCookie is the session manager's default cookie name.
const sessionCookie = "passport"

// testPassword is the password of the users the tests register.
const testPassword = "correct horse battery"

// testSecret is a SESSION_SECRET for tests that open cookies themselves.
const testSecret = "test secret of more than thirty-two bytes, not for production"

// cheapHasher keeps argon2id (the real code path) but with the smallest
// cost, so that tests that hash dozens of times stay fast under -race.
func cheapHasher() *password.Hasher { return &password.Hasher{Memory: 64, Iterations: 1} }

// testApp is the demo served by httptest on 127.0.0.1.
type testApp struct {
	*app
	srv  *httptest.Server
	once sync.Once
}

// stop shuts the server down and closes the app; it runs at the end of
// the test if the test did not call it.
func (ta *testApp) stop(t *testing.T) {
	ta.once.Do(func() {
		ta.srv.Close()
		if err := ta.close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
}

// newTestApp starts the demo with cfg; an empty DB is ":memory:".
func newTestApp(t *testing.T, cfg Config) *testApp {
	t.Helper()
	return startTestApp(t, cfg, false)
}

// startTestApp builds the app of cfg, with test defaults, and serves it;
// with withBaseURL, the server's address is the app's BaseURL (the social
// sign-in callbacks need it before the app is built).
func startTestApp(t *testing.T, cfg Config, withBaseURL bool) *testApp {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	if withBaseURL {
		cfg.BaseURL = "http://" + srv.Listener.Addr().String()
	}
	if cfg.DB == "" {
		cfg.DB = memoryDB
	}
	if cfg.hasher == nil {
		cfg.hasher = cheapHasher()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	a, err := buildApp(context.Background(), cfg)
	if err != nil {
		srv.Listener.Close()
		t.Fatalf("buildApp: %v", err)
	}
	srv.Config.Handler = a.e
	srv.Start()
	ta := &testApp{app: a, srv: srv}
	t.Cleanup(func() { ta.stop(t) })
	return ta
}

// countUsers returns how many users are registered.
func (ta *testApp) countUsers(t *testing.T) int {
	t.Helper()
	var n int
	if err := ta.db.QueryRowContext(t.Context(), `SELECT count(*) FROM users`).Scan(&n); err != nil {
		t.Fatalf("counting users: %v", err)
	}
	return n
}

// passwordHash returns the stored hash of the user with email.
func (ta *testApp) passwordHash(t *testing.T, email string) string {
	t.Helper()
	var h string
	err := ta.db.queryRow(t.Context(), `SELECT password_hash FROM users WHERE email_key = ?`, emailKey(email)).Scan(&h)
	if err != nil && err != sql.ErrNoRows {
		t.Fatalf("reading hash: %v", err)
	}
	return h
}

// response is what a browser got back.
type response struct {
	status int
	header http.Header
	body   string
}

// location is the redirect target.
func (r response) location() string { return r.header.Get("Location") }

// browser is one visitor: a cookie jar and a client that does not follow
// redirects, so tests see every 302.
type browser struct {
	t    *testing.T
	ta   *testApp
	jar  *cookiejar.Jar
	http *http.Client
}

// browser returns a new visitor with an empty cookie jar.
func (ta *testApp) browser(t *testing.T) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, ta: ta, jar: jar, http: &http.Client{
		Jar:           jar,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// browserAccept is the Accept header a browser sends for a page, which
// passport.ErrorHandler answers with the HTML error page.
const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

// do sends req as a browser would: with a browser's Accept header unless
// req has one.
func (b *browser) do(req *http.Request) response {
	b.t.Helper()
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", browserAccept)
	}
	res, err := b.http.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatalf("%s %s: reading body: %v", req.Method, req.URL.Path, err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(body)}
}

// get fetches path.
func (b *browser) get(path string) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, b.ta.srv.URL+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post sends form to path as it is (no CSRF token added).
func (b *browser) post(path string, form url.Values) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.ta.srv.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// csrf fetches page and returns the _csrf token of its form.
func (b *browser) csrf(page string) string {
	b.t.Helper()
	res := b.get(page)
	if res.status != http.StatusOK {
		b.t.Fatalf("GET %s: got status %d; want 200", page, res.status)
	}
	m := csrfRE.FindStringSubmatch(res.body)
	if m == nil {
		b.t.Fatalf("GET %s: no _csrf field in the page", page)
	}
	return m[1]
}

// submit fetches page, takes its CSRF token and posts form to action, as a
// browser that filled the form in would.
func (b *browser) submit(page, action string, form url.Values) response {
	b.t.Helper()
	tok := b.csrf(page)
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set("_csrf", tok)
	return b.post(action, f)
}

// register registers a user and checks it landed logged in.
func (b *browser) register(name, email, password string) {
	b.t.Helper()
	res := b.submit("/sessions/register", "/sessions/register", url.Values{
		"name": {name}, "email": {email}, "password": {password}, "password1": {password},
	})
	if res.status != http.StatusFound || res.location() != "/" {
		b.t.Fatalf("register %s: got %d %q; want 302 to /\n%s", email, res.status, res.location(), res.body)
	}
}

// logon logs on and returns the response of the POST.
func (b *browser) logon(email, password string) response {
	b.t.Helper()
	return b.submit("/sessions/logon", "/sessions/logon", url.Values{"email": {email}, "password": {password}})
}

// logoff logs off from the home page.
func (b *browser) logoff() response {
	b.t.Helper()
	return b.submit("/", "/sessions/logoff", nil)
}

// cookie returns the value of the jar's cookie called name, "" if none.
func (b *browser) cookie(name string) string {
	b.t.Helper()
	u, err := url.Parse(b.ta.srv.URL)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// setCookie puts a cookie into the jar, replacing one of the same name.
func (b *browser) setCookie(name, value string) {
	b.t.Helper()
	u, err := url.Parse(b.ta.srv.URL)
	if err != nil {
		b.t.Fatal(err)
	}
	b.jar.SetCookies(u, []*http.Cookie{{Name: name, Value: value, Path: "/"}})
}

// withSession returns a new visitor that carries only the given session
// cookie value (a copy of another visitor's cookie).
func (ta *testApp) withSession(t *testing.T, value string) *browser {
	t.Helper()
	b := ta.browser(t)
	b.setCookie(sessionCookie, value)
	return b
}

// loggedOnAs reports the name on the home page, "" for nobody. A non-200
// home page fails the test.
func (b *browser) loggedOnAs() string {
	b.t.Helper()
	res := b.get("/")
	if res.status != http.StatusOK {
		b.t.Fatalf("GET /: got status %d; want 200\n%s", res.status, res.body)
	}
	m := regexp.MustCompile(`User (.+?) is logged on\.`).FindStringSubmatch(res.body)
	if m == nil {
		if !strings.Contains(res.body, "Nobody is logged on.") {
			b.t.Fatalf("GET /: neither a user nor nobody:\n%s", res.body)
		}
		return ""
	}
	return m[1]
}

// secretWord returns the word on /secretWord, failing when the page is
// not shown.
func (b *browser) secretWord() string {
	b.t.Helper()
	res := b.get("/secretWord")
	if res.status != http.StatusOK {
		b.t.Fatalf("GET /secretWord: got status %d; want 200", res.status)
	}
	m := regexp.MustCompile(`The secret word is: <strong>(.*?)</strong>`).FindStringSubmatch(res.body)
	if m == nil {
		b.t.Fatalf("GET /secretWord: no secret word in the page:\n%s", res.body)
	}
	return m[1]
}
