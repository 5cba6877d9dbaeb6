package passport_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/strategy"
)

// skipPath skips the requests for path.
func skipPath(path string) func(echo.Context) bool {
	return func(c echo.Context) bool { return c.Request().URL.Path == path }
}

// whoIs answers 200 with the user's ID, "nobody" without one, and whether
// the request has a session.
func whoIs(auth *passport.Authenticator[*user]) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := "nobody"
		if u, ok := auth.User(c); ok {
			id = u.ID
		}
		_, hasSession := passport.SessionFrom(c)
		if hasSession {
			id += " session"
		}
		return c.String(http.StatusOK, id)
	}
}

func getWith(path string, cookie *http.Cookie) *http.Request {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	return req
}

// TestSessionSkipper: a request the Session middleware skips goes on with
// no session and nobody logged in, and no session cookie goes out.
func TestSessionSkipper(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cookie := f.login(t)
	e := echo.New()
	e.Use(f.auth.SessionWithConfig(passport.SessionConfig{Skipper: skipPath("/static")}))
	e.GET("/static", whoIs(f.auth))
	e.GET("/page", whoIs(f.auth))
	tests := []struct {
		name, path, want string
	}{
		{"ok, skipped: no session, nobody", "/static", "nobody"},
		{"ok, not skipped: the logged-in user", "/page", "1 session"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, getWith(tt.path, cookie))
			if rec.Code != http.StatusOK || rec.Body.String() != tt.want {
				t.Errorf("got %d %q; want 200 %q", rec.Code, rec.Body, tt.want)
			}
			if tt.path == "/static" && rec.Header().Get("Set-Cookie") != "" {
				t.Errorf("skipped request set a cookie: %q", rec.Header().Get("Set-Cookie"))
			}
		})
	}
}

// TestCSRFSkipperStoresNothing: a request the CSRF middleware skips gets
// no token and creates no session.
func TestCSRFSkipperStoresNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.e.Use(passport.CSRFWithConfig(passport.CSRFConfig{Skipper: skipPath("/api")}))
	f.e.GET("/api", func(c echo.Context) error {
		if c.Get("csrf") != nil {
			return c.String(http.StatusOK, "token")
		}
		return c.String(http.StatusOK, "none")
	})
	rec := f.do(getWith("/api", nil))
	if rec.Code != http.StatusOK || rec.Body.String() != "none" {
		t.Errorf("got %d %q; want 200 none", rec.Code, rec.Body)
	}
	if c := cookieOf(t, rec, "passport"); c != nil {
		t.Errorf("skipped request created a session: %v", c)
	}
}

// TestRequireSkippers: RequireLogin and RequireLogout let a request they
// skip through without loading the user; the others are guarded.
func TestRequireSkippers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cookie := f.login(t)
	ok := func(c echo.Context) error { return c.String(http.StatusOK, "next") }
	f.e.GET("/in/skip", ok, f.auth.RequireLoginWithConfig(passport.RequireLoginConfig{Skipper: skipPath("/in/skip")}))
	f.e.GET("/in/guarded", ok, f.auth.RequireLoginWithConfig(passport.RequireLoginConfig{Skipper: skipPath("/in/skip")}))
	f.e.GET("/out/skip", ok, f.auth.RequireLogoutWithConfig(passport.RequireLogoutConfig{Skipper: skipPath("/out/skip"), RedirectTo: "/home"}))
	f.e.GET("/out/guarded", ok, f.auth.RequireLogoutWithConfig(passport.RequireLogoutConfig{Skipper: skipPath("/out/skip"), RedirectTo: "/home"}))
	tests := []struct {
		name             string
		path             string
		cookie           *http.Cookie
		wantStatus       int
		wantLocation     string
		wantDeserializes int32
	}{
		{"ok, RequireLogin skipped: anonymous goes on", "/in/skip", nil, http.StatusOK, "", 0},
		{"ok, RequireLogin skipped: the user is not loaded", "/in/skip", cookie, http.StatusOK, "", 0},
		{"nok, RequireLogin not skipped: anonymous gets 401", "/in/guarded", nil, http.StatusUnauthorized, "", 0},
		{"ok, RequireLogin not skipped: the user goes on", "/in/guarded", cookie, http.StatusOK, "", 1},
		{"ok, RequireLogout skipped: the user goes on, not loaded", "/out/skip", cookie, http.StatusOK, "", 0},
		{"nok, RequireLogout not skipped: the user is sent away", "/out/guarded", cookie, http.StatusFound, "/home", 1},
		{"ok, RequireLogout not skipped: anonymous goes on", "/out/guarded", nil, http.StatusOK, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.deserializes.Load()
			rec := f.do(getWith(tt.path, tt.cookie))
			if rec.Code != tt.wantStatus {
				t.Errorf("got %d; want %d", rec.Code, tt.wantStatus)
			}
			if got := rec.Header().Get(echo.HeaderLocation); got != tt.wantLocation {
				t.Errorf("got Location %q; want %q", got, tt.wantLocation)
			}
			if got := f.deserializes.Load() - before; got != tt.wantDeserializes {
				t.Errorf("got %d Deserialize calls; want %d", got, tt.wantDeserializes)
			}
		})
	}
}

// TestRouteSkipper: a request a route's Skipper skips runs no strategy; as
// middleware it goes to the next handler with nobody authenticated, as a
// handler it is answered as if every strategy had passed.
func TestRouteSkipper(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var calls atomic.Int32
	inner := f.byHeader()
	_ = f.auth.Use("header", strategy.Func[*user](func(r *http.Request) (strategy.Result[*user], error) {
		calls.Add(1)
		return inner.Authenticate(r)
	}))
	skip := passport.Skipper(skipPath("/skip"))
	f.e.GET("/skip", whoIs(f.auth), f.auth.Authenticate("header", passport.Stateless(), skip).Middleware())
	f.e.GET("/run", whoIs(f.auth), f.auth.Authenticate("header", passport.Stateless(), skip).Middleware())
	f.e.POST("/skip", f.auth.Authenticate("header", passport.SuccessRedirect("/"), skip).Handler())
	f.e.POST("/callback/skip", f.auth.Authenticate("header", passport.Skipper(skipPath("/callback/skip")),
		passport.Callback(func(c echo.Context, o passport.Outcome[*user]) error {
			return c.String(http.StatusTeapot, o.Kind.String())
		})).Handler())
	tests := []struct {
		name       string
		method     string
		path       string
		wantStatus int
		wantBody   string
		wantCalls  int32
	}{
		{"ok, middleware skipped: next runs, nobody", http.MethodGet, "/skip", http.StatusOK, "nobody session", 0},
		{"ok, middleware not skipped: the user", http.MethodGet, "/run", http.StatusOK, "1 session", 1},
		{"nok, handler skipped: 401, no login", http.MethodPost, "/skip", http.StatusUnauthorized, "", 0},
		{"ok, handler skipped: the Callback gets a pass", http.MethodPost, "/callback/skip", http.StatusTeapot, strategy.KindPass.String(), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := calls.Load()
			req := httptest.NewRequest(tt.method, tt.path, nil)
			req.Header.Set("X-User", "1")
			rec := f.do(req)
			if rec.Code != tt.wantStatus {
				t.Errorf("got %d %q; want %d", rec.Code, rec.Body, tt.wantStatus)
			}
			if tt.wantBody != "" && rec.Body.String() != tt.wantBody {
				t.Errorf("got body %q; want %q", rec.Body, tt.wantBody)
			}
			if got := calls.Load() - before; got != tt.wantCalls {
				t.Errorf("got %d strategy calls; want %d", got, tt.wantCalls)
			}
			if c := cookieOf(t, rec, "passport"); tt.wantCalls == 0 && c != nil {
				t.Errorf("skipped route set a session cookie: %v", c)
			}
		})
	}
}

// TestValidate: each Config's Validate returns, and its XWithConfig panics
// with, an error wrapping ErrInvalidConfig that names the field; a valid
// Config builds a middleware.
func TestValidate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name     string
		validate func() error
		build    func() echo.MiddlewareFunc
		field    string
	}{
		{"ok, SessionConfig zero value", passport.SessionConfig{}.Validate, func() echo.MiddlewareFunc { return f.auth.SessionWithConfig(passport.SessionConfig{}) }, ""},
		{"ok, RequireLoginConfig zero value", passport.RequireLoginConfig{}.Validate, func() echo.MiddlewareFunc { return f.auth.RequireLogin() }, ""},
		{"ok, RequireLoginConfig every field", passport.RequireLoginConfig{LoginURL: "/login?next=1", LoginFlash: "Log in.", Challenges: []string{`Bearer realm="api"`}}.Validate, nil, ""},
		{"ok, RequireLoginConfig without flash or memory", passport.RequireLoginConfig{LoginURL: "/login", DisableLoginFlash: true, DisableRememberPath: true}.Validate, nil, ""},
		{"nok, LoginFlash with DisableLoginFlash", passport.RequireLoginConfig{LoginFlash: "x", DisableLoginFlash: true}.Validate,
			func() echo.MiddlewareFunc {
				return f.auth.RequireLoginWithConfig(passport.RequireLoginConfig{LoginFlash: "x", DisableLoginFlash: true})
			}, "RequireLoginConfig.LoginFlash"},
		{"nok, LoginURL with a newline", passport.RequireLoginConfig{LoginURL: "/login\r\nX: y"}.Validate,
			func() echo.MiddlewareFunc {
				return f.auth.RequireLoginWithConfig(passport.RequireLoginConfig{LoginURL: "/login\r\nX: y"})
			}, "RequireLoginConfig.LoginURL"},
		{"nok, empty challenge", passport.RequireLoginConfig{Challenges: []string{""}}.Validate, nil, "RequireLoginConfig.Challenges"},
		{"nok, challenge with a newline", passport.RequireLoginConfig{Challenges: []string{"Bearer\nX: y"}}.Validate, nil, "RequireLoginConfig.Challenges"},
		{"ok, RequireLogoutConfig zero value", passport.RequireLogoutConfig{}.Validate, func() echo.MiddlewareFunc { return f.auth.RequireLogout("") }, ""},
		{"nok, RedirectTo with a newline", passport.RequireLogoutConfig{RedirectTo: "/\nX: y"}.Validate,
			func() echo.MiddlewareFunc { return f.auth.RequireLogout("/\nX: y") }, "RequireLogoutConfig.RedirectTo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantConfigError(t, tt.validate(), tt.field)
			if tt.build == nil {
				return
			}
			var mw echo.MiddlewareFunc
			err := recoverConfigError(t, func() { mw = tt.build() })
			wantConfigError(t, err, tt.field)
			if tt.field == "" && mw == nil {
				t.Error("got a nil middleware")
			}
		})
	}
}

// TestRequireLoginConfigDefaults: the zero value of each field keeps the
// behaviour of a RequireLogin with a LoginURL (flash, page remembered), and
// the Disable fields turn each off.
func TestRequireLoginConfigDefaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		cfg        passport.RequireLoginConfig
		wantFlash  string
		wantReturn bool
	}{
		{"ok, defaults: the default flash, the page remembered", passport.RequireLoginConfig{LoginURL: "/login"}, "Please log in to see that page.", true},
		{"ok, own flash", passport.RequireLoginConfig{LoginURL: "/login", LoginFlash: "Log in first."}, "Log in first.", true},
		{"ok, no flash", passport.RequireLoginConfig{LoginURL: "/login", DisableLoginFlash: true}, "", true},
		{"ok, page not remembered", passport.RequireLoginConfig{LoginURL: "/login", DisableRememberPath: true}, "Please log in to see that page.", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.e.GET("/secret", func(c echo.Context) error { return c.NoContent(http.StatusOK) }, f.auth.RequireLoginWithConfig(tt.cfg))
			f.e.GET("/login", func(c echo.Context) error {
				s, _ := passport.SessionFrom(c)
				back, _ := s.Get(passport.ReturnToKey)
				return c.String(http.StatusOK, strings.Join(s.Flashes("error"), "|")+";"+back)
			})
			rec := f.do(getWith("/secret?x=1", nil))
			if rec.Code != http.StatusFound || rec.Header().Get(echo.HeaderLocation) != "/login" {
				t.Fatalf("got %d %q; want 302 to /login", rec.Code, rec.Header().Get(echo.HeaderLocation))
			}
			rec = f.do(getWith("/login", cookieOf(t, rec, "passport")))
			want := tt.wantFlash + ";"
			if tt.wantReturn {
				want += "/secret?x=1"
			}
			if rec.Body.String() != want {
				t.Errorf("got %q; want %q", rec.Body, want)
			}
		})
	}
}
