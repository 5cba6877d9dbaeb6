package apikey_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/apikey"
	"github.com/gopassport/passport/strategy/throttle"
)

// TestThrottle checks that unknown keys are throttled per client address
// with 429 and Retry-After, before Verify runs, and that other addresses
// and known keys from them are not.
func TestThrottle(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var calls atomic.Int64
	inner := verify()
	s := newAPIKey(t, apikey.Config[string]{
		Verify: func(ctx context.Context, key string) (string, error) {
			calls.Add(1)
			return inner(ctx, key)
		},
		Throttle: throttle.NewMemory(throttle.MemoryConfig{IPLimit: 3, Now: func() time.Time { return now }}),
	})
	call := func(ip, key string) strategy.Result[string] {
		t.Helper()
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = ip + ":5000"
		r.Header.Set(apikey.DefaultHeader, key)
		res, err := s.Authenticate(r)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	for i := range 3 {
		if res := call("203.0.113.1", "guess"); res.FailStatus() != http.StatusUnauthorized {
			t.Fatalf("guess %d: got %d; want 401", i, res.FailStatus())
		}
	}
	before := calls.Load()
	res := call("203.0.113.1", aliceKey)
	switch {
	case res.Kind != strategy.KindFail || res.FailStatus() != http.StatusTooManyRequests:
		t.Fatalf("nok, after 3 unknown keys: got %s %d; want a 429 fail", res.Kind, res.FailStatus())
	case res.Header.Get("Retry-After") != "1":
		t.Errorf("Retry-After: got %q; want 1", res.Header.Get("Retry-After"))
	case !errors.Is(res.Reason, strategy.ErrThrottled):
		t.Errorf("reason: got %v; want ErrThrottled", res.Reason)
	case calls.Load() != before:
		t.Error("Verify ran for a throttled request")
	}
	if res := call("198.51.100.2", aliceKey); res.Kind != strategy.KindSuccess {
		t.Errorf("ok, another address: got %s %d; want success", res.Kind, res.FailStatus())
	}
	now = now.Add(time.Second)
	if res := call("203.0.113.1", aliceKey); res.Kind != strategy.KindSuccess {
		t.Errorf("ok, after the lock: got %s %d; want success", res.Kind, res.FailStatus())
	}
	if res := call("203.0.113.1", ""); !errors.Is(res.Reason, strategy.ErrMissingCredentials) {
		t.Errorf("no key: got %v; want ErrMissingCredentials, not throttled", res.Reason)
	}
}
