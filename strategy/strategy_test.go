package strategy_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gopassport/passport/strategy"
)

func TestConstructors(t *testing.T) {
	tests := []struct {
		name       string
		r          strategy.Result[string]
		kind       strategy.Kind
		failStatus int
		redirStat  int
	}{
		{"ok, success", strategy.Success("ada", strategy.Info{Message: "hi"}), strategy.KindSuccess, 401, 302},
		{"ok, fail default status", strategy.Fail[string]("Basic", 0, "no"), strategy.KindFail, 401, 302},
		{"ok, fail 400", strategy.Fail[string]("", 400, "bad"), strategy.KindFail, 400, 400},
		{"ok, redirect default", strategy.Redirect[string]("/x", 0), strategy.KindRedirect, 401, 302},
		{"ok, redirect 303", strategy.Redirect[string]("/x", 303), strategy.KindRedirect, 303, 303},
		{"ok, pass", strategy.Pass[string](), strategy.KindPass, 401, 302},
		{"nok, zero is no outcome", strategy.Result[string]{}, strategy.KindNone, 401, 302},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.r.Kind != tt.kind {
				t.Errorf("got kind %v; want %v", tt.r.Kind, tt.kind)
			}
			if got := tt.r.FailStatus(); got != tt.failStatus {
				t.Errorf("FailStatus: got %d; want %d", got, tt.failStatus)
			}
			if got := tt.r.RedirectStatus(); got != tt.redirStat {
				t.Errorf("RedirectStatus: got %d; want %d", got, tt.redirStat)
			}
		})
	}
	if got := strategy.KindNone.String() + strategy.KindPass.String(); got != "nonepass" {
		t.Errorf("got %q", got)
	}
}

func TestWithHeaderCopies(t *testing.T) {
	a := strategy.Fail[string]("", 429, "slow down").WithHeader("Retry-After", "1")
	b := a.WithHeader("X-Extra", "2")
	if a.Header.Get("X-Extra") != "" {
		t.Error("WithHeader changed the result it was called on")
	}
	if b.Header.Get("Retry-After") != "1" || b.Header.Get("X-Extra") != "2" {
		t.Errorf("got %v; want both headers", b.Header)
	}
	r := a.WithReason(strategy.ErrThrottled).WithInfo(strategy.Info{Message: "m"})
	if !errors.Is(r.Reason, strategy.ErrThrottled) || r.Info.Message != "m" || a.Reason != nil {
		t.Errorf("got %+v", r)
	}
}

func TestVerifyFailure(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantStatus int
		wantOK     bool
		wantIs     error
	}{
		{"ok, invalid", strategy.ErrInvalidCredentials, 0, true, strategy.ErrInvalidCredentials},
		{"ok, wrapped invalid", fmt.Errorf("db said no: %w", strategy.ErrInvalidCredentials), 0, true, strategy.ErrInvalidCredentials},
		{"ok, not found reads as invalid", strategy.ErrUserNotFound, 0, true, strategy.ErrInvalidCredentials},
		{"ok, missing", strategy.ErrMissingCredentials, 0, true, strategy.ErrMissingCredentials},
		{"ok, malformed", strategy.ErrMalformedCredentials, 400, true, strategy.ErrMalformedCredentials},
		{"ok, scope", strategy.ErrInsufficientScope, 403, true, strategy.ErrInsufficientScope},
		{"ok, throttled", strategy.ErrThrottled, 429, true, strategy.ErrThrottled},
		{"nok, a fault", errors.New("connection refused"), 0, false, nil},
		{"nok, nil", nil, 0, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, reason, ok := strategy.VerifyFailure(tt.err)
			if status != tt.wantStatus || ok != tt.wantOK {
				t.Errorf("got %d %v; want %d %v", status, ok, tt.wantStatus, tt.wantOK)
			}
			if tt.wantIs != nil && !errors.Is(reason, tt.wantIs) {
				t.Errorf("reason %v does not wrap %v", reason, tt.wantIs)
			}
		})
	}
}

func TestClientIP(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "198.51.100.7:4242"
	r.Header.Set("X-Forwarded-For", "1.2.3.4")
	if got := strategy.ClientIP(r); got != "198.51.100.7" {
		t.Errorf("got %q; want the connection's address, never X-Forwarded-For", got)
	}
	r = r.WithContext(strategy.WithClientIP(r.Context(), "203.0.113.1"))
	if got := strategy.ClientIP(r); got != "203.0.113.1" {
		t.Errorf("got %q; want the router's decision", got)
	}
}

func TestCurrentUser(t *testing.T) {
	if _, ok, err := strategy.CurrentUser[string](context.Background()); ok || err != nil {
		t.Errorf("no loader: got ok=%v err=%v", ok, err)
	}
	ctx := strategy.WithUserLoader(context.Background(), func(context.Context) (string, bool, error) { return "ada", true, nil })
	if u, ok, err := strategy.CurrentUser[string](ctx); u != "ada" || !ok || err != nil {
		t.Errorf("got %q %v %v", u, ok, err)
	}
	// Another user type does not see it.
	if _, ok, _ := strategy.CurrentUser[int](ctx); ok {
		t.Error("a loader for string answered for int")
	}
}

// customReason is an error type of an app, to check that errors.As sees
// through WithUserMessage.
type customReason struct{ code int }

func (e *customReason) Error() string { return fmt.Sprintf("app: code %d", e.code) }

func TestUserMessage(t *testing.T) {
	const msg = "Your account is suspended."
	wrapped := strategy.WithUserMessage(strategy.ErrInvalidCredentials, msg)
	tests := []struct {
		name     string
		err      error
		wantMsg  string
		wantOK   bool
		wantIs   error
		wantText string
	}{
		{"ok, sentinel wrapped", wrapped, msg, true, strategy.ErrInvalidCredentials, "strategy: invalid credentials"},
		{"ok, wrapped error with detail", strategy.WithUserMessage(fmt.Errorf("app: suspended: %w", strategy.ErrUserNotFound), msg),
			msg, true, strategy.ErrUserNotFound, "app: suspended: strategy: user not found"},
		{"ok, under fmt.Errorf %w", fmt.Errorf("app: verify: %w", wrapped), msg, true, strategy.ErrInvalidCredentials, "app: verify: strategy: invalid credentials"},
		{"ok, two levels of %w", fmt.Errorf("outer: %w", fmt.Errorf("inner: %w", wrapped)), msg, true, strategy.ErrInvalidCredentials, "outer: inner: strategy: invalid credentials"},
		{"ok, in errors.Join", errors.Join(errors.New("other"), wrapped), msg, true, strategy.ErrInvalidCredentials, "other\nstrategy: invalid credentials"},
		{"ok, the outer message wins", strategy.WithUserMessage(wrapped, "outer"), "outer", true, strategy.ErrInvalidCredentials, "strategy: invalid credentials"},
		{"ok, a fault may carry one too", strategy.WithUserMessage(errors.New("db down"), msg), msg, true, nil, "db down"},
		{"nok, bare sentinel", strategy.ErrInvalidCredentials, "", false, strategy.ErrInvalidCredentials, "strategy: invalid credentials"},
		{"nok, wrapped sentinel", fmt.Errorf("app: %w", strategy.ErrThrottled), "", false, strategy.ErrThrottled, "app: strategy: too many attempts"},
		{"nok, empty message adds nothing", strategy.WithUserMessage(strategy.ErrThrottled, ""), "", false, strategy.ErrThrottled, "strategy: too many attempts"},
		{"nok, nil", nil, "", false, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := strategy.UserMessage(tt.err)
			if got != tt.wantMsg || ok != tt.wantOK {
				t.Errorf("got %q %v; want %q %v", got, ok, tt.wantMsg, tt.wantOK)
			}
			if tt.wantIs != nil && !errors.Is(tt.err, tt.wantIs) {
				t.Errorf("got %v; want it to match %v", tt.err, tt.wantIs)
			}
			if tt.err != nil && tt.err.Error() != tt.wantText {
				t.Errorf("got %q; want %q (the message stays out of the text)", tt.err.Error(), tt.wantText)
			}
		})
	}
}

func TestWithUserMessageKeepsTheChain(t *testing.T) {
	base := &customReason{code: 7}
	err := strategy.WithUserMessage(fmt.Errorf("app: %w", base), "Try later.")
	if got, ok := errors.AsType[*customReason](err); !ok || got != base {
		t.Errorf("errors.As: got %v %v; want the app's error", got, ok)
	}
	if errors.Unwrap(err) == nil {
		t.Error("errors.Unwrap: got nil; want the wrapped error")
	}
	// The sentinels a strategy maps still decide the fail.
	status, reason, ok := strategy.VerifyFailure(strategy.WithUserMessage(strategy.ErrInsufficientScope, "Upgrade your plan."))
	if status != http.StatusForbidden || !ok || !errors.Is(reason, strategy.ErrInsufficientScope) {
		t.Errorf("VerifyFailure: got %d %v %v; want 403 true and the sentinel", status, reason, ok)
	}
	if msg, _ := strategy.UserMessage(reason); msg != "Upgrade your plan." {
		t.Errorf("UserMessage of the reason: got %q; want %q", msg, "Upgrade your plan.")
	}
}

func TestWithUserMessageNilError(t *testing.T) {
	err := strategy.WithUserMessage(nil, "Refused.")
	if err == nil {
		t.Fatal("got nil; want an error, so that a refusal without a reason is not a success")
	}
	if _, _, ok := strategy.VerifyFailure(err); ok {
		t.Error("VerifyFailure: got a fail; want a fault (no sentinel)")
	}
	if msg, ok := strategy.UserMessage(err); msg != "Refused." || !ok {
		t.Errorf("got %q %v; want %q true", msg, ok, "Refused.")
	}
	if err.Error() == "" {
		t.Error("got an empty error text")
	}
	if strategy.WithUserMessage(nil, "") != nil {
		t.Error("no error and no message: got an error; want nil")
	}
}

func TestFailMessages(t *testing.T) {
	m := strategy.FailMessages{Invalid: "inv", Malformed: "mal", Scope: "scope", Throttled: "slow"}
	tests := []struct {
		status int
		err    error
		want   string
	}{
		{0, strategy.ErrInvalidCredentials, "inv"},
		{400, strategy.ErrMalformedCredentials, "mal"},
		{403, strategy.ErrInsufficientScope, "scope"},
		{429, strategy.ErrThrottled, "slow"},
		{0, strategy.WithUserMessage(strategy.ErrInvalidCredentials, "Your account is suspended."), "Your account is suspended."},
	}
	for _, tt := range tests {
		if got := m.For(tt.status, tt.err); got != tt.want {
			t.Errorf("For(%d, %v): got %q; want %q", tt.status, tt.err, got, tt.want)
		}
	}
}
