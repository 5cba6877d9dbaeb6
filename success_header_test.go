package passport_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/strategy"
)

// TestSuccessHeadersAreSent checks that the headers a success asks for (the
// local strategy's device cookie) reach the response of a login and of a
// callback, and that a stateless route, which sets no cookies, drops them.
func TestSuccessHeadersAreSent(t *testing.T) {
	f := newFixture(t)
	_ = f.auth.Use("dev", strategy.Func[*user](func(*http.Request) (strategy.Result[*user], error) {
		return strategy.Success(f.users["1"], strategy.Info{}).WithHeader("Set-Cookie", "device=abc; Path=/; HttpOnly"), nil
	}))
	f.e.POST("/login", f.auth.Authenticate("dev", passport.SuccessRedirect("/")).Handler())
	f.e.GET("/api", func(c echo.Context) error { return c.NoContent(http.StatusOK) }, f.auth.Authenticate("dev", passport.Stateless()).Middleware())
	f.e.GET("/cb", f.auth.Authenticate("dev", passport.Callback(func(c echo.Context, _ passport.Outcome[*user]) error {
		return c.NoContent(http.StatusAccepted)
	})).Handler())

	tests := []struct {
		name, method, target string
		status               int
		sent                 bool
	}{
		{"ok, login and redirect", http.MethodPost, "/login", http.StatusFound, true},
		{"ok, callback", http.MethodGet, "/cb", http.StatusAccepted, true},
		{"nok, stateless", http.MethodGet, "/api", http.StatusOK, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := f.do(httptest.NewRequest(tt.method, tt.target, nil))
			if rec.Code != tt.status {
				t.Fatalf("status: got %d; want %d", rec.Code, tt.status)
			}
			c := cookieOf(t, rec, "device")
			if !tt.sent {
				if c != nil {
					t.Errorf("device cookie: got %v; want none", c)
				}
				return
			}
			if c == nil || c.Value != "abc" || !c.HttpOnly {
				t.Errorf("device cookie: got %v; want device=abc, HttpOnly", c)
			}
		})
	}
}
