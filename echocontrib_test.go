package passport_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/gorilla/sessions"
	contrib "github.com/labstack/echo-contrib/session"
	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/local"
)

// TestEchoContribSession runs an app that keeps a cart counter in its own
// echo-contrib/session store beside passport's login session, with the
// echo-contrib middleware registered before and after passport's: in both
// orders the cart survives a login and the login survives the cart.
func TestEchoContribSession(t *testing.T) {
	for _, tt := range []struct {
		name        string
		contribLast bool
	}{
		{"ok, echo-contrib before passport", false},
		{"ok, echo-contrib after passport", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			key, _ := session.GenerateKey()
			store, _ := session.NewCookieStore(key)
			mgr, _ := session.New(session.Config{Store: store})
			auth, err := passport.New(passport.Config[string]{
				Sessions:    mgr,
				Serialize:   func(u string) (string, error) { return u, nil },
				Deserialize: func(_ context.Context, k string) (string, error) { return k, nil },
			})
			if err != nil {
				t.Fatal(err)
			}
			s, err := local.New(local.Config[string]{DisableThrottle: true, Verify: func(_ context.Context, name, pw string) (string, error) {
				if name == "ada" && pw == "pw" {
					return "ada", nil
				}
				return "", strategy.ErrInvalidCredentials
			}})
			if err != nil {
				t.Fatal(err)
			}
			_ = auth.Use("local", s)
			appStore := sessions.NewCookieStore([]byte("an-app-key-of-32-bytes-or-more!!"))
			cartHandler := func(c echo.Context) error {
				cart, err := contrib.Get("cart", c)
				if err != nil {
					return err
				}
				n, _ := cart.Values["n"].(int)
				cart.Values["n"] = n + 1
				if err := cart.Save(c.Request(), c.Response()); err != nil {
					return err
				}
				return c.String(http.StatusOK, strconv.Itoa(n+1))
			}
			// before: the app as it ran before it added passport.
			before := echo.New()
			before.Use(contrib.Middleware(appStore))
			before.POST("/cart", cartHandler)
			e := echo.New()
			if tt.contribLast {
				e.Use(auth.Session(), contrib.Middleware(appStore))
			} else {
				e.Use(contrib.Middleware(appStore), auth.Session())
			}
			e.POST("/cart", cartHandler)
			e.POST("/login", auth.Authenticate("local", passport.SuccessRedirect("/")).Handler())
			e.GET("/me", func(c echo.Context) error {
				u, ok := auth.User(c)
				if !ok {
					return c.String(http.StatusUnauthorized, "nobody")
				}
				return c.String(http.StatusOK, u)
			})

			jar := map[string]*http.Cookie{}
			serve := func(h http.Handler, method, path string, form url.Values) *httptest.ResponseRecorder {
				req := httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				for _, c := range jar {
					req.AddCookie(c)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				for _, c := range rec.Result().Cookies() {
					jar[c.Name] = c
				}
				return rec
			}
			do := func(method, path string, form url.Values) *httptest.ResponseRecorder {
				return serve(e, method, path, form)
			}
			for i, want := range []string{"1", "2"} {
				if rec := serve(before, http.MethodPost, "/cart", nil); rec.Code != http.StatusOK || rec.Body.String() != want {
					t.Fatalf("cart %d: got %d %q; want 200 %q", i, rec.Code, rec.Body.String(), want)
				}
			}
			if rec := do(http.MethodPost, "/login", url.Values{"username": {"ada"}, "password": {"pw"}}); rec.Code != http.StatusFound {
				t.Fatalf("login: got %d; want 302", rec.Code)
			}
			if rec := do(http.MethodPost, "/cart", nil); rec.Code != http.StatusOK || rec.Body.String() != "3" {
				t.Errorf("cart after login: got %d %q; want 200 \"3\"", rec.Code, rec.Body.String())
			}
			if rec := do(http.MethodGet, "/me", nil); rec.Code != http.StatusOK || rec.Body.String() != "ada" {
				t.Errorf("me: got %d %q; want 200 \"ada\"", rec.Code, rec.Body.String())
			}
		})
	}
}
