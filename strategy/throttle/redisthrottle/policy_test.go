package redisthrottle_test

import (
	"context"
	"testing"
	"time"

	"github.com/gopassport/passport/strategy/throttle"
	"github.com/gopassport/passport/strategy/throttle/redisthrottle"
	"github.com/gopassport/passport/strategy/throttle/throttletest"
)

// TestPolicy runs the policy kit (throttletest.Policy, throttle.Memory's
// cases) on Redis, on a fake clock.
func TestPolicy(t *testing.T) {
	ctx := context.Background()
	alice := throttle.Attempt{Username: "alice", IP: "192.0.2.1"}
	throttletest.Policy(t, func(t *testing.T, l throttletest.Limits, now func() time.Time) throttle.Throttler {
		c, prefix := sharedClient(t)
		return newThrottle(t, c, redisthrottle.Config{
			AccountLimit: l.AccountLimit, IPLimit: l.IPLimit, DeviceLimit: l.DeviceLimit,
			Window: l.Window, BaseDelay: l.BaseDelay, MaxDelay: l.MaxDelay, Now: now, KeyPrefix: prefix,
		})
	})

	t.Run("nok, unknown verdict", func(t *testing.T) {
		c, prefix := sharedClient(t)
		th := newThrottle(t, c, redisthrottle.Config{KeyPrefix: prefix})
		if err := th.Done(ctx, alice, throttle.Verdict(0)); err == nil {
			t.Error("Done: got nil; want an error")
		}
	})
}

// TestServerClock: without Config.Now the scripts use Redis's clock; a lock
// is reported from it, and two instances agree.
func TestServerClock(t *testing.T) {
	c, prefix := sharedClient(t)
	cfg := redisthrottle.Config{KeyPrefix: prefix, AccountLimit: 1, BaseDelay: time.Minute, MaxDelay: time.Minute}
	a, b := newThrottle(t, c, cfg), newThrottle(t, newClient(t, c.Options().Addr), cfg)
	alice := throttle.Attempt{Username: "alice"}
	wantWait(t, "first failure", fail(t, a, alice), 0)
	for name, th := range map[string]throttle.Throttler{"same instance": a, "other instance": b} {
		wait, err := th.Allow(context.Background(), alice)
		if err != nil {
			t.Fatal(err)
		}
		if wait <= 59*time.Second || wait > time.Minute {
			t.Errorf("%s: got wait %v; want just under 1m", name, wait)
		}
	}
	// Every key the Throttle wrote has a TTL.
	iter := c.Scan(context.Background(), 0, prefix+"*", 100).Iterator()
	n := 0
	for iter.Next(context.Background()) {
		n++
		ttl, err := c.PTTL(context.Background(), iter.Val()).Result()
		if err != nil {
			t.Fatal(err)
		}
		if ttl <= 0 || ttl > time.Minute+throttle.DefaultWindow {
			t.Errorf("%s: TTL %v; want within the lock and the window", iter.Val(), ttl)
		}
	}
	if n != 1 {
		t.Errorf("got %d keys; want 1 (the account's)", n)
	}
}

func allow(t *testing.T, th throttle.Throttler, a throttle.Attempt) time.Duration {
	t.Helper()
	wait, err := th.Allow(context.Background(), a)
	if err != nil {
		t.Fatalf("Allow: %v", err)
	}
	return wait
}

func done(t *testing.T, th throttle.Throttler, a throttle.Attempt, v throttle.Verdict) {
	t.Helper()
	if err := th.Done(context.Background(), a, v); err != nil {
		t.Fatalf("Done: %v", err)
	}
}

func wantWait(t *testing.T, step string, got, want time.Duration) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got wait %v; want %v", step, got, want)
	}
}
