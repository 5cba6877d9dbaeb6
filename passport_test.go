package passport_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
)

type user struct {
	ID   string
	Name string
}

// fixture is an Echo app with an Authenticator over a cookie store.
type fixture struct {
	e             *echo.Echo
	auth          *passport.Authenticator[*user]
	users         map[string]*user
	deserializes  atomic.Int32
	deserializeFn func(ctx context.Context, id string) (*user, error)
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureWith(t, nil, passport.Config[*user]{})
}

func testCookieStore(t testing.TB) *session.CookieStore {
	t.Helper()
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i)
	}
	store, err := session.NewCookieStore(key)
	if err != nil {
		t.Fatal(err)
	}
	return store
}

// newFixtureWith is newFixture over store (nil: a cookie store) with the
// options of cfg that the fixture does not set itself (KeepOnLogin).
func newFixtureWith(t testing.TB, store sessions.Store, cfg passport.Config[*user]) *fixture {
	t.Helper()
	if store == nil {
		store = testCookieStore(t)
	}
	mgr, err := session.New(session.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{e: echo.New(), users: map[string]*user{"1": {ID: "1", Name: "Ada"}}}
	f.auth, err = passport.New(passport.Config[*user]{
		KeepOnLogin: cfg.KeepOnLogin,
		Sessions:    mgr,
		Serialize:   func(u *user) (string, error) { return u.ID, nil },
		Deserialize: func(ctx context.Context, id string) (*user, error) {
			f.deserializes.Add(1)
			if f.deserializeFn != nil {
				return f.deserializeFn(ctx, id)
			}
			u, ok := f.users[id]
			if !ok {
				return nil, passport.ErrUserNotFound
			}
			return u, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	f.e.Use(f.auth.Session())
	return f
}

// byHeader succeeds for "X-User: <id>" of a known user, fails otherwise.
func (f *fixture) byHeader() strategy.Strategy[*user] {
	return strategy.Func[*user](func(r *http.Request) (strategy.Result[*user], error) {
		id := r.Header.Get("X-User")
		if id == "" {
			return strategy.Fail[*user](`Test realm="t"`, 0, "Missing credentials"), nil
		}
		u, ok := f.users[id]
		if !ok {
			return strategy.Fail[*user](`Test realm="t"`, 0, "Incorrect credentials.").WithReason(strategy.ErrInvalidCredentials), nil
		}
		return strategy.Success(u, strategy.Info{Message: "Welcome back."}), nil
	})
}

func (f *fixture) do(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	f.e.ServeHTTP(rec, req)
	return rec
}

func cookieOf(t testing.TB, rec *httptest.ResponseRecorder, name string) *http.Cookie {
	t.Helper()
	for _, c := range rec.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (f *fixture) login(t testing.TB) *http.Cookie {
	t.Helper()
	if err := f.auth.Use("header", f.byHeader()); err != nil {
		t.Fatal(err)
	}
	f.e.POST("/login", f.auth.Authenticate("header", passport.SuccessRedirect("/")).Handler())
	req := httptest.NewRequest(http.MethodPost, "/login", nil)
	req.Header.Set("X-User", "1")
	rec := f.do(req)
	if rec.Code != http.StatusFound {
		t.Fatalf("login: got %d; want 302", rec.Code)
	}
	c := cookieOf(t, rec, "passport")
	if c == nil {
		t.Fatal("login set no session cookie")
	}
	return c
}

func failing(status int, challenge string) strategy.Strategy[*user] {
	return strategy.Func[*user](func(*http.Request) (strategy.Result[*user], error) {
		return strategy.Fail[*user](challenge, status, ""), nil
	})
}

func TestAggregatedFailures(t *testing.T) {
	tests := []struct {
		name       string
		strategies []strategy.Strategy[*user]
		wantStatus int
		wantChall  []string
	}{
		{"nok, statuses 400/403/402 → first set wins", []strategy.Strategy[*user]{failing(400, ""), failing(403, ""), failing(402, "")}, 400, nil},
		{"nok, unset then 403 → 403", []strategy.Strategy[*user]{failing(0, "A"), failing(403, "")}, 403, nil},
		{"nok, two string challenges → two headers", []strategy.Strategy[*user]{failing(0, `Basic realm="x"`), failing(0, `Bearer realm="y"`)}, 401, []string{`Basic realm="x"`, `Bearer realm="y"`}},
		{"nok, one challenge of two", []strategy.Strategy[*user]{failing(0, ""), failing(401, `Bearer realm="y"`)}, 401, []string{`Bearer realm="y"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			var names []string
			for i, s := range tt.strategies {
				n := fmt.Sprintf("s%d", i)
				names = append(names, n)
				if err := f.auth.Use(n, s); err != nil {
					t.Fatal(err)
				}
			}
			ran := false
			f.e.GET("/p", func(c echo.Context) error { ran = true; return nil }, f.auth.AuthenticateAny(names, passport.Stateless()).Middleware())
			rec := f.do(httptest.NewRequest(http.MethodGet, "/p", nil))
			if rec.Code != tt.wantStatus {
				t.Errorf("got %d; want %d", rec.Code, tt.wantStatus)
			}
			if got := rec.Header().Values("WWW-Authenticate"); fmt.Sprint(got) != fmt.Sprint(tt.wantChall) && !(len(got) == 0 && len(tt.wantChall) == 0) {
				t.Errorf("got challenges %q; want %q", got, tt.wantChall)
			}
			if ran {
				t.Error("the handler ran after every strategy failed")
			}
			if !strings.Contains(rec.Header().Get("Content-Type"), "application/json") {
				t.Errorf("got content type %q; want Echo's JSON error", rec.Header().Get("Content-Type"))
			}
		})
	}
}

func TestOutcomes(t *testing.T) {
	pass := strategy.Func[*user](func(*http.Request) (strategy.Result[*user], error) { return strategy.Pass[*user](), nil })
	none := strategy.Func[*user](func(*http.Request) (strategy.Result[*user], error) { return strategy.Result[*user]{}, nil })
	boom := strategy.Func[*user](func(*http.Request) (strategy.Result[*user], error) { panic("secret detail") })
	fault := strategy.Func[*user](func(*http.Request) (strategy.Result[*user], error) {
		return strategy.Result[*user]{}, errors.New("db: password=hunter2 connection refused")
	})
	redirect := strategy.Func[*user](func(*http.Request) (strategy.Result[*user], error) {
		return strategy.Redirect[*user]("https://provider.test/authorize", 0), nil
	})
	tests := []struct {
		name       string
		s          strategy.Strategy[*user]
		wantStatus int
		wantRan    bool
	}{
		{"ok, all pass → handler runs unauthenticated", pass, 200, true},
		{"nok, no outcome → 500", none, 500, false},
		{"nok, panic → 500", boom, 500, false},
		{"nok, fault → 500", fault, 500, false},
		{"ok, redirect → 302", redirect, 302, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			if err := f.auth.Use("s", tt.s); err != nil {
				t.Fatal(err)
			}
			ran := false
			f.e.GET("/p", func(c echo.Context) error {
				ran = true
				if f.auth.IsAuthenticated(c) {
					t.Error("authenticated after a pass")
				}
				return c.String(200, "ok")
			}, f.auth.Authenticate("s").Middleware())
			rec := f.do(httptest.NewRequest(http.MethodGet, "/p", nil))
			if rec.Code != tt.wantStatus {
				t.Errorf("got %d; want %d", rec.Code, tt.wantStatus)
			}
			if ran != tt.wantRan {
				t.Errorf("handler ran = %v; want %v", ran, tt.wantRan)
			}
			if body := rec.Body.String(); strings.Contains(body, "secret") || strings.Contains(body, "hunter2") {
				t.Errorf("internals leaked: %s", body)
			}
		})
	}
}

func TestRouteBuildErrors(t *testing.T) {
	f := newFixture(t)
	_ = f.auth.Use("s", f.byHeader())
	tests := []struct {
		name string
		rt   interface{ Err() error }
	}{
		{"nok, unknown strategy", f.auth.Authenticate("nope")},
		{"nok, no strategies", f.auth.AuthenticateAny(nil)},
		{"nok, callback of another user type", f.auth.Authenticate("s", passport.Callback(func(echo.Context, passport.Outcome[string]) error { return nil }))},
		{"nok, stateless and assign-to", f.auth.Authenticate("s", passport.Stateless(), passport.AssignTo("x"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.rt.Err(); !errors.Is(err, passport.ErrInvalidConfig) {
				t.Errorf("got %v; want an error wrapping ErrInvalidConfig when the route is built", err)
			}
		})
	}
	if err := recoverConfigError(t, func() { f.auth.Authenticate("s").Handler() }); !errors.Is(err, passport.ErrInvalidConfig) {
		t.Errorf("Handler without a success redirect: got %v; want a panic with ErrInvalidConfig", err)
	}
	noSessions, _ := passport.New(passport.Config[*user]{Serialize: func(*user) (string, error) { return "", nil }, Deserialize: func(context.Context, string) (*user, error) { return nil, nil }})
	_ = noSessions.Use("s", f.byHeader())
	if noSessions.Authenticate("s").Err() == nil {
		t.Error("session login without Config.Sessions: got no error")
	}
	if noSessions.Authenticate("s", passport.Stateless()).Err() != nil {
		t.Error("stateless route without sessions: got an error")
	}
	if err := recoverConfigError(t, func() { noSessions.Session() }); !errors.Is(err, passport.ErrInvalidConfig) {
		t.Errorf("Session middleware without sessions: got %v; want a panic with ErrInvalidConfig", err)
	}
	if noSessions.SessionManager() != nil || f.auth.SessionManager() == nil {
		t.Error("SessionManager: want nil without Config.Sessions, the manager with it")
	}
	if _, err := passport.New(passport.Config[*user]{}); err == nil {
		t.Error("New without Serialize: got no error")
	}
}

func TestSessionFixationAndLogout(t *testing.T) {
	f := newFixture(t)
	f.e.GET("/visit", func(c echo.Context) error {
		s, _ := passport.SessionFrom(c)
		s.Set("cart", "3 apples")
		return c.String(200, "ok")
	})
	f.e.GET("/me", func(c echo.Context) error {
		u, ok := f.auth.User(c)
		if !ok {
			return c.String(200, "anonymous")
		}
		return c.String(200, u.Name)
	})
	f.e.POST("/logout", func(c echo.Context) error {
		if err := f.auth.Logout(c); err != nil {
			return err
		}
		return c.Redirect(302, "/")
	})
	// An anonymous visit issues a cookie (the attacker's, say).
	rec := f.do(httptest.NewRequest(http.MethodGet, "/visit", nil))
	before := cookieOf(t, rec, "passport")
	if before == nil {
		t.Fatal("no cookie for an anonymous session with data")
	}
	// Log in carrying that cookie.
	_ = f.auth.Use("header", f.byHeader())
	f.e.POST("/login", f.auth.Authenticate("header", passport.SuccessRedirect("/")).Handler())
	req := httptest.NewRequest(http.MethodPost, "/login", nil)
	req.Header.Set("X-User", "1")
	req.AddCookie(before)
	rec = f.do(req)
	after := cookieOf(t, rec, "passport")
	if after == nil || after.Value == before.Value {
		t.Fatal("login did not issue a new session cookie")
	}
	get := func(c *http.Cookie) string {
		req := httptest.NewRequest(http.MethodGet, "/me", nil)
		req.AddCookie(c)
		return f.do(req).Body.String()
	}
	if got := get(before); got != "anonymous" {
		t.Errorf("pre-login cookie after login: got %q; want anonymous", got)
	}
	if got := get(after); got != "Ada" {
		t.Errorf("post-login cookie: got %q; want Ada", got)
	}
	// Values an anonymous visitor set do not survive login (Passport 0.6).
	f.e.GET("/cart", func(c echo.Context) error {
		s, _ := passport.SessionFrom(c)
		v, _ := s.Get("cart")
		return c.String(200, v)
	})
	req = httptest.NewRequest(http.MethodGet, "/cart", nil)
	req.AddCookie(after)
	if got := f.do(req).Body.String(); got != "" {
		t.Errorf("cart after login: got %q; want it dropped", got)
	}
	// Logout expires the cookie.
	req = httptest.NewRequest(http.MethodPost, "/logout", nil)
	req.AddCookie(after)
	rec = f.do(req)
	gone := cookieOf(t, rec, "passport")
	if gone == nil || gone.MaxAge >= 0 {
		t.Errorf("logout: got cookie %v; want it expired", gone)
	}
}

func TestTamperedCookieIsAnonymous(t *testing.T) {
	f := newFixture(t)
	good := f.login(t)
	f.e.GET("/me", func(c echo.Context) error {
		if f.auth.IsAuthenticated(c) {
			return c.String(200, "in")
		}
		return c.String(200, "out")
	})
	otherKey := make([]byte, 32)
	otherStore, _ := session.NewCookieStore(otherKey)
	otherMgr, _ := session.New(session.Config{Store: otherStore})
	rec := httptest.NewRecorder()
	s := otherMgr.Bind(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	s.Set(passport.UserKey, "1")
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	foreign := cookieOf(t, rec, "passport")
	flipped := []byte(good.Value)
	flipped[len(flipped)/2] ^= 1
	tests := []struct{ name, value, want string }{
		{"ok, genuine", good.Value, "in"},
		{"nok, one bit flipped", string(flipped), "out"},
		{"nok, sealed with another key", foreign.Value, "out"},
		{"nok, garbage", "%%%not-base64", "out"},
		{"nok, truncated", good.Value[:20], "out"},
		{"nok, huge", strings.Repeat("A", 10000), "out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/me", nil)
			req.Header.Set("Cookie", "passport="+tt.value)
			rec := f.do(req)
			if rec.Code != 200 || rec.Body.String() != tt.want {
				t.Errorf("got %d %q; want 200 %q", rec.Code, rec.Body.String(), tt.want)
			}
		})
	}
}

func TestLazyDeserializeOnce(t *testing.T) {
	f := newFixture(t)
	c := f.login(t)
	f.deserializes.Store(0)
	f.e.GET("/static", func(c echo.Context) error { return c.String(200, "css") })
	f.e.GET("/twice", func(c echo.Context) error {
		f.auth.User(c)
		f.auth.User(c)
		return c.String(200, "ok")
	}, f.auth.RequireLogin())
	for _, path := range []string{"/static", "/twice"} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(c)
		f.do(req)
	}
	if got := f.deserializes.Load(); got != 1 {
		t.Errorf("got %d deserializes; want 1 (none for /static, one for /twice)", got)
	}
}

func TestDeletedUserIsLoggedOutSilently(t *testing.T) {
	f := newFixture(t)
	c := f.login(t)
	delete(f.users, "1")
	f.e.GET("/me", func(c echo.Context) error { return c.String(200, fmt.Sprint(f.auth.IsAuthenticated(c))) })
	req := httptest.NewRequest(http.MethodGet, "/me", nil)
	req.AddCookie(c)
	rec := f.do(req)
	if rec.Code != 200 || rec.Body.String() != "false" {
		t.Errorf("got %d %q; want 200 false", rec.Code, rec.Body.String())
	}
	if nc := cookieOf(t, rec, "passport"); nc == nil {
		t.Error("the stale user key was not removed from the session")
	}
}

func TestDeserializeFaultIs500(t *testing.T) {
	f := newFixture(t)
	c := f.login(t)
	f.deserializeFn = func(context.Context, string) (*user, error) { return nil, errors.New("db down: dsn=secret") }
	f.e.GET("/private", func(c echo.Context) error { return c.String(200, "ok") }, f.auth.RequireLogin())
	req := httptest.NewRequest(http.MethodGet, "/private", nil)
	req.AddCookie(c)
	rec := f.do(req)
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "secret") {
		t.Errorf("got %d %q; want a bare 500", rec.Code, rec.Body.String())
	}
}

func TestRequireLoginAndReturnTo(t *testing.T) {
	f := newFixture(t)
	_ = f.auth.Use("header", f.byHeader())
	f.e.GET("/secret", func(c echo.Context) error { return c.String(200, "the word") },
		f.auth.RequireLoginWithConfig(passport.RequireLoginConfig{LoginURL: "/login", LoginFlash: "Log in first.", Challenges: []string{`Test realm="t"`}}))
	f.e.POST("/login", f.auth.Authenticate("header", passport.SuccessReturnToOrRedirect("/"), passport.FailureRedirect("/login"), passport.FailureFlash("")).Handler())
	f.e.GET("/login", func(c echo.Context) error {
		s, _ := passport.SessionFrom(c)
		return c.String(200, strings.Join(s.Flashes("error"), "|"))
	})

	// API client: 401 with the challenge.
	req := httptest.NewRequest(http.MethodGet, "/secret", nil)
	req.Header.Set("Accept", "application/json")
	rec := f.do(req)
	if rec.Code != 401 || rec.Header().Get("WWW-Authenticate") != `Test realm="t"` {
		t.Errorf("API: got %d %q; want 401 with the challenge", rec.Code, rec.Header().Get("WWW-Authenticate"))
	}

	// Browser: redirect, remember the path, flash.
	rec = f.do(httptest.NewRequest(http.MethodGet, "/secret?x=1", nil))
	if rec.Code != 302 || rec.Header().Get("Location") != "/login" {
		t.Fatalf("browser: got %d %q; want 302 /login", rec.Code, rec.Header().Get("Location"))
	}
	c := cookieOf(t, rec, "passport")
	req = httptest.NewRequest(http.MethodGet, "/login", nil)
	req.AddCookie(c)
	rec = f.do(req)
	if rec.Body.String() != "Log in first." {
		t.Errorf("flash: got %q; want %q", rec.Body.String(), "Log in first.")
	}
	if nc := cookieOf(t, rec, "passport"); nc != nil {
		c = nc
	}

	// A failed login keeps the return-to and flashes the strategy's message.
	req = httptest.NewRequest(http.MethodPost, "/login", nil)
	req.Header.Set("X-User", "nobody")
	req.AddCookie(c)
	rec = f.do(req)
	if rec.Code != 302 || rec.Header().Get("Location") != "/login" {
		t.Fatalf("failed login: got %d %q", rec.Code, rec.Header().Get("Location"))
	}
	c = cookieOf(t, rec, "passport")

	// A good login returns to the remembered page.
	req = httptest.NewRequest(http.MethodPost, "/login", nil)
	req.Header.Set("X-User", "1")
	req.AddCookie(c)
	rec = f.do(req)
	if rec.Code != 302 || rec.Header().Get("Location") != "/secret?x=1" {
		t.Errorf("login: got %d %q; want 302 /secret?x=1", rec.Code, rec.Header().Get("Location"))
	}
}

func TestReturnToNeverLeavesTheSite(t *testing.T) {
	f := newFixture(t)
	_ = f.auth.Use("header", f.byHeader())
	f.e.POST("/login", f.auth.Authenticate("header", passport.SuccessReturnToOrRedirect("/home")).Handler())
	f.e.GET("/plant", func(c echo.Context) error {
		s, _ := passport.SessionFrom(c)
		s.Set(passport.ReturnToKey, c.QueryParam("to"))
		return nil
	})
	for _, evil := range []string{"//evil.test", "https://evil.test", `/\evil.test`, "/%2F%2Fevil.test", "/%5Cevil.test", "/a\r\nSet-Cookie: x=1", "javascript:alert(1)", " //evil.test"} {
		t.Run(evil, func(t *testing.T) {
			rec := f.do(httptest.NewRequest(http.MethodGet, "/plant?to="+url.QueryEscape(evil), nil))
			req := httptest.NewRequest(http.MethodPost, "/login", nil)
			req.Header.Set("X-User", "1")
			req.AddCookie(cookieOf(t, rec, "passport"))
			rec = f.do(req)
			// An unsafe remembered path is dropped: the route's own
			// redirect applies (SafeReturnTo alone would give "/").
			if loc := rec.Header().Get("Location"); loc != "/home" {
				t.Errorf("got Location %q; want /home", loc)
			}
		})
	}
}

func TestSafeReturnTo(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/", "/"},
		{"/secretWord", "/secretWord"},
		{"/a/b?c=d#e", "/a/b?c=d#e"},
		{"/a//b", "/a//b"},
		{"//evil.test", "/"},
		{"https://evil.test", "/"},
		{`/\evil.test`, "/"},
		{"/%2F%2Fevil.test", "/"},
		{"/%252F%252Fevil.test", "/"},
		{"/%5Cevil.test", "/"},
		{"/a\r\nLocation: x", "/"},
		{"/a\x00", "/"},
		{"javascript:alert(1)", "/"},
		{"", "/"},
		{"relative", "/"},
		{"/\xff", "/"},
		{"/" + strings.Repeat("a", 3000), "/"},
	}
	for _, tt := range tests {
		if got := passport.SafeReturnTo(tt.in); got != tt.want {
			t.Errorf("SafeReturnTo(%q): got %q; want %q", tt.in, got, tt.want)
		}
	}
}

func TestStatelessAssignAndCallback(t *testing.T) {
	f := newFixture(t)
	c := f.login(t)
	_ = f.auth.Use("api", f.byHeader())
	f.users["2"] = &user{ID: "2", Name: "Grace"}
	f.e.GET("/api", func(c echo.Context) error {
		u, _ := f.auth.User(c)
		info, name, _ := f.auth.Info(c)
		return c.String(200, u.Name+"/"+name+"/"+info.Message)
	}, f.auth.Authenticate("api", passport.Stateless()).Middleware())
	f.e.GET("/link", func(c echo.Context) error {
		me, _ := f.auth.User(c)
		other, ok := f.auth.Assigned(c, "account")
		if !ok {
			return c.String(500, "no assigned user")
		}
		return c.String(200, me.Name+"+"+other.Name)
	}, f.auth.Authenticate("api", passport.AssignTo("account")).Middleware())
	f.e.GET("/cb", f.auth.Authenticate("api", passport.Callback(func(c echo.Context, o passport.Outcome[*user]) error {
		return c.String(299, o.Kind.String()+fmt.Sprint(len(o.Failures)))
	})).Handler())

	req := httptest.NewRequest(http.MethodGet, "/api", nil)
	req.Header.Set("X-User", "2")
	rec := f.do(req)
	if rec.Body.String() != "Grace/api/Welcome back." || cookieOf(t, rec, "passport") != nil {
		t.Errorf("stateless: got %q, cookie %v; want Grace and no cookie", rec.Body.String(), cookieOf(t, rec, "passport"))
	}
	req = httptest.NewRequest(http.MethodGet, "/link", nil)
	req.Header.Set("X-User", "2")
	req.AddCookie(c)
	rec = f.do(req)
	if rec.Body.String() != "Ada+Grace" {
		t.Errorf("assign-to: got %q; want Ada+Grace", rec.Body.String())
	}
	req = httptest.NewRequest(http.MethodGet, "/cb", nil)
	rec = f.do(req)
	if rec.Code != 299 || rec.Body.String() != "fail1" {
		t.Errorf("callback: got %d %q; want 299 fail1", rec.Code, rec.Body.String())
	}
}

func TestThrottledFailureIsNotRedirected(t *testing.T) {
	f := newFixture(t)
	_ = f.auth.Use("t", strategy.Func[*user](func(*http.Request) (strategy.Result[*user], error) {
		return strategy.Fail[*user]("", http.StatusTooManyRequests, "Too many attempts.").WithHeader("Retry-After", "30").WithReason(strategy.ErrThrottled), nil
	}))
	f.e.POST("/login", f.auth.Authenticate("t", passport.SuccessRedirect("/"), passport.FailureRedirect("/login")).Handler())
	rec := f.do(httptest.NewRequest(http.MethodPost, "/login", nil))
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "30" {
		t.Errorf("got %d Retry-After %q; want 429 30", rec.Code, rec.Header().Get("Retry-After"))
	}
}

func TestUseUnuseConcurrent(t *testing.T) {
	f := newFixture(t)
	_ = f.auth.Use("s", f.byHeader())
	f.e.GET("/p", func(c echo.Context) error { return c.String(200, "ok") }, f.auth.Authenticate("s", passport.Stateless()).Middleware())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 200 {
			f.auth.Unuse("s")
			_ = f.auth.Use("s", f.byHeader())
		}
	}()
	for range 200 {
		req := httptest.NewRequest(http.MethodGet, "/p", nil)
		req.Header.Set("X-User", "1")
		if code := f.do(req).Code; code != 200 && code != 500 {
			t.Fatalf("got %d; want 200 (or 500 while unregistered)", code)
		}
	}
	<-done
}

func FuzzSafeReturnTo(f *testing.F) {
	for _, s := range []string{"/", "/a?b=c", "//evil.test", `/\x`, "/%2F%2Fx", "https://x", "/%5C%5Cx"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := passport.SafeReturnTo(in)
		if out == "/" {
			return
		}
		if out != in {
			t.Fatalf("SafeReturnTo changed %q into %q", in, out)
		}
		u, err := url.Parse(out)
		if err != nil || u.Host != "" || u.Scheme != "" || !strings.HasPrefix(out, "/") || strings.HasPrefix(out, "//") || strings.ContainsAny(out, "\\\r\n") {
			t.Fatalf("unsafe return-to accepted: %q", out)
		}
		// Whatever a browser decodes must still be a local path.
		dec, _ := url.PathUnescape(out)
		if strings.HasPrefix(dec, "//") || strings.HasPrefix(dec, `/\`) {
			t.Fatalf("encoded escape accepted: %q", out)
		}
	})
}

func TestSessionStrategyBesideABearerToken(t *testing.T) {
	f := newFixture(t)
	c := f.login(t)
	_ = f.auth.Use("session", f.auth.SessionLoginStrategy())
	_ = f.auth.Use("bearer", strategy.Func[*user](func(r *http.Request) (strategy.Result[*user], error) {
		if r.Header.Get("Authorization") == "Bearer good" {
			return strategy.Success(&user{ID: "9", Name: "Token"}, strategy.Info{}), nil
		}
		return strategy.Fail[*user](`Bearer realm="api"`, 0, ""), nil
	}))
	f.e.GET("/api/me", func(c echo.Context) error {
		u, _ := f.auth.User(c)
		_, via, _ := f.auth.Info(c)
		return c.String(200, u.Name+" via "+via)
	}, f.auth.AuthenticateAny([]string{"bearer", "session"}, passport.Stateless()).Middleware())
	tests := []struct {
		name       string
		auth       string
		cookie     *http.Cookie
		wantStatus int
		wantBody   string
	}{
		{"ok, bearer", "Bearer good", nil, 200, "Token via bearer"},
		{"ok, session", "", c, 200, "Ada via session"},
		{"nok, neither", "", nil, 401, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/api/me", nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			if tt.cookie != nil {
				req.AddCookie(tt.cookie)
			}
			rec := f.do(req)
			if rec.Code != tt.wantStatus || (tt.wantBody != "" && rec.Body.String() != tt.wantBody) {
				t.Errorf("got %d %q; want %d %q", rec.Code, rec.Body.String(), tt.wantStatus, tt.wantBody)
			}
			if tt.wantStatus == 401 && rec.Header().Get("WWW-Authenticate") != `Bearer realm="api"` {
				t.Errorf("got challenge %q; want the bearer one", rec.Header().Get("WWW-Authenticate"))
			}
		})
	}
}

func TestStatelessWithoutSessionMiddleware(t *testing.T) {
	auth, err := passport.New(passport.Config[*user]{
		Serialize:   func(u *user) (string, error) { return u.ID, nil },
		Deserialize: func(context.Context, string) (*user, error) { return nil, passport.ErrUserNotFound },
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = auth.Use("s", strategy.Func[*user](func(r *http.Request) (strategy.Result[*user], error) {
		if r.Header.Get("X-User") == "" {
			return strategy.Fail[*user]("T", 0, ""), nil
		}
		return strategy.Success(&user{ID: "1", Name: "Ada"}, strategy.Info{Scope: []string{"read"}}), nil
	}))
	e := echo.New()
	e.GET("/", func(c echo.Context) error {
		u, ok := auth.User(c)
		info, name, iok := auth.Info(c)
		if !ok || !iok {
			return c.String(500, "no user")
		}
		return c.String(200, u.Name+" "+name+" "+strings.Join(info.Scope, ","))
	}, auth.Authenticate("s", passport.Stateless()).Middleware())
	e.GET("/plain", func(c echo.Context) error {
		_, ok := auth.User(c)
		_, _, iok := auth.Info(c)
		return c.String(200, fmt.Sprint(ok, iok))
	})
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Header.Set("X-User", "1")
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != 200 || rec.Body.String() != "Ada s read" {
		t.Errorf("got %d %q; want 200 %q", rec.Code, rec.Body.String(), "Ada s read")
	}
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/plain", nil))
	if rec.Body.String() != "false false" {
		t.Errorf("got %q; want nobody on a route without authentication", rec.Body.String())
	}
}
