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
