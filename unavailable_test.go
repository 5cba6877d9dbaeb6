package passport_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/strategy"
)

// TestUnavailableStoreIs503 checks that a store that is down answers 503
// with Retry-After, lets nobody in, clears no cookie and leaks nothing,
// for a logged-in request and for a login; and that the session works
// again once the store is back.
func TestUnavailableStoreIs503(t *testing.T) {
	down := fmt.Errorf("redis: dial tcp 127.0.0.1:1: secret-host: %w", strategy.ErrUnavailable)
	f := newFixture(t)
	cookie := f.login(t)
	storeDown := false
	f.deserializeFn = func(_ context.Context, id string) (*user, error) {
		if storeDown {
			return nil, down
		}
		return f.users[id], nil
	}
	_ = f.auth.Use("down", strategy.Func[*user](func(*http.Request) (strategy.Result[*user], error) {
		return strategy.Result[*user]{}, down
	}))
	f.e.GET("/private", func(c echo.Context) error { return c.String(http.StatusOK, "ok") }, f.auth.RequireLogin())
	f.e.POST("/login-down", f.auth.Authenticate("down", passport.SuccessRedirect("/")).Handler())

	get := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/private", nil)
		req.AddCookie(cookie)
		return f.do(req)
	}
	storeDown = true
	for _, tt := range []struct {
		name string
		rec  *httptest.ResponseRecorder
	}{
		{"nok, logged-in request", get()},
		{"nok, login", f.do(httptest.NewRequest(http.MethodPost, "/login-down", nil))},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := tt.rec
			if rec.Code != http.StatusServiceUnavailable {
				t.Fatalf("status %d; want 503", rec.Code)
			}
			if got := rec.Header().Get("Retry-After"); got != "5" {
				t.Errorf("Retry-After %q; want 5", got)
			}
			if len(rec.Result().Cookies()) != 0 {
				t.Errorf("set cookies %v; want none (the session cookie is kept)", rec.Result().Cookies())
			}
			if strings.Contains(rec.Body.String(), "secret") {
				t.Errorf("body %q leaks the cause", rec.Body.String())
			}
		})
	}
	storeDown = false
	if rec := get(); rec.Code != http.StatusOK {
		t.Errorf("after the outage: status %d; want 200 with the same cookie", rec.Code)
	}
}

// TestUnavailableRetryAfterConfig checks the Retry-After setting.
func TestUnavailableRetryAfterConfig(t *testing.T) {
	base := passport.Config[*user]{
		Serialize:   func(u *user) (string, error) { return u.ID, nil },
		Deserialize: func(context.Context, string) (*user, error) { return nil, nil },
	}
	tests := []struct {
		name string
		wait time.Duration
		want string
	}{
		{"ok, default", 0, "5"},
		{"ok, rounded up to whole seconds", 1500 * time.Millisecond, "2"},
		{"nok, negative", -time.Second, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			cfg.UnavailableRetryAfter = tt.wait
			auth, err := passport.New(cfg)
			if tt.want == "" {
				if !errors.Is(err, passport.ErrInvalidConfig) {
					t.Fatalf("err = %v; want ErrInvalidConfig", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_ = auth.Use("down", strategy.Func[*user](func(*http.Request) (strategy.Result[*user], error) {
				return strategy.Result[*user]{}, strategy.ErrUnavailable
			}))
			e := echo.New()
			e.GET("/api", func(c echo.Context) error { return nil }, auth.Authenticate("down", passport.Stateless()).Middleware())
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api", nil))
			if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != tt.want {
				t.Errorf("got %d Retry-After %q; want 503 %s", rec.Code, rec.Header().Get("Retry-After"), tt.want)
			}
		})
	}
}
