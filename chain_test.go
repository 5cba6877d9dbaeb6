package passport_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/strategy"
)

// TestChain runs named strategies outside an Echo route: the result is a
// route's (first success, passes skipped, the first failure with a
// status), faults name the strategy, and the audit records are a route's.
func TestChain(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name      string
		names     []string
		header    string // X-User
		wantKind  strategy.Kind
		wantUser  string
		wantState int    // Status of a fail
		wantErr   string // a fault naming the strategy
		wantEvent string // the audit record, "" for none
	}{
		{"ok, success", []string{"header"}, "1", strategy.KindSuccess, "1", 0, "", "login"},
		{"ok, pass then success", []string{"pass", "header"}, "1", strategy.KindSuccess, "1", 0, "", "login"},
		{"ok, every one passed", []string{"pass"}, "", strategy.KindPass, "", 0, "", ""},
		{"nok, the failure with a status wins", []string{"header", "throttled"}, "9", strategy.KindFail, "", http.StatusTooManyRequests, "", "login_failed"},
		{"nok, the first failure", []string{"header", "pass"}, "9", strategy.KindFail, "", 0, "", "login_failed"},
		{"nok, an error names its strategy", []string{"pass", "broken"}, "", 0, "", 0, `strategy "broken": boom`, ""},
		{"nok, a panic is an error", []string{"panics"}, "", 0, "", 0, `strategy "panics"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			f := newFixture(t)
			auth, err := passport.New(passport.Config[*user]{
				Serialize:   func(u *user) (string, error) { return u.ID, nil },
				Deserialize: func(_ context.Context, id string) (*user, error) { return f.users[id], nil },
				Audit:       slog.New(slog.NewJSONHandler(&buf, nil)),
			})
			if err != nil {
				t.Fatal(err)
			}
			for name, s := range map[string]strategy.Strategy[*user]{
				"header":    f.byHeader(),
				"throttled": failing(http.StatusTooManyRequests, ""),
				"pass": strategy.Func[*user](func(*http.Request) (strategy.Result[*user], error) {
					return strategy.Pass[*user](), nil
				}),
				"broken": strategy.Func[*user](func(*http.Request) (strategy.Result[*user], error) {
					return strategy.Result[*user]{}, boom
				}),
				"panics": strategy.Func[*user](func(*http.Request) (strategy.Result[*user], error) { panic("oops") }),
			} {
				if err := auth.Use(name, s); err != nil {
					t.Fatal(err)
				}
			}
			req := httptest.NewRequest(http.MethodPost, "/token", nil)
			req.RemoteAddr = "203.0.113.7:4242"
			if tt.header != "" {
				req.Header.Set("X-User", tt.header)
			}
			res, err := auth.Chain(tt.names...).Authenticate(req)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v; want one containing %q", err, tt.wantErr)
				}
				if buf.Len() != 0 {
					t.Errorf("a fault wrote audit records: %s", buf.String())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Kind != tt.wantKind || res.Status != tt.wantState {
				t.Fatalf("result %v status %d; want %v status %d", res.Kind, res.Status, tt.wantKind, tt.wantState)
			}
			if tt.wantUser != "" && (res.User == nil || res.User.ID != tt.wantUser) {
				t.Errorf("user = %+v; want %s", res.User, tt.wantUser)
			}
			if tt.wantEvent == "" {
				if buf.Len() != 0 {
					t.Errorf("audit records %s; want none", buf.String())
				}
				return
			}
			var rec map[string]any
			if err := json.Unmarshal(buf.Bytes(), &rec); err != nil {
				t.Fatalf("want one audit record, got %q: %v", buf.String(), err)
			}
			if rec["event"] != tt.wantEvent || rec["ip"] != "203.0.113.7" {
				t.Errorf("audit record %v; want event %s from 203.0.113.7", rec, tt.wantEvent)
			}
		})
	}
}

// TestChainRefusesUnknownStrategy checks that naming an unregistered
// strategy is a wiring panic wrapping ErrInvalidConfig, as Middleware's.
func TestChainRefusesUnknownStrategy(t *testing.T) {
	f := newFixture(t)
	defer func() {
		err, _ := recover().(error)
		if !errors.Is(err, passport.ErrInvalidConfig) {
			t.Fatalf("recovered %v; want a panic wrapping ErrInvalidConfig", err)
		}
	}()
	f.auth.Chain("nope")
}

// TestWrapHandlerPassesEchosClientIP checks that a Chain run behind
// WrapHandler sees the address Echo's IPExtractor finds, not the proxy's.
func TestWrapHandlerPassesEchosClientIP(t *testing.T) {
	for _, tt := range []struct {
		name      string
		extractor echo.IPExtractor
		want      string
	}{
		{"ok, no extractor: the peer", nil, "192.0.2.1"},
		{"ok, behind a trusted proxy: X-Forwarded-For", echo.ExtractIPFromXFFHeader(echo.TrustLoopback(false), echo.TrustIPRange(mustCIDR(t, "192.0.2.0/24"))), "198.51.100.4"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			f := newFixture(t)
			auth, err := passport.New(passport.Config[*user]{
				Serialize:   func(u *user) (string, error) { return u.ID, nil },
				Deserialize: func(_ context.Context, id string) (*user, error) { return f.users[id], nil },
				Audit:       slog.New(slog.NewJSONHandler(&buf, nil)),
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := auth.Use("header", f.byHeader()); err != nil {
				t.Fatal(err)
			}
			ch := auth.Chain("header")
			e := echo.New()
			e.IPExtractor = tt.extractor
			e.POST("/token", passport.WrapHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				res, err := ch.Authenticate(r)
				if err != nil || res.Kind != strategy.KindFail {
					t.Errorf("got %v, %v; want a fail", res.Kind, err)
				}
				w.WriteHeader(http.StatusTeapot)
			})))
			req := httptest.NewRequest(http.MethodPost, "/token", nil)
			req.RemoteAddr = "192.0.2.1:1234"
			req.Header.Set("X-Forwarded-For", "198.51.100.4")
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code != http.StatusTeapot {
				t.Fatalf("status %d; want the handler's 418", rec.Code)
			}
			var got map[string]any
			if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
				t.Fatalf("audit %q: %v", buf.String(), err)
			}
			if got["ip"] != tt.want {
				t.Errorf("audit ip %v; want %s", got["ip"], tt.want)
			}
		})
	}
}

func mustCIDR(t *testing.T, s string) *net.IPNet {
	t.Helper()
	_, n, err := net.ParseCIDR(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
