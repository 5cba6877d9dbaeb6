package passport_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/strategy"
)

// faultyStore is a real gorilla store that fails on demand: a fault
// injector, not a mock. failSaves fails that many saves (after the inner
// store wrote its cookie, as a store that sets the cookie before its record
// would); failDelete fails deletes (a save with MaxAge < 0).
type faultyStore struct {
	sessions.Store
	failSaves  atomic.Int32
	failDelete atomic.Bool
	saves      atomic.Int32 // successful saves
}

var errInjected = errors.New("injected store fault")

func (s *faultyStore) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	if sess.Options != nil && sess.Options.MaxAge < 0 {
		if s.failDelete.Load() {
			return errInjected
		}
		return s.Store.Save(r, w, sess)
	}
	if s.failSaves.Add(-1) >= 0 {
		_ = s.Store.Save(r, w, sess)
		return errInjected
	}
	s.failSaves.Store(0)
	s.saves.Add(1)
	return s.Store.Save(r, w, sess)
}

// faultyFixture is a fixture over a faulty store with routes to log in (by
// the X-User header), to log out, and to read who is logged in.
func faultyFixture(t *testing.T, cfg passport.Config[*user]) (*fixture, *faultyStore) {
	t.Helper()
	fs := &faultyStore{Store: testCookieStore(t)}
	f := newFixtureWith(t, fs, cfg)
	f.users["2"] = &user{ID: "2", Name: "Bob"}
	if err := f.auth.Use("header", f.byHeader()); err != nil {
		t.Fatal(err)
	}
	f.e.GET("/me", func(c echo.Context) error {
		u, ok := f.auth.User(c)
		if !ok {
			return c.String(http.StatusOK, "anonymous")
		}
		return c.String(http.StatusOK, u.Name)
	})
	return f, fs
}

func (f *fixture) whoIs(t *testing.T, cookies ...*http.Cookie) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/me", nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	return f.do(req).Body.String()
}

func (f *fixture) loginAs(t *testing.T, id string) *http.Cookie {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/login", nil)
	req.Header.Set("X-User", id)
	rec := f.do(req)
	c := cookieOf(t, rec, "passport")
	if rec.Code != http.StatusFound || c == nil {
		t.Fatalf("login as %s: got %d, cookie %v; want 302 and a cookie", id, rec.Code, c)
	}
	return c
}

func TestLoginSaveFailureLeavesNobodyLoggedIn(t *testing.T) {
	f, fs := faultyFixture(t, passport.Config[*user]{})
	type seen struct {
		err           error
		authenticated bool
		user          string
	}
	var got seen
	// A handler calling Login, then going on with the request: what it
	// sees, and what the end-of-request save does with the session.
	f.e.POST("/login-by-hand", func(c echo.Context) error {
		got = seen{}
		got.err = f.auth.Login(c, f.users["1"])
		got.authenticated = f.auth.IsAuthenticated(c)
		if u, ok := f.auth.User(c); ok {
			got.user = u.ID
		}
		return c.String(http.StatusOK, "done")
	})
	f.e.POST("/login", f.auth.Authenticate("header", passport.SuccessRedirect("/"), passport.SuccessFlash("")).Handler())

	t.Run("nok, Login by hand, the store recovers before the end of the request", func(t *testing.T) {
		fs.failSaves.Store(1) // only Login's save fails
		before := fs.saves.Load()
		rec := f.do(httptest.NewRequest(http.MethodPost, "/login-by-hand", nil))
		if !errors.Is(got.err, errInjected) {
			t.Errorf("Login: got %v; want the store's fault", got.err)
		}
		if got.authenticated || got.user != "" {
			t.Errorf("after the failed Login: IsAuthenticated %v, User %q; want false, none", got.authenticated, got.user)
		}
		if c := cookieOf(t, rec, "passport"); c != nil {
			t.Errorf("got a session cookie %v; want none", c)
		}
		if n := fs.saves.Load() - before; n != 0 {
			t.Errorf("the end-of-request save stored %d sessions; want none", n)
		}
	})

	t.Run("nok, logged in as Bob, a login as Ada whose save fails", func(t *testing.T) {
		bob := f.loginAs(t, "2")
		fs.failSaves.Store(1)
		req := httptest.NewRequest(http.MethodPost, "/login-by-hand", nil)
		req.AddCookie(bob)
		rec := f.do(req)
		if !errors.Is(got.err, errInjected) || got.authenticated || got.user != "" {
			t.Errorf("got %+v; want the fault and nobody", got)
		}
		if c := cookieOf(t, rec, "passport"); c != nil {
			t.Errorf("got a session cookie %v; want none", c)
		}
	})

	t.Run("nok, an Authenticate route whose save fails is a 500 with no cookie", func(t *testing.T) {
		fs.failSaves.Store(1)
		req := httptest.NewRequest(http.MethodPost, "/login", nil)
		req.Header.Set("X-User", "1")
		rec := f.do(req)
		if rec.Code != http.StatusInternalServerError {
			t.Errorf("got %d; want 500", rec.Code)
		}
		if strings.Contains(rec.Body.String(), errInjected.Error()) {
			t.Errorf("the 500 leaks the fault: %s", rec.Body)
		}
		if c := cookieOf(t, rec, "passport"); c != nil {
			t.Errorf("got a session cookie %v; want none", c)
		}
	})
}

func TestLoginRegenerateFailureKeepsTheSession(t *testing.T) {
	f, fs := faultyFixture(t, passport.Config[*user]{})
	f.e.POST("/login", f.auth.Authenticate("header", passport.SuccessReturnToOrRedirect("/"), passport.SuccessFlash("Welcome.")).Handler())
	f.e.POST("/login-by-hand", func(c echo.Context) error {
		if err := f.auth.Login(c, f.users["2"]); err != nil {
			return err
		}
		return c.String(http.StatusOK, "done")
	})
	f.e.GET("/session", func(c echo.Context) error {
		s, _ := passport.SessionFrom(c)
		back, _ := s.Get(passport.ReturnToKey)
		return c.JSON(http.StatusOK, map[string]any{"back": back, "flashes": s.Flashes("success")})
	})
	f.e.GET("/remember", func(c echo.Context) error {
		s, _ := passport.SessionFrom(c)
		s.Set(passport.ReturnToKey, "/private")
		s.Flashes("success") // the welcome of the login before
		return c.String(http.StatusOK, "ok")
	})
	for _, tt := range []struct {
		name string
		path string
	}{
		{"nok, Authenticate route", "/login"},
		{"nok, Login by hand", "/login-by-hand"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ada := f.loginAs(t, "1")
			req := httptest.NewRequest(http.MethodGet, "/remember", nil)
			req.AddCookie(ada)
			if c := cookieOf(t, f.do(req), "passport"); c != nil {
				ada = c
			}
			fs.failDelete.Store(true)
			defer fs.failDelete.Store(false)
			req = httptest.NewRequest(http.MethodPost, tt.path, nil)
			req.Header.Set("X-User", "2")
			req.AddCookie(ada)
			rec := f.do(req)
			if rec.Code != http.StatusInternalServerError {
				t.Errorf("got %d; want 500", rec.Code)
			}
			if c := cookieOf(t, rec, "passport"); c != nil {
				t.Errorf("got Set-Cookie %v; want the visitor's cookie left alone", c)
			}
			if got := f.whoIs(t, ada); got != "Ada" {
				t.Errorf("the old cookie: got %q; want Ada still", got)
			}
			req = httptest.NewRequest(http.MethodGet, "/session", nil)
			req.AddCookie(ada)
			var s struct {
				Back    string
				Flashes []string
			}
			if err := json.Unmarshal(f.do(req).Body.Bytes(), &s); err != nil {
				t.Fatal(err)
			}
			if s.Back != "/private" || len(s.Flashes) != 0 {
				t.Errorf("got return-to %q, success flashes %q; want /private kept and no flash", s.Back, s.Flashes)
			}
		})
	}
}

func TestFailedLogoutClearsTheUser(t *testing.T) {
	f, fs := faultyFixture(t, passport.Config[*user]{})
	f.e.POST("/login", f.auth.Authenticate("header", passport.SuccessRedirect("/")).Handler())
	var err error
	var authenticated bool
	var info string
	f.e.POST("/logout", func(c echo.Context) error {
		if !f.auth.IsAuthenticated(c) { // the user is loaded before Logout
			return c.String(http.StatusBadRequest, "not logged in")
		}
		err = f.auth.Logout(c)
		authenticated = f.auth.IsAuthenticated(c)
		_, info, _ = f.auth.Info(c)
		return c.String(http.StatusOK, "done")
	})
	ada := f.loginAs(t, "1")
	fs.failDelete.Store(true)
	req := httptest.NewRequest(http.MethodPost, "/logout", nil)
	req.AddCookie(ada)
	if rec := f.do(req); rec.Code != http.StatusOK {
		t.Fatalf("got %d; want 200", rec.Code)
	}
	if !errors.Is(err, errInjected) {
		t.Errorf("Logout: got %v; want the store's fault", err)
	}
	if authenticated || info != "" {
		t.Errorf("after the failed Logout: IsAuthenticated %v, strategy %q; want false, none", authenticated, info)
	}

	t.Run("nok, no Session middleware: ErrNoSession, and no stateless user left", func(t *testing.T) {
		e := echo.New()
		_ = f.auth.Use("stateless", f.byHeader())
		var err error
		var ok bool
		e.GET("/api", func(c echo.Context) error {
			err = f.auth.Logout(c)
			_, ok = f.auth.User(c)
			return c.NoContent(http.StatusNoContent)
		}, f.auth.Authenticate("stateless", passport.Stateless()).Middleware())
		req := httptest.NewRequest(http.MethodGet, "/api", nil)
		req.Header.Set("X-User", "1")
		e.ServeHTTP(httptest.NewRecorder(), req)
		if err == nil || ok {
			t.Errorf("got err %v, user %v; want ErrNoSession and no user", err, ok)
		}
	})
}

func TestKeepOnLoginSurvivesLogout(t *testing.T) {
	f, _ := faultyFixture(t, passport.Config[*user]{KeepOnLogin: []string{"cart", "pref.*"}})
	f.e.POST("/login", f.auth.Authenticate("header", passport.SuccessRedirect("/")).Handler())
	f.e.POST("/fill", func(c echo.Context) error {
		s, _ := passport.SessionFrom(c)
		for _, k := range []string{"cart", "pref.lang", "other", passport.ReturnToKey} {
			s.Set(k, "v")
		}
		s.AddFlash("info", "kept")
		return c.String(http.StatusOK, "ok")
	})
	f.e.POST("/logout", func(c echo.Context) error {
		if err := f.auth.Logout(c); err != nil {
			return err
		}
		return c.String(http.StatusOK, "bye")
	})
	f.e.GET("/dump", func(c echo.Context) error {
		s, _ := passport.SessionFrom(c)
		out := map[string]any{}
		for _, k := range []string{"cart", "pref.lang", "other", passport.ReturnToKey, passport.UserKey} {
			if v, ok := s.Get(k); ok {
				out[k] = v
			}
		}
		out["flashes"] = s.Flashes("info")
		return c.JSON(http.StatusOK, out)
	})
	step := func(method, path string, c *http.Cookie) *http.Cookie {
		t.Helper()
		req := httptest.NewRequest(method, path, nil)
		req.AddCookie(c)
		if n := cookieOf(t, f.do(req), "passport"); n != nil {
			return n
		}
		return c
	}
	c := f.loginAs(t, "1")
	c = step(http.MethodPost, "/fill", c)
	c = step(http.MethodPost, "/logout", c)
	req := httptest.NewRequest(http.MethodGet, "/dump", nil)
	req.AddCookie(c)
	var got map[string]any
	if err := json.Unmarshal(f.do(req).Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"cart", "pref.lang"} {
		if got[k] != "v" {
			t.Errorf("%s after logout: got %v; want kept", k, got[k])
		}
	}
	for _, k := range []string{"other", passport.ReturnToKey, passport.UserKey} {
		if v, ok := got[k]; ok {
			t.Errorf("%s after logout: got %v; want dropped", k, v)
		}
	}
	if fl, _ := got["flashes"].([]any); len(fl) != 1 {
		t.Errorf("flashes after logout: got %v; want the one kept", got["flashes"])
	}
}

func TestFlashKinds(t *testing.T) {
	withType := func(kind string) strategy.Strategy[*user] {
		return strategy.Func[*user](func(r *http.Request) (strategy.Result[*user], error) {
			if r.Header.Get("X-User") == "1" {
				return strategy.Success(&user{ID: "1", Name: "Ada"}, strategy.Info{Message: "from the strategy", Type: kind}), nil
			}
			return strategy.Fail[*user]("", 0, "").WithInfo(strategy.Info{Message: "from the strategy", Type: kind}), nil
		})
	}
	kinds := []string{"success", "error", "info", "warning", "notice"}
	tests := []struct {
		name     string
		kind     string // the strategy's Info.Type
		opt      passport.Option
		succeed  bool
		wantKind string
		wantMsg  string
	}{
		{"ok, success: the strategy's message under its kind", "info", passport.SuccessFlash(""), true, "info", "from the strategy"},
		{"ok, success: no kind from the strategy is success", "", passport.SuccessFlash(""), true, "success", "from the strategy"},
		{"ok, success: the route's message is success", "info", passport.SuccessFlash("Hi"), true, "success", "Hi"},
		{"ok, success: the route's kind for the strategy's message", "info", passport.SuccessFlashAs("notice", ""), true, "notice", "from the strategy"},
		{"ok, success: the route's kind and message", "info", passport.SuccessFlashAs("notice", "Hi"), true, "notice", "Hi"},
		{"nok, failure: the strategy's message under its kind", "warning", passport.FailureFlash(""), false, "warning", "from the strategy"},
		{"nok, failure: no kind from the strategy is error", "", passport.FailureFlash(""), false, "error", "from the strategy"},
		{"nok, failure: the route's message is error", "warning", passport.FailureFlash("Nope"), false, "error", "Nope"},
		{"nok, failure: the route's kind for the strategy's message", "warning", passport.FailureFlashAs("notice", ""), false, "notice", "from the strategy"},
		{"nok, failure: the route's kind and message", "warning", passport.FailureFlashAs("notice", "Nope"), false, "notice", "Nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			if err := f.auth.Use("s", withType(tt.kind)); err != nil {
				t.Fatal(err)
			}
			f.e.POST("/login", f.auth.Authenticate("s", passport.SuccessRedirect("/"), passport.FailureRedirect("/login"), tt.opt).Handler())
			f.e.GET("/flashes", func(c echo.Context) error {
				s, _ := passport.SessionFrom(c)
				out := map[string][]string{}
				for _, k := range kinds {
					if fl := s.Flashes(k); fl != nil {
						out[k] = fl
					}
				}
				return c.JSON(http.StatusOK, out)
			})
			req := httptest.NewRequest(http.MethodPost, "/login", nil)
			if tt.succeed {
				req.Header.Set("X-User", "1")
			}
			rec := f.do(req)
			if rec.Code != http.StatusFound {
				t.Fatalf("got %d; want 302", rec.Code)
			}
			req = httptest.NewRequest(http.MethodGet, "/flashes", nil)
			req.AddCookie(cookieOf(t, rec, "passport"))
			var got map[string][]string
			if err := json.Unmarshal(f.do(req).Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			want := map[string][]string{tt.wantKind: {tt.wantMsg}}
			if len(got) != 1 || len(got[tt.wantKind]) != 1 || got[tt.wantKind][0] != tt.wantMsg {
				t.Errorf("got flashes %v; want %v", got, want)
			}
		})
	}
}

// TestFailedLoginSendsNoSuccessHeaders checks that the headers a success asks
// for (the local strategy's device cookie) go out only when the login holds:
// a login whose save fails answers 500 without them.
func TestFailedLoginSendsNoSuccessHeaders(t *testing.T) {
	f, fs := faultyFixture(t, passport.Config[*user]{})
	_ = f.auth.Use("dev", strategy.Func[*user](func(*http.Request) (strategy.Result[*user], error) {
		return strategy.Success(f.users["1"], strategy.Info{}).WithHeader("Set-Cookie", "device=abc; Path=/; HttpOnly"), nil
	}))
	f.e.POST("/login-dev", f.auth.Authenticate("dev", passport.SuccessRedirect("/")).Handler())

	fs.failSaves.Store(1)
	rec := f.do(httptest.NewRequest(http.MethodPost, "/login-dev", nil))
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("status: got %d; want 500", rec.Code)
	}
	if c := cookieOf(t, rec, "device"); c != nil {
		t.Errorf("device cookie: got %v; want none after a failed login", c)
	}

	rec = f.do(httptest.NewRequest(http.MethodPost, "/login-dev", nil))
	if rec.Code != http.StatusFound {
		t.Fatalf("status: got %d; want 302", rec.Code)
	}
	if c := cookieOf(t, rec, "device"); c == nil || c.Value != "abc" {
		t.Errorf("device cookie: got %v; want device=abc after a login that holds", c)
	}
}
