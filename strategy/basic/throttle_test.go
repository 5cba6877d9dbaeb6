package basic_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/basic"
	"github.com/gopassport/passport/strategy/throttle"
)

// TestThrottle checks that wrong passwords are throttled per account with
// 429 and Retry-After, before Verify runs, with the account counted
// case-insensitively, and that a success clears the account's count.
func TestThrottle(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var calls atomic.Int64
	inner := basic.StaticUsers(users())
	s, err := basic.New(basic.Config[string]{
		Verify: func(ctx context.Context, u, p string) (string, error) {
			calls.Add(1)
			return inner(ctx, u, p)
		},
		Throttle: throttle.NewMemory(throttle.MemoryConfig{AccountLimit: 3, Now: func() time.Time { return now }}),
	})
	if err != nil {
		t.Fatal(err)
	}
	call := func(ip, user, pass string) strategy.Result[string] {
		t.Helper()
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = ip + ":5000"
		r.Header.Set("Authorization", auth(user, pass))
		res, err := s.Authenticate(r)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for i, name := range []string{"alice", "Alice", "ALICE"} {
		if res := call("203.0.113.1", name, "wrong"); res.FailStatus() != http.StatusUnauthorized {
			t.Fatalf("wrong %d: got %d; want 401", i, res.FailStatus())
		}
	}
	before := calls.Load()
	res := call("198.51.100.2", "alice", "s3cret")
	switch {
	case res.Kind != strategy.KindFail || res.FailStatus() != http.StatusTooManyRequests:
		t.Fatalf("nok, after 3 wrong passwords: got %s %d; want a 429 fail", res.Kind, res.FailStatus())
	case res.Header.Get("Retry-After") != "1":
		t.Errorf("Retry-After: got %q; want 1", res.Header.Get("Retry-After"))
	case !errors.Is(res.Reason, strategy.ErrThrottled):
		t.Errorf("reason: got %v; want ErrThrottled", res.Reason)
	case calls.Load() != before:
		t.Error("Verify ran for a throttled request")
	}
	if res := call("198.51.100.2", "colons", "a:b::c:"); res.Kind != strategy.KindSuccess {
		t.Errorf("ok, another account: got %s %d; want success", res.Kind, res.FailStatus())
	}
	now = now.Add(time.Second)
	if res := call("198.51.100.2", "alice", "s3cret"); res.Kind != strategy.KindSuccess {
		t.Fatalf("ok, after the lock: got %s %d; want success", res.Kind, res.FailStatus())
	}
	// The success cleared alice's count: one more wrong password is a 401.
	if res := call("203.0.113.1", "alice", "wrong"); res.FailStatus() != http.StatusUnauthorized {
		t.Errorf("wrong after a success: got %d; want 401", res.FailStatus())
	}
}
