package passport_test

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
)

// wantConfigError asserts that err is a configuration mistake naming
// field, or no error when field is "".
func wantConfigError(t *testing.T, err error, field string) {
	t.Helper()
	if field == "" {
		if err != nil {
			t.Fatalf("got %v; want no error", err)
		}
		return
	}
	if !errors.Is(err, passport.ErrInvalidConfig) {
		t.Fatalf("got %v; want an error wrapping ErrInvalidConfig", err)
	}
	if !strings.HasPrefix(err.Error(), "passport: ") || !strings.Contains(err.Error(), field) {
		t.Errorf("got %q; want the package prefix and %s", err, field)
	}
}

// recoverConfigError runs f and returns the error it panicked with, nil
// when it did not panic.
func recoverConfigError(t *testing.T, f func()) (err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			var ok bool
			if err, ok = p.(error); !ok {
				t.Fatalf("panicked with %T %v; want an error", p, p)
			}
		}
	}()
	f()
	return nil
}

// TestNewRefusesBadConfig: New refuses a Config value that can only be a
// mistake with an error wrapping ErrInvalidConfig that names the field.
func TestNewRefusesBadConfig(t *testing.T) {
	ser := func(u *user) (string, error) { return u.ID, nil }
	deser := func(context.Context, string) (*user, error) { return nil, passport.ErrUserNotFound }
	tests := []struct {
		name  string
		cfg   passport.Config[*user]
		field string // "" when New must succeed
	}{
		{"ok, zero value means default", passport.Config[*user]{Serialize: ser, Deserialize: deser}, ""},
		{"ok, KeepOnLogin of the app's keys", passport.Config[*user]{Serialize: ser, Deserialize: deser, KeepOnLogin: []string{"cart", "pref.*", "passport_theme"}}, ""},
		{"nok, Serialize missing", passport.Config[*user]{Deserialize: deser}, "Config.Serialize"},
		{"nok, Deserialize missing", passport.Config[*user]{Serialize: ser}, "Config.Deserialize"},
		{"nok, Audit with DisableAudit", passport.Config[*user]{Serialize: ser, Deserialize: deser, Audit: slog.New(slog.DiscardHandler), DisableAudit: true}, "Config.DisableAudit"},
		{"nok, KeepOnLogin empty entry", passport.Config[*user]{Serialize: ser, Deserialize: deser, KeepOnLogin: []string{"cart", ""}}, "Config.KeepOnLogin"},
		{"nok, KeepOnLogin keeps everything", passport.Config[*user]{Serialize: ser, Deserialize: deser, KeepOnLogin: []string{"*"}}, "Config.KeepOnLogin"},
		{"nok, KeepOnLogin keeps passport.*", passport.Config[*user]{Serialize: ser, Deserialize: deser, KeepOnLogin: []string{"passport.*"}}, "Config.KeepOnLogin"},
		{"nok, KeepOnLogin keeps the user key", passport.Config[*user]{Serialize: ser, Deserialize: deser, KeepOnLogin: []string{passport.UserKey}}, "Config.KeepOnLogin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := passport.New(tt.cfg)
			wantConfigError(t, err, tt.field)
			if tt.field == "" && a == nil {
				t.Fatal("got a nil Authenticator")
			}
		})
	}
}

// TestCSRFRefusesBadConfig: Validate returns, and CSRFWithConfig
// panics with, an error wrapping ErrInvalidConfig that names the field.
func TestCSRFRefusesBadConfig(t *testing.T) {
	tests := []struct {
		name  string
		cfg   passport.CSRFConfig
		field string
	}{
		{"ok, zero value means default", passport.CSRFConfig{}, ""},
		{"ok, own header and key", passport.CSRFConfig{TokenLookup: "header:X-XSRF-Token,form:csrf_token", ContextKey: "xsrf"}, ""},
		{"nok, TokenLookup without a source", passport.CSRFConfig{TokenLookup: "X-CSRF-Token"}, "CSRFConfig.TokenLookup"},
		{"nok, TokenLookup query source", passport.CSRFConfig{TokenLookup: "query:csrf"}, "CSRFConfig.TokenLookup"},
		{"nok, TokenLookup header with a space", passport.CSRFConfig{TokenLookup: "header:X CSRF"}, "CSRFConfig.TokenLookup"},
		{"nok, TokenLookup header with a colon", passport.CSRFConfig{TokenLookup: "header:X-CSRF:Token"}, "CSRFConfig.TokenLookup"},
		{"nok, ContextKey of passport's own", passport.CSRFConfig{ContextKey: "passport.user"}, "CSRFConfig.ContextKey"},
		{"nok, ContextKey the session store's", passport.CSRFConfig{ContextKey: passport.EchoContribStoreKey}, "CSRFConfig.ContextKey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantConfigError(t, tt.cfg.Validate(), tt.field)
			var mw echo.MiddlewareFunc
			perr := recoverConfigError(t, func() { mw = passport.CSRFWithConfig(tt.cfg) })
			wantConfigError(t, perr, tt.field)
			if tt.field == "" && mw == nil {
				t.Fatal("got a nil middleware")
			}
		})
	}
}

// TestErrorHandlerRefusesBadConfig: ErrorHandler panics at construction,
// with an error wrapping ErrInvalidConfig that names the field, on a
// config that can only be a mistake; a usable one renders pages.
func TestErrorHandlerRefusesBadConfig(t *testing.T) {
	isAPI := func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }
	tests := []struct {
		name  string
		cfg   passport.ErrorHandlerConfig
		field string
	}{
		{"ok, zero value means default", passport.ErrorHandlerConfig{}, ""},
		{"ok, own template", passport.ErrorHandlerConfig{Template: template.Must(template.New("e").Parse(`<p>{{.Title}}: {{.Message}} {{.Wait}} <a href="{{.BackURL}}">{{.Back}}</a>`))}, ""},
		{"ok, IsAPI", passport.ErrorHandlerConfig{IsAPI: isAPI}, ""},
		{"nok, IsAPI with APIPrefixes", passport.ErrorHandlerConfig{IsAPI: isAPI, APIPrefixes: []string{"/api/"}}, "APIPrefixes"},
		{"nok, APIPrefixes entry empty", passport.ErrorHandlerConfig{APIPrefixes: []string{""}}, "APIPrefixes"},
		{"nok, APIPrefixes entry without /", passport.ErrorHandlerConfig{APIPrefixes: []string{"api/"}}, "APIPrefixes"},
		{"nok, Template with an empty root", passport.ErrorHandlerConfig{Template: template.Must(template.New("page").New("other").Parse(`x`)).Lookup("page")}, "Template"},
		{"ok, Render", passport.ErrorHandlerConfig{Render: func(c echo.Context, p passport.ErrorPage) error { return c.HTML(p.Status, p.Title) }}, ""},
		{"nok, Render with Template", passport.ErrorHandlerConfig{Render: func(echo.Context, passport.ErrorPage) error { return nil }, Template: template.Must(template.New("e").Parse(`x`))}, "Render"},
		{"nok, Template naming a field ErrorPage lacks", passport.ErrorHandlerConfig{Template: template.Must(template.New("e").Parse(`{{.Code}}`))}, "Template"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h echo.HTTPErrorHandler
			err := recoverConfigError(t, func() { h = passport.ErrorHandler(tt.cfg) })
			wantConfigError(t, err, tt.field)
			if tt.field != "" {
				return
			}
			e := echo.New()
			req := httptest.NewRequest(http.MethodGet, "/page", nil)
			req.Header.Set(echo.HeaderAccept, "text/html")
			rec := httptest.NewRecorder()
			h(echo.NewHTTPError(http.StatusUnauthorized, "Unauthorized"), e.NewContext(req, rec))
			if rec.Code != http.StatusUnauthorized || !strings.HasPrefix(rec.Header().Get(echo.HeaderContentType), "text/html") {
				t.Errorf("got %d %q; want 401 text/html", rec.Code, rec.Header().Get(echo.HeaderContentType))
			}
		})
	}
}
