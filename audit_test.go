package passport_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/local"
)

// TestAuditLog checks the audit records of a failed login, a login and a
// logout: event, strategy, user key and client IP, and never the password,
// the cookie or the session ID.
func TestAuditLog(t *testing.T) {
	var buf bytes.Buffer
	key, _ := session.GenerateKey()
	store, _ := session.NewCookieStore(key)
	mgr, _ := session.New(session.Config{Store: store})
	auth, err := passport.New(passport.Config[string]{
		Sessions:    mgr,
		Serialize:   func(u string) (string, error) { return "user-" + u, nil },
		Deserialize: func(_ context.Context, k string) (string, error) { return strings.TrimPrefix(k, "user-"), nil },
		Audit:       slog.New(slog.NewJSONHandler(&buf, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	const password = "hunter2-very-secret"
	s, err := local.New(local.Config[string]{Verify: func(_ context.Context, name, pw string) (string, error) {
		if name == "ada" && pw == password {
			return "ada", nil
		}
		return "", strategy.ErrInvalidCredentials
	}})
	if err != nil {
		t.Fatal(err)
	}
	_ = auth.Use("local", s)
	e := echo.New()
	e.IPExtractor = echo.ExtractIPDirect()
	e.Use(auth.Session())
	e.POST("/login", auth.Authenticate("local", passport.SuccessRedirect("/"), passport.FailureRedirect("/login")).Handler())
	e.POST("/logout", func(c echo.Context) error { return auth.Logout(c) })

	post := func(path, pw string, cookie *http.Cookie) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(url.Values{"username": {"ada"}, "password": {pw}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = "203.0.113.9:5555"
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}
	post("/login", "wrong-"+password, nil)
	rec := post("/login", password, nil)
	cookie := cookieOf(t, rec, "passport") // the session cookie; the device cookie is the other
	if cookie == nil {
		t.Fatal("login set no session cookie")
	}
	post("/logout", "", cookie)

	var events []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		events = append(events, m)
	}
	want := []struct{ event, user string }{{"login_failed", ""}, {"login", "user-ada"}, {"logout", "user-ada"}}
	if len(events) != len(want) {
		t.Fatalf("got %d audit records; want %d:\n%s", len(events), len(want), buf.String())
	}
	for i, w := range want {
		if events[i]["event"] != w.event || events[i]["ip"] != "203.0.113.9" {
			t.Errorf("record %d: got %v; want event %s from 203.0.113.9", i, events[i], w.event)
		}
		if w.user != "" && events[i]["user"] != w.user {
			t.Errorf("record %d: got user %v; want %s", i, events[i]["user"], w.user)
		}
	}
	if events[1]["strategy"] != "local" {
		t.Errorf("login record: got strategy %v; want local", events[1]["strategy"])
	}
	for _, secret := range []string{password, cookie.Value} {
		if strings.Contains(buf.String(), secret) {
			t.Errorf("the audit log contains a secret: %s", buf.String())
		}
	}
}

// TestAuditDefaults checks that audit records go to slog.Default() unless
// the app says otherwise, that DisableAudit turns them off, that a failed
// login's record carries the username tried, escaped, and that a session
// cookie that does not open is a session.tamper record of its own.
func TestAuditDefaults(t *testing.T) {
	const password = "hunter2-very-secret"
	build := func(t *testing.T, cfg passport.Config[string]) *echo.Echo {
		t.Helper()
		key, _ := session.GenerateKey()
		store, _ := session.NewCookieStore(key)
		mgr, _ := session.New(session.Config{Store: store})
		cfg.Sessions = mgr
		cfg.Serialize = func(u string) (string, error) { return u, nil }
		cfg.Deserialize = func(_ context.Context, k string) (string, error) { return k, nil }
		auth, err := passport.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		s, err := local.New(local.Config[string]{DisableThrottle: true, Verify: func(context.Context, string, string) (string, error) {
			return "", strategy.ErrInvalidCredentials
		}})
		if err != nil {
			t.Fatal(err)
		}
		_ = auth.Use("local", s)
		_ = auth.Use("forged", strategy.Func[string](func(*http.Request) (strategy.Result[string], error) {
			return strategy.Fail[string]("", http.StatusUnauthorized, "no").WithUsername("eve\nevent=login user=admin\x1b[2J"), nil
		}))
		e := echo.New()
		e.Use(auth.Session())
		e.POST("/login", auth.Authenticate("local", passport.SuccessRedirect("/")).Handler())
		e.POST("/forged", auth.Authenticate("forged", passport.SuccessRedirect("/")).Handler())
		e.GET("/me", func(c echo.Context) error {
			if _, ok := auth.User(c); ok {
				return c.String(http.StatusOK, "someone")
			}
			return c.String(http.StatusOK, "nobody")
		})
		return e
	}
	serve := func(e *echo.Echo, method, path string, cookie *http.Cookie) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(url.Values{"username": {"ada"}, "password": {password}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}
	var def bytes.Buffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&def, nil)))
	t.Cleanup(func() { slog.SetDefault(old) })

	t.Run("ok, failed login logged to slog.Default with the username", func(t *testing.T) {
		def.Reset()
		e := build(t, passport.Config[string]{})
		if rec := serve(e, http.MethodPost, "/login", nil); rec.Code != http.StatusUnauthorized {
			t.Fatalf("got %d; want 401", rec.Code)
		}
		out := def.String()
		if !strings.Contains(out, "level=INFO") || !strings.Contains(out, "event=login_failed") || !strings.Contains(out, "username=ada") {
			t.Errorf("got %q; want an Info login_failed record with username=ada", out)
		}
		if strings.Contains(out, password) {
			t.Errorf("the audit log contains the password: %q", out)
		}
	})
	t.Run("ok, the username tried is escaped", func(t *testing.T) {
		def.Reset()
		e := build(t, passport.Config[string]{})
		serve(e, http.MethodPost, "/forged", nil)
		out := def.String()
		if n := strings.Count(out, "\n"); n != 1 {
			t.Errorf("got %d log lines; want 1: %q", n, out)
		}
		if strings.Contains(out, "\x1b") || !strings.Contains(out, `eve\\nevent=login`) {
			t.Errorf("got %q; want the username with its newline and escape code escaped", out)
		}
	})
	t.Run("ok, DisableAudit logs nothing", func(t *testing.T) {
		def.Reset()
		e := build(t, passport.Config[string]{DisableAudit: true})
		serve(e, http.MethodPost, "/login", nil)
		if def.Len() != 0 {
			t.Errorf("got %q; want no record", def.String())
		}
	})
	t.Run("nok, Audit and DisableAudit", func(t *testing.T) {
		_, err := passport.New(passport.Config[string]{
			Serialize:    func(u string) (string, error) { return u, nil },
			Deserialize:  func(_ context.Context, k string) (string, error) { return k, nil },
			Audit:        slog.Default(),
			DisableAudit: true,
		})
		if err == nil || !strings.Contains(err.Error(), "DisableAudit") {
			t.Errorf("got %v; want an error naming DisableAudit", err)
		}
	})
	for _, tt := range []struct {
		name   string
		cookie *http.Cookie
		tamper bool
	}{
		{"ok, no cookie is no tamper", nil, false},
		{"nok, a forged cookie is session.tamper", &http.Cookie{Name: "passport", Value: "Zm9yZ2VkLWNvb2tpZS12YWx1ZQ"}, true},
		{"nok, a cookie that is not even base64 is session.tamper", &http.Cookie{Name: "passport", Value: "!!!"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			def.Reset()
			e := build(t, passport.Config[string]{})
			rec := serve(e, http.MethodGet, "/me", tt.cookie)
			if rec.Code != http.StatusOK || rec.Body.String() != "nobody" {
				t.Fatalf("got %d %q; want 200 nobody", rec.Code, rec.Body.String())
			}
			out := def.String()
			if got := strings.Contains(out, "event=session.tamper"); got != tt.tamper {
				t.Errorf("session.tamper logged %v; want %v: %q", got, tt.tamper, out)
			}
			if tt.tamper && (!strings.Contains(out, "level=WARN") || strings.Contains(out, tt.cookie.Value)) {
				t.Errorf("got %q; want a Warn record without the cookie's value", out)
			}
		})
	}
}

// TestAuditDefaultSkipsStatelessTraffic checks that the default audit log
// (slog.Default) records logins, not every bearer-token request, while an
// explicit Config.Audit still gets a record per Stateless success.
func TestAuditDefaultSkipsStatelessTraffic(t *testing.T) {
	prev := slog.Default()
	t.Cleanup(func() { slog.SetDefault(prev) })
	for _, tt := range []struct {
		name     string
		explicit bool
		want     int
	}{
		{"ok, default logger: no record per request", false, 0},
		{"ok, explicit Audit: a record per request", true, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var def, own bytes.Buffer
			slog.SetDefault(slog.New(slog.NewTextHandler(&def, nil)))
			cfg := passport.Config[string]{
				Serialize:   func(u string) (string, error) { return u, nil },
				Deserialize: func(_ context.Context, k string) (string, error) { return k, nil },
			}
			if tt.explicit {
				cfg.Audit = slog.New(slog.NewTextHandler(&own, nil))
			}
			auth, err := passport.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_ = auth.Use("token", strategy.Func[string](func(*http.Request) (strategy.Result[string], error) {
				return strategy.Success("ada", strategy.Info{}), nil
			}))
			e := echo.New()
			e.GET("/api", func(c echo.Context) error { return c.NoContent(http.StatusOK) }, auth.Authenticate("token", passport.Stateless()).Middleware())
			for range 2 {
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api", nil))
				if rec.Code != http.StatusOK {
					t.Fatalf("status: got %d; want 200", rec.Code)
				}
			}
			got := strings.Count(def.String(), "passport: login") + strings.Count(own.String(), "passport: login")
			if got != tt.want {
				t.Errorf("login records: got %d; want %d\ndefault: %s\nown: %s", got, tt.want, def.String(), own.String())
			}
		})
	}
}
