package passport_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/strategy"
)

const (
	browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	throttledMsg  = "Too many attempts. Try again later."
)

// errorApp is the fixture with the library's error handler, a throttled
// login route, a RequireLogin page and a failing handler.
func errorApp(t *testing.T, cfg passport.ErrorHandlerConfig) (*fixture, *bytes.Buffer) {
	t.Helper()
	f := newFixture(t)
	var logs bytes.Buffer
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	}
	f.e.HTTPErrorHandler = passport.ErrorHandler(cfg)
	if err := f.auth.Use("throttled", strategy.Func[*user](func(*http.Request) (strategy.Result[*user], error) {
		return strategy.Fail[*user]("", http.StatusTooManyRequests, throttledMsg).WithHeader("Retry-After", "300"), nil
	})); err != nil {
		t.Fatal(err)
	}
	if err := f.auth.Use("header", f.byHeader()); err != nil {
		t.Fatal(err)
	}
	f.e.POST("/sessions/logon", f.auth.Authenticate("throttled", passport.SuccessRedirect("/")).Handler())
	f.e.GET("/api/me", func(c echo.Context) error { return c.NoContent(http.StatusOK) }, f.auth.Authenticate("header", passport.Stateless()).Middleware())
	f.e.Match([]string{http.MethodGet, http.MethodHead}, "/secret", func(c echo.Context) error { return c.NoContent(http.StatusOK) }, f.auth.RequireLoginWithConfig(passport.RequireLoginConfig{Challenges: []string{`Test realm="t"`}}))
	f.e.GET("/boom", func(echo.Context) error { return errors.New("db password=hunter2 unreachable") })
	return f, &logs
}

func TestErrorHandlerNegotiates(t *testing.T) {
	tests := []struct {
		name, method, path, accept, xhr string
		wantStatus                      int
		wantType                        string
		wantBody                        []string
		wantHeader                      map[string]string
	}{
		{name: "ok, browser gets an HTML 429 page with the wait and a link back", method: http.MethodPost, path: "/sessions/logon", accept: browserAccept,
			wantStatus: 429, wantType: "text/html", wantBody: []string{"429 Too Many Requests", throttledMsg, "Try again in 5 minutes.", `href="/sessions/logon"`},
			wantHeader: map[string]string{"Retry-After": "300"}},
		{name: "ok, API client gets JSON 429 with retry_after", method: http.MethodPost, path: "/sessions/logon", accept: "application/json",
			wantStatus: 429, wantType: "application/json", wantBody: []string{`"error":"` + throttledMsg + `"`, `"status":429`, `"retry_after":300`},
			wantHeader: map[string]string{"Retry-After": "300"}},
		{name: "ok, XMLHttpRequest gets JSON even with a browser Accept", method: http.MethodPost, path: "/sessions/logon", accept: browserAccept, xhr: "XMLHttpRequest",
			wantStatus: 429, wantType: "application/json", wantBody: []string{`"status":429`}},
		{name: "ok, curl's */* gets plain text with the wait", method: http.MethodPost, path: "/sessions/logon", accept: "*/*",
			wantStatus: 429, wantType: "text/plain", wantBody: []string{throttledMsg + " Try again in 5 minutes."}},
		{name: "ok, RequireLogin without LoginURL: HTML 401 page for a browser, challenge kept", method: http.MethodGet, path: "/secret", accept: browserAccept,
			wantStatus: 401, wantType: "text/html", wantBody: []string{"401 Unauthorized", `href="/"`},
			wantHeader: map[string]string{"WWW-Authenticate": `Test realm="t"`}},
		{name: "ok, API route gets JSON whatever it accepts, challenge kept", method: http.MethodGet, path: "/api/me", accept: browserAccept,
			wantStatus: 401, wantType: "application/json", wantBody: []string{`"error":"Missing credentials"`},
			wantHeader: map[string]string{"WWW-Authenticate": `Test realm="t"`}},
		{name: "ok, HEAD gets the status and headers without a body", method: http.MethodHead, path: "/secret", accept: browserAccept,
			wantStatus: 401, wantHeader: map[string]string{"WWW-Authenticate": `Test realm="t"`}},
		{name: "nok, a fault shows only the status text to a browser", method: http.MethodGet, path: "/boom", accept: browserAccept,
			wantStatus: 500, wantType: "text/html", wantBody: []string{"500 Internal Server Error"}},
		{name: "nok, a fault shows only the status text to an API client", method: http.MethodGet, path: "/boom", accept: "application/json",
			wantStatus: 500, wantType: "application/json", wantBody: []string{`"error":"Internal Server Error"`}},
		{name: "nok, unknown route is a 404 page", method: http.MethodGet, path: "/nowhere", accept: browserAccept,
			wantStatus: 404, wantType: "text/html", wantBody: []string{"404 Not Found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, logs := errorApp(t, passport.ErrorHandlerConfig{APIPrefixes: []string{"/api/"}})
			req := httptest.NewRequest(tt.method, tt.path, nil)
			req.Header.Set("Accept", tt.accept)
			if tt.xhr != "" {
				req.Header.Set("X-Requested-With", tt.xhr)
			}
			rec := f.do(req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d; want %d (body %q)", rec.Code, tt.wantStatus, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, tt.wantType) {
				t.Errorf("Content-Type %q; want %q", ct, tt.wantType)
			}
			if tt.wantType != "" && rec.Header().Get("X-Content-Type-Options") != "nosniff" && tt.wantType != "application/json" {
				t.Errorf("X-Content-Type-Options %q; want nosniff", rec.Header().Get("X-Content-Type-Options"))
			}
			if tt.method == http.MethodHead && rec.Body.Len() != 0 {
				t.Errorf("HEAD body %q; want none", rec.Body)
			}
			for _, want := range tt.wantBody {
				if !strings.Contains(rec.Body.String(), want) {
					t.Errorf("body %q; want it to contain %q", rec.Body, want)
				}
			}
			for k, v := range tt.wantHeader {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("%s %q; want %q", k, got, v)
				}
			}
			if strings.Contains(rec.Body.String(), "hunter2") {
				t.Errorf("body %q leaks the fault", rec.Body)
			}
			if tt.wantStatus == 500 && !strings.Contains(logs.String(), "hunter2") {
				t.Errorf("log %q; want the fault's cause", logs)
			}
			if tt.wantType == "application/json" {
				var v map[string]any
				if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
					t.Errorf("body %q is not JSON: %v", rec.Body, err)
				}
			}
		})
	}
}

func TestErrorHandlerOverrides(t *testing.T) {
	fr := map[string]string{
		throttledMsg:               "Trop de tentatives.",
		"Too Many Requests":        "Trop de requêtes",
		"Try again in %d minutes.": "Réessayez dans %d minutes.",
		"Back":                     "Retour",
	}
	translate := func(_ context.Context, m string) string {
		if s, ok := fr[m]; ok {
			return s
		}
		return m
	}
	t.Run("ok, every text is translated in one place", func(t *testing.T) {
		f, _ := errorApp(t, passport.ErrorHandlerConfig{Translate: translate})
		req := httptest.NewRequest(http.MethodPost, "/sessions/logon", nil)
		req.Header.Set("Accept", browserAccept)
		rec := f.do(req)
		for _, want := range []string{"Trop de requêtes", "Trop de tentatives.", "Réessayez dans 5 minutes.", ">Retour<"} {
			if !strings.Contains(rec.Body.String(), want) {
				t.Errorf("body %q; want %q", rec.Body, want)
			}
		}
		if strings.Contains(rec.Body.String(), throttledMsg) {
			t.Errorf("body %q still has the English message", rec.Body)
		}
	})
	t.Run("ok, the app's template is used and escapes", func(t *testing.T) {
		tmpl := template.Must(template.New("e").Parse(`<main data-status="{{.Status}}">{{.Message}}|{{.RetryAfter}}|{{.BackURL}}</main>`))
		f, _ := errorApp(t, passport.ErrorHandlerConfig{Template: tmpl, BackURL: func(echo.Context) string { return "https://evil.example/" }})
		f.e.GET("/xss", func(echo.Context) error { return echo.NewHTTPError(http.StatusBadRequest, "<script>x</script>") })
		req := httptest.NewRequest(http.MethodGet, "/xss", nil)
		req.Header.Set("Accept", browserAccept)
		rec := f.do(req)
		if want := `<main data-status="400">&lt;script&gt;x&lt;/script&gt;|0|/</main>`; rec.Body.String() != want {
			t.Errorf("body %q; want %q", rec.Body, want)
		}
	})
	t.Run("ok, Render writes the page with the request at hand", func(t *testing.T) {
		render := func(c echo.Context, p passport.ErrorPage) error {
			return c.HTML(p.Status, "<p>"+c.Request().Header.Get("X-User")+"|"+p.Message+"|"+p.Wait+"|"+p.BackURL+"</p>")
		}
		f, _ := errorApp(t, passport.ErrorHandlerConfig{Render: render})
		req := httptest.NewRequest(http.MethodPost, "/sessions/logon", nil)
		req.Header.Set("Accept", browserAccept)
		req.Header.Set("X-User", "alice")
		rec := f.do(req)
		if want := "<p>alice|" + throttledMsg + "|Try again in 5 minutes.|/sessions/logon</p>"; rec.Code != http.StatusTooManyRequests || rec.Body.String() != want {
			t.Errorf("got %d %q; want 429 %q", rec.Code, rec.Body, want)
		}
		for k, want := range map[string]string{"Retry-After": "300", "X-Content-Type-Options": "nosniff"} {
			if got := rec.Header().Get(k); got != want {
				t.Errorf("%s = %q; want %q", k, got, want)
			}
		}
	})
	t.Run("nok, a failing Render falls back to text and is logged", func(t *testing.T) {
		for _, tt := range []struct {
			name   string
			render func(echo.Context, passport.ErrorPage) error
			log    string
		}{
			{"error", func(echo.Context, passport.ErrorPage) error { return errors.New("renderer lost") }, "renderer lost"},
			{"nothing written", func(echo.Context, passport.ErrorPage) error { return nil }, "without writing"},
		} {
			f, logs := errorApp(t, passport.ErrorHandlerConfig{Render: tt.render})
			req := httptest.NewRequest(http.MethodPost, "/sessions/logon", nil)
			req.Header.Set("Accept", browserAccept)
			rec := f.do(req)
			if want := throttledMsg + " Try again in 5 minutes.\n"; rec.Code != http.StatusTooManyRequests || rec.Body.String() != want {
				t.Errorf("%s: got %d %q; want 429 %q", tt.name, rec.Code, rec.Body, want)
			}
			if !strings.Contains(logs.String(), tt.log) {
				t.Errorf("%s: log %q; want %q", tt.name, logs, tt.log)
			}
		}
	})
	t.Run("ok, a Retry-After date is read with the configured clock", func(t *testing.T) {
		now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		f, _ := errorApp(t, passport.ErrorHandlerConfig{Now: func() time.Time { return now }})
		f.e.GET("/later", func(c echo.Context) error {
			c.Response().Header().Set("Retry-After", now.Add(45*time.Second).Format(http.TimeFormat))
			return echo.NewHTTPError(http.StatusServiceUnavailable, "down")
		})
		req := httptest.NewRequest(http.MethodGet, "/later", nil)
		req.Header.Set("Accept", browserAccept)
		rec := f.do(req)
		if !strings.Contains(rec.Body.String(), "Try again in 45 seconds.") {
			t.Errorf("body %q; want the wait of 45 seconds", rec.Body)
		}
	})
	t.Run("nok, a committed response is left alone", func(t *testing.T) {
		f, _ := errorApp(t, passport.ErrorHandlerConfig{})
		f.e.GET("/half", func(c echo.Context) error {
			if err := c.String(http.StatusOK, "partial"); err != nil {
				return err
			}
			return errors.New("late fault")
		})
		rec := f.do(httptest.NewRequest(http.MethodGet, "/half", nil))
		if rec.Code != http.StatusOK || rec.Body.String() != "partial" {
			t.Errorf("got %d %q; want 200 \"partial\"", rec.Code, rec.Body)
		}
	})
}
