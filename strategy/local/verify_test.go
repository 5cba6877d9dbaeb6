package local_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/local"
	"github.com/gopassport/passport/strategy/password"
)

// hashes is a lookup over username → stored hash.
type hashes map[string]string

func (u hashes) lookup(_ context.Context, username string) (string, string, error) {
	hash, ok := u[username]
	if !ok {
		return "", "", strategy.ErrUserNotFound
	}
	return username, hash, nil
}

// TestStrategyWithHash runs the strategy over password.Verify end to end.
func TestStrategyWithHash(t *testing.T) {
	h := &password.Hasher{Memory: 64, Iterations: 1} // cheap, for tests only
	hash, err := h.Hash("s3cret")
	if err != nil {
		t.Fatal(err)
	}
	s := newStrategy(t, local.Config[string]{
		UsernameField: "email",
		Verify:        password.Verify(hashes{"alice@example.com": hash, "broken": "$2a$"}.lookup, h),
	})
	tests := []struct {
		name       string
		body       string
		wantKind   strategy.Kind
		wantStatus int
		wantErr    error
	}{
		{name: "ok, right password", body: "email=alice%40example.com&password=s3cret", wantKind: strategy.KindSuccess},
		{name: "nok, wrong password", body: "email=alice%40example.com&password=x", wantKind: strategy.KindFail, wantStatus: http.StatusUnauthorized},
		{name: "nok, unknown user", body: "email=bob%40example.com&password=s3cret", wantKind: strategy.KindFail, wantStatus: http.StatusUnauthorized},
		{name: "nok, malformed stored hash", body: "email=broken&password=s3cret", wantKind: strategy.KindNone, wantErr: password.ErrMalformedHash},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.Authenticate(formRequest(tt.body))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error: got %v; want %v", err, tt.wantErr)
			}
			if res.Kind != tt.wantKind {
				t.Fatalf("kind: got %q; want %q", res.Kind, tt.wantKind)
			}
			if tt.wantKind == strategy.KindFail && res.FailStatus() != tt.wantStatus {
				t.Errorf("status: got %d; want %d", res.FailStatus(), tt.wantStatus)
			}
		})
	}
}
