package redisstore_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/internal/testenv"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/redisstore"
	"github.com/gopassport/passport/strategy"
)

// Through passport's Echo middleware: a stalled Redis is a 503 with
// Retry-After for a logged-in page, within Timeout+100ms, with no cookie
// set or cleared; once Redis answers again the same cookie is the user.
func TestPassportOutage(t *testing.T) {
	r := testenv.StartRedis(t)
	client := redis.NewClient(&redis.Options{Addr: r.Addr, ContextTimeoutEnabled: true})
	t.Cleanup(func() { client.Close() })
	st, err := redisstore.New(client, redisstore.Config{Keys: [][]byte{newKey(t)}, Timeout: outageTimeout})
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := session.New(session.Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	auth, err := passport.New(passport.Config[string]{
		Sessions:    mgr,
		Serialize:   func(u string) (string, error) { return u, nil },
		Deserialize: func(_ context.Context, id string) (string, error) { return id, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := auth.Use("header", strategy.Func[string](func(r *http.Request) (strategy.Result[string], error) {
		return strategy.Success(r.Header.Get("X-User"), strategy.Info{}), nil
	})); err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.Use(auth.Session())
	e.POST("/login", auth.Authenticate("header", passport.SuccessRedirect("/private")).Handler())
	e.GET("/private", func(c echo.Context) error {
		u, _ := auth.User(c)
		return c.String(http.StatusOK, u)
	}, auth.RequireLogin())
	// A page that never asks for the session, and an API route whose
	// strategy keeps no state: they need no store.
	e.GET("/plain", func(c echo.Context) error { return c.String(http.StatusOK, "plain") })
	if err := auth.Use("token", strategy.Func[string](func(r *http.Request) (strategy.Result[string], error) {
		if r.Header.Get("Authorization") != "Bearer good" {
			return strategy.Fail[string](`Bearer realm="api"`, 0, strategy.MsgInvalidToken), nil
		}
		return strategy.Success("api-client", strategy.Info{}), nil
	})); err != nil {
		t.Fatal(err)
	}
	e.GET("/api/me", func(c echo.Context) error {
		u, _ := auth.User(c)
		return c.String(http.StatusOK, u)
	}, auth.Authenticate("token", passport.Stateless()).Middleware())

	req := httptest.NewRequest(http.MethodPost, "/login", nil)
	req.Header.Set("X-User", "alice")
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	cookie := cookieOf(rec.Header(), mgr.Name())
	if cookie == nil {
		t.Fatalf("login: got status %d and no cookie; want a session cookie", rec.Code)
	}
	get := func() (*httptest.ResponseRecorder, time.Duration) {
		req := httptest.NewRequest(http.MethodGet, "/private", nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		start := time.Now()
		e.ServeHTTP(rec, req)
		return rec, time.Since(start)
	}
	if rec, _ := get(); rec.Code != http.StatusOK || rec.Body.String() != "alice" {
		t.Fatalf("before the outage: got %d %q; want 200 alice", rec.Code, rec.Body.String())
	}

	r.Pause()
	rec, took := get()
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("got status %d, Retry-After %q; want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
	if got := rec.Header().Values("Set-Cookie"); len(got) != 0 {
		t.Errorf("got Set-Cookie %q; want none", got)
	}
	if limit := outageTimeout + 100*time.Millisecond; took > limit {
		t.Errorf("took %v; want at most %v", took, limit)
	}
	// A login during the outage: 503, no session cookie.
	req = httptest.NewRequest(http.MethodPost, "/login", nil)
	req.Header.Set("X-User", "bob")
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || cookieOf(rec.Header(), mgr.Name()) != nil {
		t.Errorf("login during the outage: got %d, cookie %v; want 503 and no session cookie", rec.Code, cookieOf(rec.Header(), mgr.Name()))
	}
	// What needs no store keeps answering, the session cookie sent or not.
	for _, tc := range []struct{ path, auth, want string }{{"/plain", "", "plain"}, {"/api/me", "Bearer good", "api-client"}} {
		req := httptest.NewRequest(http.MethodGet, tc.path, nil)
		req.AddCookie(cookie)
		if tc.auth != "" {
			req.Header.Set("Authorization", tc.auth)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || rec.Body.String() != tc.want {
			t.Errorf("%s during the outage: got %d %q; want 200 %q", tc.path, rec.Code, rec.Body.String(), tc.want)
		}
	}
	r.Resume()
	if rec, _ := get(); rec.Code != http.StatusOK || rec.Body.String() != "alice" {
		t.Errorf("after the outage: got %d %q; want 200 alice with the same cookie", rec.Code, rec.Body.String())
	}
}
