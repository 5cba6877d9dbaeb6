package strategy_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/gopassport/passport/strategy"
)

func TestVerifyResult(t *testing.T) {
	msgs := strategy.FailMessages{Invalid: "invalid", Malformed: "malformed", Scope: "scope", Throttled: "throttled"}
	fault := errors.New("db down")
	tests := []struct {
		name       string
		err        error
		wantKind   strategy.Kind
		wantStatus int
		wantMsg    string
		wantReason error
		wantErr    error
	}{
		{name: "ok, a user", wantKind: strategy.KindSuccess},
		{name: "nok, wrong password", err: strategy.ErrInvalidCredentials, wantKind: strategy.KindFail, wantStatus: http.StatusUnauthorized, wantMsg: "invalid", wantReason: strategy.ErrInvalidCredentials},
		{name: "nok, unknown user", err: strategy.ErrUserNotFound, wantKind: strategy.KindFail, wantStatus: http.StatusUnauthorized, wantMsg: "invalid", wantReason: strategy.ErrUserNotFound},
		{name: "nok, throttled", err: strategy.ErrThrottled, wantKind: strategy.KindFail, wantStatus: http.StatusTooManyRequests, wantMsg: "throttled", wantReason: strategy.ErrThrottled},
		{name: "nok, scope", err: strategy.ErrInsufficientScope, wantKind: strategy.KindFail, wantStatus: http.StatusForbidden, wantMsg: "scope", wantReason: strategy.ErrInsufficientScope},
		{name: "nok, the app's own words", err: strategy.WithUserMessage(strategy.ErrInvalidCredentials, "Account suspended."), wantKind: strategy.KindFail, wantStatus: http.StatusUnauthorized, wantMsg: "Account suspended.", wantReason: strategy.ErrInvalidCredentials},
		{name: "fault, any other error", err: fault, wantErr: fault},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := strategy.VerifyResult("test", `Test realm="t"`, msgs, "alice", tt.err)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || res.Kind != 0 {
					t.Fatalf("got %v, %v; want a fault wrapping %v and no result", res.Kind, err, tt.wantErr)
				}
				return
			}
			if err != nil || res.Kind != tt.wantKind {
				t.Fatalf("got %v, %v; want %v", res.Kind, err, tt.wantKind)
			}
			if tt.wantKind == strategy.KindSuccess {
				if res.User != "alice" {
					t.Errorf("user %q; want alice", res.User)
				}
				return
			}
			if res.FailStatus() != tt.wantStatus || res.Info.Message != tt.wantMsg || res.Challenge != `Test realm="t"` {
				t.Errorf("got %d %q %q; want %d %q and the challenge", res.FailStatus(), res.Info.Message, res.Challenge, tt.wantStatus, tt.wantMsg)
			}
			if !errors.Is(res.Reason, tt.wantReason) || res.Reason.Error()[:13] != "test: verify:" {
				t.Errorf("reason %v; want one naming the strategy and wrapping %v", res.Reason, tt.wantReason)
			}
		})
	}
}
