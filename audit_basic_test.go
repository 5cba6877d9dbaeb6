package passport_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/apikey"
	"github.com/gopassport/passport/strategy/basic"
)

// TestAuditFailedBasicLogin checks that a failed Basic login's audit record
// names the username tried, escaped, and that a failed API key names none
// (a key is a secret).
func TestAuditFailedBasicLogin(t *testing.T) {
	var buf bytes.Buffer
	auth, err := passport.New(passport.Config[string]{
		Serialize:   func(u string) (string, error) { return u, nil },
		Deserialize: func(_ context.Context, k string) (string, error) { return k, nil },
		Audit:       slog.New(slog.NewJSONHandler(&buf, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := basic.New(basic.Config[string]{Verify: func(context.Context, string, string) (string, error) {
		return "", strategy.ErrInvalidCredentials
	}})
	if err != nil {
		t.Fatal(err)
	}
	k, err := apikey.New(apikey.Config[string]{Verify: func(context.Context, string) (string, error) {
		return "", strategy.ErrInvalidCredentials
	}})
	if err != nil {
		t.Fatal(err)
	}
	_ = auth.Use("basic", b)
	_ = auth.Use("apikey", k)
	e := echo.New()
	e.GET("/basic", func(c echo.Context) error { return c.NoContent(http.StatusOK) }, auth.Authenticate("basic", passport.Stateless()).Middleware())
	e.GET("/key", func(c echo.Context) error { return c.NoContent(http.StatusOK) }, auth.Authenticate("apikey", passport.Stateless()).Middleware())

	tests := []struct {
		name, path, header, value string
		wantUsername              any // nil: no username member
	}{
		{name: "nok, basic names the username, escaped", path: "/basic", header: "Authorization",
			value: "Basic " + base64.StdEncoding.EncodeToString([]byte("alice\u202e:wrong")), wantUsername: `alice\u202e`},
		{name: "nok, apikey names nobody", path: "/key", header: "X-API-Key", value: "secret-key-123"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buf.Reset()
			req := httptest.NewRequest(http.MethodGet, tt.path, nil)
			req.Header.Set(tt.header, tt.value)
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code != http.StatusUnauthorized {
				t.Fatalf("got %d; want 401", rec.Code)
			}
			var m map[string]any
			if err := json.Unmarshal(bytes.TrimSpace(buf.Bytes()), &m); err != nil {
				t.Fatalf("audit %q: %v", buf.String(), err)
			}
			if m["event"] != "login_failed" || m["username"] != tt.wantUsername {
				t.Errorf("got %v; want login_failed with username %v", m, tt.wantUsername)
			}
			if strings.Contains(buf.String(), "secret-key-123") || strings.Contains(buf.String(), "wrong") {
				t.Errorf("the audit record holds a secret: %s", buf.String())
			}
		})
	}
}
