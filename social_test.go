package passport_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/markbates/goth"
	"go.uber.org/goleak"
	_ "modernc.org/sqlite"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/providers"
	"github.com/gopassport/passport/providers/devoidc"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/sqlstore"
	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/oauth"
	"github.com/gopassport/passport/strategy/oauth/oauthtest"
)

// socialUser is a user of the social test app.
type socialUser struct {
	ID    string
	Email string
}

// socialApp is an Echo app with social sign-in on /auth/<name> (log in)
// and /connect/<name> (link to the logged-in account), sessions in SQLite
// (server-side), and two browsers.
type socialApp struct {
	t        *testing.T
	e        *echo.Echo
	auth     *passport.Authenticator[*socialUser]
	srv      *httptest.Server
	base     string
	cat      *providers.Catalogue
	client   *http.Client // the strategies' outbound client
	browser  *http.Client // follows redirects
	step     *http.Client // same jar, stops at redirects
	gh       *oauthtest.GitHub
	goog     *oauthtest.Google
	op       *oauthtest.OIDC
	audit    *lockedBuffer // the audit log, JSON lines
	dev      *devoidc.Server
	mu       sync.Mutex
	users    map[string]*socialUser
	idents   map[oauth.Identity]string // identity → user ID
	faults   *oauthtest.FaultLog
	nextUser int
}

// newSocialApp starts the app with the fake GitHub ("github", and
// "github-link" for linking), the fake OIDC provider ("oidc") and devoidc
// ("devoidc"), with outbound calls timing out after timeout.
func newSocialApp(t *testing.T, timeout time.Duration) *socialApp {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := &socialApp{t: t, base: "http://" + ln.Addr().String(), users: map[string]*socialUser{}, idents: map[oauth.Identity]string{}, audit: &lockedBuffer{}}
	a.users["alice"] = &socialUser{ID: "alice", Email: "octo@example.test"}

	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(200 - i)
	}
	store, err := sqlstore.New(context.Background(), db, sqlstore.Config{Keys: [][]byte{key}, CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := session.New(session.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	a.auth, err = passport.New(passport.Config[*socialUser]{
		Sessions:  mgr,
		Serialize: func(u *socialUser) (string, error) { return u.ID, nil },
		Deserialize: func(_ context.Context, id string) (*socialUser, error) {
			a.mu.Lock()
			defer a.mu.Unlock()
			if u, ok := a.users[id]; ok {
				return u, nil
			}
			return nil, passport.ErrUserNotFound
		},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Audit:  slog.New(slog.NewJSONHandler(a.audit, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}

	// goth's google provider asks www.googleapis.com for the profile: the
	// imitation's transport answers for it.
	a.goog = oauthtest.NewGoogle(t)
	a.goog.SetRequirePKCE(true)
	a.client = &http.Client{Timeout: timeout, Transport: a.goog.Client().Transport}
	t.Cleanup(a.client.CloseIdleConnections)
	a.cat, err = providers.New(t.Context(), providers.Config{BaseURL: a.base, HTTPClient: a.client})
	if err != nil {
		t.Fatal(err)
	}
	// goth's github and google providers, with the imitations' OAuth2
	// clients: the strategy exchanges the code (PKCE, which the imitations
	// require), goth fetches the profile.
	a.gh = oauthtest.NewGitHub(t)
	a.gh.SetRequirePKCE(true)
	if err := a.cat.Add(providers.Provider{Name: "github", Goth: a.gh.Provider(a.cat.CallbackURL("github")),
		OAuth2: a.gh.OAuth2(a.cat.CallbackURL("github")), Display: providers.GitHubDisplay()}); err != nil {
		t.Fatal(err)
	}
	if err := a.cat.Add(providers.Provider{Name: "google", Goth: a.goog.Provider(a.cat.CallbackURL("google")),
		OAuth2: a.goog.OAuth2(a.cat.CallbackURL("google")), Display: providers.GoogleDisplay()}); err != nil {
		t.Fatal(err)
	}
	a.op = oauthtest.NewOIDC(t)
	a.op.SetRequirePKCE(true)
	oidcP, err := a.op.Provider("oidc", a.cat.CallbackURL("oidc"))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.cat.Add(providers.Provider{Name: "oidc", Goth: oidcP}); err != nil {
		t.Fatal(err)
	}
	a.dev, err = devoidc.Start(devoidc.Config{Enabled: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.dev.Close() })
	if err := a.dev.AddTo(a.cat); err != nil {
		t.Fatal(err)
	}
	if err := providers.Register(a.cat, a.auth.Use, a.signIn); err != nil {
		t.Fatal(err)
	}
	// Linking: its own strategy (its own callback URL), the same identity
	// provider name.
	link, err := oauth.New(oauth.Config[*socialUser]{
		Provider:         a.gh.Provider(a.base + "/connect/github-link/callback"),
		OAuth2:           a.gh.OAuth2(a.base + "/connect/github-link/callback"),
		Name:             "github-link",
		IdentityProvider: "github",
		Label:            "GitHub",
		HTTPClient:       a.client,
		Verify:           a.link,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.auth.Use("github-link", link); err != nil {
		t.Fatal(err)
	}
	// A route without a failure redirect: the outcome's status is the
	// response's.
	plain, err := oauth.New(oauth.Config[*socialUser]{
		Provider:   a.gh.Provider(a.base + "/plain/github-plain/callback"),
		OAuth2:     a.gh.OAuth2(a.base + "/plain/github-plain/callback"),
		Name:       "github-plain",
		Label:      "GitHub",
		HTTPClient: a.client,
		Verify:     a.signIn,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.auth.Use("github-plain", plain); err != nil {
		t.Fatal(err)
	}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(a.auth.Session())
	if err := a.auth.MountOAuth(e.Group("/auth"), a.cat.Names(),
		passport.SuccessReturnToOrRedirect("/"), passport.FailureRedirect("/login"), passport.FailureFlash("")); err != nil {
		t.Fatal(err)
	}
	if err := a.auth.MountOAuth(e.Group("/plain"), []string{"github-plain"}, passport.SuccessRedirect("/")); err != nil {
		t.Fatal(err)
	}
	if err := a.auth.MountOAuth(e.Group("/connect"), []string{"github-link"},
		passport.AssignTo("linked"), passport.SuccessRedirect("/account"), passport.FailureRedirect("/account"), passport.FailureFlash("")); err != nil {
		t.Fatal(err)
	}
	e.GET("/", func(c echo.Context) error {
		if u, ok := a.auth.User(c); ok {
			return c.String(http.StatusOK, "home:"+u.ID)
		}
		return c.String(http.StatusOK, "home:anonymous")
	})
	e.GET("/secret", func(c echo.Context) error { return c.String(http.StatusOK, "secret") }, a.auth.RequireLoginWithConfig(passport.RequireLoginConfig{LoginURL: "/login"}))
	e.GET("/login", func(c echo.Context) error {
		s, _ := passport.SessionFrom(c)
		return c.String(http.StatusOK, "login:"+strings.Join(s.Flashes("error"), "|"))
	})
	e.GET("/account", func(c echo.Context) error {
		u, ok := a.auth.User(c)
		if !ok {
			s, _ := passport.SessionFrom(c)
			return c.String(http.StatusOK, fmt.Sprintf("account:anonymous errors:%q", s.Flashes("error")))
		}
		a.mu.Lock()
		var linked []string
		for id, uid := range a.idents {
			if uid == u.ID {
				linked = append(linked, id.String())
			}
		}
		a.mu.Unlock()
		s, _ := passport.SessionFrom(c)
		return c.String(http.StatusOK, fmt.Sprintf("account:%s linked:%v errors:%q", u.ID, linked, s.Flashes("error")))
	})
	e.GET("/whoami", func(c echo.Context) error {
		s, _ := passport.SessionFrom(c)
		key, hasKey := s.Get(passport.UserKey)
		return c.String(http.StatusOK, fmt.Sprintf("key=%q has=%v", key, hasKey))
	})
	e.POST("/test-login", func(c echo.Context) error {
		a.mu.Lock()
		u := a.users[c.FormValue("id")]
		a.mu.Unlock()
		if u == nil {
			return echo.ErrNotFound
		}
		if err := a.auth.Login(c, u); err != nil {
			return err
		}
		return c.Redirect(http.StatusFound, "/")
	})
	e.POST("/provider-logout", func(c echo.Context) error {
		target, err := a.auth.ProviderLogout(c, a.base+"/")
		if err != nil {
			return err
		}
		if target == "" {
			target = "/"
		}
		return c.Redirect(http.StatusSeeOther, target)
	})
	e.POST("/logout", func(c echo.Context) error {
		if err := a.auth.Logout(c); err != nil {
			return err
		}
		return c.Redirect(http.StatusFound, "/")
	})
	a.e = e
	// 500 is a fault of ours; 502 and 503 are a provider's outage, which
	// the tests that cause one check.
	a.faults = oauthtest.RecordFaults(e)
	a.srv = httptest.NewUnstartedServer(a.faults)
	a.srv.Listener.Close()
	a.srv.Listener = ln
	a.srv.Start()
	t.Cleanup(a.srv.Close)
	a.browser, a.step = newBrowser(t)
	return a
}

// lockedBuffer is a bytes.Buffer safe for concurrent use.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// newBrowser returns two clients on one cookie jar: one follows
// redirects, the other stops at the first.
func newBrowser(t *testing.T) (follow, step *http.Client) {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	follow = &http.Client{Jar: jar, Transport: tr, Timeout: 10 * time.Second}
	step = &http.Client{Jar: jar, Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return follow, step
}

// signIn is the login Verify: the user who owns the identity, or a new
// one. Never by e-mail.
func (a *socialApp) signIn(_ context.Context, gu goth.User) (*socialUser, error) {
	id := oauth.IdentityOf(gu)
	a.mu.Lock()
	defer a.mu.Unlock()
	if uid, ok := a.idents[id]; ok {
		return a.users[uid], nil
	}
	a.nextUser++
	u := &socialUser{ID: fmt.Sprintf("u%d", a.nextUser), Email: gu.Email}
	a.users[u.ID] = u
	a.idents[id] = u.ID
	return u, nil
}

// link is the linking Verify: the identity joins the logged-in user.
func (a *socialApp) link(ctx context.Context, gu goth.User) (*socialUser, error) {
	cur, ok, err := strategy.CurrentUser[*socialUser](ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("log in first: %w", strategy.ErrUserNotFound)
	}
	id := oauth.IdentityOf(gu)
	a.mu.Lock()
	defer a.mu.Unlock()
	if owner, taken := a.idents[id]; taken && owner != cur.ID {
		return nil, fmt.Errorf("identity belongs to another user: %w", strategy.ErrInvalidCredentials)
	}
	a.idents[id] = cur.ID
	return cur, nil
}

func (a *socialApp) visit(t *testing.T, c *http.Client, target string) (*http.Response, string) {
	t.Helper()
	if strings.HasPrefix(target, "/") {
		target = a.base + target
	}
	resp, err := c.Get(target)
	if err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (a *socialApp) post(t *testing.T, c *http.Client, path string, form url.Values) string {
	t.Helper()
	resp, err := c.PostForm(a.base+path, form)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// begin starts a sign-in and returns where the app sent the browser.
func (a *socialApp) begin(t *testing.T, path string) *url.URL {
	t.Helper()
	resp, _ := a.visit(t, a.step, path)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("begin %s: got %d; want 302", path, resp.StatusCode)
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// consent visits the provider's authorization URL and returns the
// callback URL it sends the browser back to.
func (a *socialApp) consent(t *testing.T, authURL *url.URL) *url.URL {
	t.Helper()
	resp, _ := a.visit(t, a.step, authURL.String())
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: got %d; want 302", resp.StatusCode)
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// loggedOut checks that the browser's session holds no user.
func (a *socialApp) loggedOut(t *testing.T, c *http.Client) {
	t.Helper()
	if _, body := a.visit(t, c, "/whoami"); body != `key="" has=false` {
		t.Errorf("session: got %s; want no user key", body)
	}
	if _, body := a.visit(t, c, "/"); body != "home:anonymous" {
		t.Errorf("home: got %q; want home:anonymous", body)
	}
}

func (a *socialApp) checkNoFaults(t *testing.T) {
	t.Helper()
	a.faults.Check(t)
}

func setQuery(u *url.URL, kv ...string) string {
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

func TestSocialSignIn(t *testing.T) {
	a := newSocialApp(t, 5*time.Second)
	tests := []struct {
		name, start, wantPage string
		tokens                func() int
	}{
		{"ok, devoidc (mockoidc, a real OIDC server)", "/auth/devoidc", "home:u1", a.dev.TokenRequests},
		{"ok, GitHub imitation, back to the page asked for", "/auth/github?return_to=%2Fsecret", "secret", a.gh.TokenCalls},
		{"ok, OIDC provider", "/auth/oidc", "home:u3", a.op.TokenCalls},
		{"ok, goth's google provider against the Google imitation", "/auth/google", "home:u4", a.goog.TokenCalls},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a.browser, a.step = newBrowser(t)
			resp, body := a.visit(t, a.browser, tt.start)
			if resp.StatusCode != http.StatusOK || body != tt.wantPage {
				t.Fatalf("got %d %q; want 200 %q", resp.StatusCode, body, tt.wantPage)
			}
			if _, who := a.visit(t, a.browser, "/whoami"); !strings.Contains(who, "has=true") {
				t.Errorf("session: got %s; want a user key", who)
			}
			if got := tt.tokens(); got != 1 {
				t.Errorf("token endpoint calls: got %d; want 1", got)
			}
		})
	}
	// The same identity signs the same user in again; another identity
	// with the same e-mail address is another user.
	a.browser, a.step = newBrowser(t)
	if _, body := a.visit(t, a.browser, "/auth/devoidc"); body != "home:u1" {
		t.Errorf("second devoidc sign-in: got %q; want home:u1", body)
	}
	a.checkNoFaults(t)
}

func TestSocialSignInFailures(t *testing.T) {
	type calls struct{ min, max int }
	tests := []struct {
		name string
		// run drives the browser and returns the token endpoint whose
		// calls are counted.
		run    func(t *testing.T, a *socialApp) func() int
		tokens calls
	}{
		{
			name: "nok, callback without state",
			run: func(t *testing.T, a *socialApp) func() int {
				a.visit(t, a.browser, setQuery(a.consent(t, a.begin(t, "/auth/github")), "state", ""))
				return a.gh.TokenCalls
			},
		},
		{
			name: "nok, mismatched state",
			run: func(t *testing.T, a *socialApp) func() int {
				a.visit(t, a.browser, setQuery(a.consent(t, a.begin(t, "/auth/github")), "state", strings.Repeat("Z", 43)))
				return a.gh.TokenCalls
			},
		},
		{
			name: "nok, caller-chosen state at begin is ignored",
			run: func(t *testing.T, a *socialApp) func() int {
				authURL := a.begin(t, "/auth/github?state=attacker")
				if authURL.Query().Get("state") == "attacker" {
					t.Error("the caller's state reached the provider")
				}
				a.visit(t, a.browser, setQuery(a.consent(t, authURL), "state", "attacker"))
				return a.gh.TokenCalls
			},
		},
		{
			name: "nok, error=access_denied with a script description",
			run: func(t *testing.T, a *socialApp) func() int {
				a.gh.SetDeny(`<script>alert("pwned")</script>`)
				resp, body := a.visit(t, a.browser, "/auth/github")
				if resp.Request.URL.Path != "/login" || body != "login:Sign-in was cancelled." {
					t.Errorf("got %s %q; want /login with a generic message", resp.Request.URL.Path, body)
				}
				return a.gh.TokenCalls
			},
		},
		{
			name: "nok, state from provider A at provider B's callback",
			run: func(t *testing.T, a *socialApp) func() int {
				back := a.consent(t, a.begin(t, "/auth/github"))
				a.begin(t, "/auth/devoidc") // B's own flow is in progress
				b := setQuery(back, "state", back.Query().Get("state"))
				a.visit(t, a.browser, strings.Replace(b, "/auth/github/callback", "/auth/devoidc/callback", 1))
				return a.dev.TokenRequests
			},
		},
		{
			name: "nok, replayed callback",
			run: func(t *testing.T, a *socialApp) func() int {
				back := a.consent(t, a.begin(t, "/auth/github"))
				u, _ := url.Parse(a.base)
				stolen := a.browser.Jar.Cookies(u)
				// The victim completes the sign-in: one exchange.
				victim := a.browser
				if _, body := a.visit(t, victim, back.String()); body != "home:u1" {
					t.Fatalf("first callback: got %q; want home:u1", body)
				}
				// The attacker replays it with the pre-login cookie.
				a.browser, a.step = newBrowser(t)
				a.browser.Jar.SetCookies(u, stolen)
				resp, _ := a.visit(t, a.browser, back.String())
				if resp.Request.URL.Path != "/login" {
					t.Errorf("replay: ended on %s; want /login", resp.Request.URL.Path)
				}
				// And the victim's browser replays it too.
				a.visit(t, victim, back.String())
				return a.gh.TokenCalls
			},
			tokens: calls{1, 1},
		},
		{
			name: "nok, token endpoint 500",
			run: func(t *testing.T, a *socialApp) func() int {
				a.gh.SetTokenFault(oauthtest.Fault500)
				a.visit(t, a.browser, "/auth/github")
				return a.gh.TokenCalls
			},
			tokens: calls{1, 1},
		},
		{
			name: "nok, token endpoint stalls past the timeout",
			run: func(t *testing.T, a *socialApp) func() int {
				a.gh.SetTokenFault(oauthtest.FaultStall)
				a.visit(t, a.browser, "/auth/github")
				return a.gh.TokenCalls
			},
			tokens: calls{1, 1},
		},
		{
			name: "nok, token endpoint malformed JSON",
			run: func(t *testing.T, a *socialApp) func() int {
				a.op.SetTokenFault(oauthtest.FaultMalformedJSON)
				a.visit(t, a.browser, "/auth/oidc")
				return a.op.TokenCalls
			},
			tokens: calls{1, 1},
		},
	}
	for _, f := range []oauthtest.IDTokenFault{
		oauthtest.IDTokenBadSignature, oauthtest.IDTokenWrongNonce, oauthtest.IDTokenWrongAudience,
		oauthtest.IDTokenExpired, oauthtest.IDTokenAlgNone,
	} {
		tests = append(tests, struct {
			name   string
			run    func(t *testing.T, a *socialApp) func() int
			tokens calls
		}{
			name: "nok, " + f.String(),
			run: func(t *testing.T, a *socialApp) func() int {
				a.op.SetIDTokenFault(f)
				a.visit(t, a.browser, "/auth/oidc")
				return a.op.TokenCalls
			},
			tokens: calls{1, 1},
		})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newSocialApp(t, 300*time.Millisecond)
			tokens := tt.run(t, a)
			if got := tokens(); got < tt.tokens.min || got > tt.tokens.max {
				t.Errorf("token endpoint calls: got %d; want %d to %d", got, tt.tokens.min, tt.tokens.max)
			}
			a.loggedOut(t, a.browser)
			// Whatever was shown never echoes the provider's words.
			if _, body := a.visit(t, a.browser, "/login"); strings.Contains(body, "<") || strings.Contains(body, "pwned") {
				t.Errorf("login page: got %q", body)
			}
			a.checkNoFaults(t)
		})
	}
}

// TestSocialOutage: a provider that stalls or fails is a 503 or 502 with
// the generic message, not a 401 that blames the user; no session, the
// handshake consumed, one token request, bounded by the client's timeout.
func TestSocialOutage(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(a *socialApp)
		wantStatus int
		wantTokens int
	}{
		{"nok, token endpoint 500", func(a *socialApp) { a.gh.SetTokenFault(oauthtest.Fault500) }, http.StatusBadGateway, 1},
		{"nok, token endpoint stalls", func(a *socialApp) { a.gh.SetTokenFault(oauthtest.FaultStall) }, http.StatusServiceUnavailable, 1},
		{"nok, token endpoint malformed JSON", func(a *socialApp) { a.gh.SetTokenFault(oauthtest.FaultMalformedJSON) }, http.StatusBadGateway, 1},
		{"nok, profile endpoint 500", func(a *socialApp) { a.gh.SetProfileFault(oauthtest.Fault500) }, http.StatusBadGateway, 1},
		{"nok, profile endpoint stalls", func(a *socialApp) { a.gh.SetProfileFault(oauthtest.FaultStall) }, http.StatusServiceUnavailable, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newSocialApp(t, 300*time.Millisecond)
			tt.setup(a)
			back := a.consent(t, a.begin(t, "/plain/github-plain"))
			resp, body := a.visit(t, a.browser, back.String())
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status: got %d; want %d", resp.StatusCode, tt.wantStatus)
			}
			if want := "Could not sign in. Please try again."; !strings.Contains(body, want) || strings.Contains(body, "127.0.0.1") {
				t.Errorf("body: got %q; want the generic %q and nothing else of the provider's", body, want)
			}
			if got := a.gh.TokenCalls(); got != tt.wantTokens {
				t.Errorf("token endpoint calls: got %d; want %d", got, tt.wantTokens)
			}
			a.loggedOut(t, a.browser)
			// The handshake was consumed: the same callback is now a 401.
			if resp, _ := a.visit(t, a.browser, back.String()); resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("callback again: got %d; want 401", resp.StatusCode)
			}
			if got := a.gh.TokenCalls(); got != tt.wantTokens {
				t.Errorf("token endpoint calls after the replay: got %d; want %d", got, tt.wantTokens)
			}
		})
	}
}

// TestSocialFailureAudit: why a social sign-in failed is in the audit
// log, with the provider, and never the code, the state or a token.
func TestSocialFailureAudit(t *testing.T) {
	tests := []struct {
		name       string
		provider   string
		run        func(t *testing.T, a *socialApp) (callback *url.URL)
		wantReason string
		wantStatus int
	}{
		{"nok, access denied", "github", func(t *testing.T, a *socialApp) *url.URL {
			a.gh.SetDeny("denied <b>by</b> user")
			return a.consent(t, a.begin(t, "/auth/github"))
		}, "the provider refused the sign-in", 401},
		{"nok, mismatched state", "github", func(t *testing.T, a *socialApp) *url.URL {
			back := a.consent(t, a.begin(t, "/auth/github"))
			q := back.Query()
			q.Set("state", strings.Repeat("Q", 43))
			back.RawQuery = q.Encode()
			return back
		}, "state missing or mismatched", 401},
		{"nok, token endpoint 500", "github", func(t *testing.T, a *socialApp) *url.URL {
			a.gh.SetTokenFault(oauthtest.Fault500)
			return a.consent(t, a.begin(t, "/auth/github"))
		}, "code exchange failed", 502},
		{"nok, Google's profile endpoint stalls (goth puts the token in its URL)", "google", func(t *testing.T, a *socialApp) *url.URL {
			a.goog.SetProfileFault(oauthtest.FaultStall)
			return a.consent(t, a.begin(t, "/auth/google"))
		}, "fetching the profile failed", 503},
		{"nok, ID token for another audience", "oidc", func(t *testing.T, a *socialApp) *url.URL {
			a.op.SetIDTokenFault(oauthtest.IDTokenWrongAudience)
			return a.consent(t, a.begin(t, "/auth/oidc"))
		}, "invalid ID token", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newSocialApp(t, 300*time.Millisecond)
			back := tt.run(t, a)
			a.visit(t, a.browser, back.String())
			var rec struct {
				Event      string   `json:"event"`
				Strategies []string `json:"strategies"`
				Status     int      `json:"status"`
				Reasons    []string `json:"reasons"`
			}
			log := a.audit.String()
			for line := range strings.Lines(log) {
				if strings.Contains(line, `"event":"login_failed"`) {
					if err := json.Unmarshal([]byte(line), &rec); err != nil {
						t.Fatal(err)
					}
				}
			}
			if rec.Event != "login_failed" || len(rec.Strategies) != 1 || rec.Strategies[0] != tt.provider || rec.Status != tt.wantStatus ||
				len(rec.Reasons) != 1 || !strings.Contains(rec.Reasons[0], tt.wantReason) {
				t.Errorf("audit record %+v; want login_failed by %s, status %d, reason %q\n%s", rec, tt.provider, tt.wantStatus, tt.wantReason, log)
			}
			secrets := []string{back.Query().Get("code"), back.Query().Get("state"), "gho_", "access_token", "<b>"}
			for _, q := range append(a.gh.AuthorizeRequests(), append(a.goog.AuthorizeRequests(), a.op.AuthorizeRequests()...)...) {
				secrets = append(secrets, q.Get("state"), q.Get("code_challenge"), q.Get("nonce"))
			}
			for _, secret := range secrets {
				if secret != "" && strings.Contains(log, secret) {
					t.Errorf("the audit log holds %q:\n%s", secret, log)
				}
			}
		})
	}
}

// TestSocialProviderLogout: a logout route that opts in ends the
// provider's session too, with the sign-in's ID token as id_token_hint;
// a provider without end_session_endpoint, or a plain Logout, ends the
// app's session only.
func TestSocialProviderLogout(t *testing.T) {
	a := newSocialApp(t, 5*time.Second)
	if _, body := a.visit(t, a.browser, "/auth/oidc"); body != "home:u1" {
		t.Fatalf("sign-in: got %q; want home:u1", body)
	}
	resp, err := a.step.PostForm(a.base+"/provider-logout", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || err != nil || loc.Scheme+"://"+loc.Host+loc.Path != a.op.EndSessionURL() {
		t.Fatalf("provider logout: got %d %q; want 303 to %s", resp.StatusCode, resp.Header.Get("Location"), a.op.EndSessionURL())
	}
	q := loc.Query()
	if q.Get("client_id") != a.op.ClientID || q.Get("post_logout_redirect_uri") != a.base+"/" {
		t.Errorf("logout request %v: want client_id and post_logout_redirect_uri", q)
	}
	// id_token_hint is the ID token of this sign-in: issued to us, for
	// the user who signed in.
	parts := strings.Split(q.Get("id_token_hint"), ".")
	var claims struct {
		Sub string `json:"sub"`
		Aud string `json:"aud"`
	}
	if len(parts) != 3 {
		t.Fatalf("id_token_hint %q: want a JWT", q.Get("id_token_hint"))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || json.Unmarshal(payload, &claims) != nil || claims.Sub != "oidc-user-1" || claims.Aud != a.op.ClientID {
		t.Errorf("id_token_hint claims %+v (%v); want sub oidc-user-1 for our client", claims, err)
	}
	a.loggedOut(t, a.browser)
	if _, body := a.visit(t, a.browser, loc.String()); body != "home:anonymous" {
		t.Errorf("after the provider's logout: got %q; want home:anonymous", body)
	}
	if got := a.op.Logouts(); len(got) != 1 {
		t.Errorf("provider logouts: got %d; want 1", len(got))
	}

	t.Run("ok, a provider without end_session_endpoint", func(t *testing.T) {
		a.browser, a.step = newBrowser(t)
		if _, body := a.visit(t, a.browser, "/auth/github"); !strings.HasPrefix(body, "home:u") {
			t.Fatalf("sign-in: got %q", body)
		}
		resp, err := a.step.PostForm(a.base+"/provider-logout", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Errorf("got %d %q; want 303 to /", resp.StatusCode, resp.Header.Get("Location"))
		}
		a.loggedOut(t, a.browser)
	})
	t.Run("ok, a plain logout leaves the provider alone", func(t *testing.T) {
		a.browser, a.step = newBrowser(t)
		if _, body := a.visit(t, a.browser, "/auth/oidc"); body != "home:u1" {
			t.Fatalf("sign-in: got %q; want home:u1", body)
		}
		a.post(t, a.browser, "/logout", nil)
		a.loggedOut(t, a.browser)
		if got := a.op.Logouts(); len(got) != 1 {
			t.Errorf("provider logouts: got %d; want still 1", len(got))
		}
	})
	t.Run("nok, provider logout without a session user", func(t *testing.T) {
		a.browser, a.step = newBrowser(t)
		resp, err := a.step.PostForm(a.base+"/provider-logout", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Errorf("got %d %q; want 303 to /", resp.StatusCode, resp.Header.Get("Location"))
		}
	})
	a.checkNoFaults(t)
}

func TestSocialFailureFlash(t *testing.T) {
	a := newSocialApp(t, 5*time.Second)
	resp, body := a.visit(t, a.browser, a.base+"/auth/github/callback?state=x&code=y")
	if resp.Request.URL.Path != "/login" || body != "login:Could not sign in. Please try again." {
		t.Errorf("got %s %q; want /login with the generic message", resp.Request.URL.Path, body)
	}
	a.checkNoFaults(t)
}

func TestSocialAccountLinking(t *testing.T) {
	a := newSocialApp(t, 5*time.Second)
	// Linking needs someone logged in.
	if _, body := a.visit(t, a.browser, "/connect/github-link"); body != `account:anonymous errors:["Could not sign in. Please try again."]` {
		t.Errorf("anonymous link: got %q; want a refusal", body)
	}
	a.loggedOut(t, a.browser)

	if body := a.post(t, a.browser, "/test-login", url.Values{"id": {"alice"}}); body != "home:alice" {
		t.Fatalf("log in: got %q", body)
	}
	_, before := a.visit(t, a.browser, "/whoami")
	if _, body := a.visit(t, a.browser, "/connect/github-link"); body != `account:alice linked:[github:4242] errors:[]` {
		t.Errorf("link: got %q; want alice with github:4242", body)
	}
	if _, after := a.visit(t, a.browser, "/whoami"); after != before {
		t.Errorf("session user changed by linking: %s → %s", before, after)
	}

	// Signing in with the linked identity is signing in as alice.
	a.post(t, a.browser, "/logout", nil)
	a.loggedOut(t, a.browser)
	if _, body := a.visit(t, a.browser, "/auth/github"); body != "home:alice" {
		t.Errorf("sign in with the linked identity: got %q; want home:alice", body)
	}

	// Another GitHub account reporting alice's e-mail address is not alice.
	a.post(t, a.browser, "/logout", nil)
	a.gh.SetUser(oauthtest.GitHubUser{ID: 9999, Login: "mallory", Email: "octo@example.test"})
	if _, body := a.visit(t, a.browser, "/auth/github"); body != "home:u1" {
		t.Errorf("same e-mail, other account: got %q; want a new user u1", body)
	}
	a.checkNoFaults(t)
}

func TestMountOAuthRoutes(t *testing.T) {
	a := newSocialApp(t, 5*time.Second)
	for _, path := range []string{"/auth/nope", "/auth/nope/callback", "/auth/github-link", "/connect/github"} {
		resp, _ := a.visit(t, a.step, path)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: got %d; want 404", path, resp.StatusCode)
		}
	}
	// POST completes a form_post callback.
	back := a.consent(t, a.begin(t, "/auth/github"))
	form := back.Query()
	back.RawQuery = ""
	resp, err := a.browser.PostForm(back.String(), form)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "home:u1" {
		t.Errorf("form_post callback: got %q; want home:u1", b)
	}
	a.checkNoFaults(t)
}

func TestMountOAuthErrors(t *testing.T) {
	f := newFixture(t)
	if err := f.auth.Use("header", f.byHeader()); err != nil {
		t.Fatal(err)
	}
	g := f.e.Group("/auth")
	ok := []passport.Option{passport.SuccessRedirect("/")}
	tests := []struct {
		name  string
		group *echo.Group
		names []string
		opts  []passport.Option
	}{
		{"nok, no group", nil, []string{"header"}, ok},
		{"nok, no providers", g, nil, ok},
		{"nok, unknown strategy", g, []string{"nope"}, ok},
		{"nok, listed twice", g, []string{"header", "header"}, ok},
		{"nok, named callback", g, []string{"callback"}, ok},
		{"nok, slash in a name", g, []string{"a/b"}, ok},
		{"nok, nothing to do on success", g, []string{"header"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := f.auth.MountOAuth(tt.group, tt.names, tt.opts...); err == nil {
				t.Error("got no error")
			}
		})
	}
	t.Run("nok, no sessions", func(t *testing.T) {
		auth, err := passport.New(passport.Config[*user]{
			Serialize:   func(u *user) (string, error) { return u.ID, nil },
			Deserialize: func(context.Context, string) (*user, error) { return nil, passport.ErrUserNotFound },
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := auth.MountOAuth(echo.New().Group("/auth"), []string{"x"}, ok...); err == nil {
			t.Error("got no error")
		}
	})
}

func TestOAuthKeysAgree(t *testing.T) {
	if oauth.DefaultReturnToKey != passport.ReturnToKey {
		t.Errorf("oauth.DefaultReturnToKey %q; want passport.ReturnToKey %q", oauth.DefaultReturnToKey, passport.ReturnToKey)
	}
	if oauth.InfoIDToken != passport.OAuthIDTokenInfo {
		t.Errorf("oauth.InfoIDToken %q; want passport.OAuthIDTokenInfo %q", oauth.InfoIDToken, passport.OAuthIDTokenInfo)
	}
	if oauth.CallbackSuffix != passport.OAuthCallbackSuffix {
		t.Errorf("oauth.CallbackSuffix %q; want passport.OAuthCallbackSuffix %q", oauth.CallbackSuffix, passport.OAuthCallbackSuffix)
	}
}

// TestSocialNoGoroutineLeak runs the fault flows through Echo and checks
// that every goroutine they started has ended.
func TestSocialNoGoroutineLeak(t *testing.T) {
	a := newSocialApp(t, 200*time.Millisecond)
	closeIdle := func() {
		a.browser.CloseIdleConnections()
		a.client.CloseIdleConnections()
	}
	// The warm-up starts every lazy goroutine (discovery, JWKS, keep-alive
	// pools) before the count. A successful login is bounded by the app's
	// short client timeout, which a loaded machine can exceed once, so each
	// path gets a few tries; the leak check below is what the test asserts.
	for _, p := range []string{"/auth/github", "/auth/oidc", "/auth/devoidc"} {
		var body string
		for try := 0; try < 5 && !strings.HasPrefix(body, "home:u"); try++ {
			a.browser, a.step = newBrowser(t)
			_, body = a.visit(t, a.browser, p)
			a.browser.CloseIdleConnections()
		}
		if !strings.HasPrefix(body, "home:u") {
			t.Fatalf("warm-up %s: got %q", p, body)
		}
	}
	a.browser, a.step = newBrowser(t)
	closeIdle()
	// Scoped: only the goroutines started from here on must end.
	ignore := goleak.IgnoreCurrent()

	for _, f := range []oauthtest.Fault{oauthtest.Fault500, oauthtest.FaultStall, oauthtest.FaultMalformedJSON} {
		a.gh.SetTokenFault(f)
		a.op.SetTokenFault(f)
		a.visit(t, a.browser, "/auth/github")
		a.visit(t, a.browser, "/auth/oidc")
		a.visit(t, a.browser, "/plain/github-plain")
	}
	a.gh.SetTokenFault(oauthtest.NoFault)
	for _, f := range []oauthtest.Fault{oauthtest.Fault500, oauthtest.FaultStall} {
		a.gh.SetProfileFault(f)
		a.goog.SetProfileFault(f)
		a.visit(t, a.browser, "/plain/github-plain")
		a.visit(t, a.browser, "/auth/google")
	}
	a.op.SetTokenFault(oauthtest.NoFault)
	for _, f := range []oauthtest.IDTokenFault{oauthtest.IDTokenBadSignature, oauthtest.IDTokenWrongNonce,
		oauthtest.IDTokenWrongAudience, oauthtest.IDTokenExpired, oauthtest.IDTokenAlgNone} {
		a.op.SetIDTokenFault(f)
		a.visit(t, a.browser, "/auth/oidc")
	}
	a.visit(t, a.browser, "/auth/github/callback?code=x")
	a.visit(t, a.browser, "/auth/devoidc/callback?state=x&code=y")
	a.loggedOut(t, a.browser)
	a.checkNoFaults(t)

	closeIdle()
	goleak.VerifyNone(t, ignore)
}
