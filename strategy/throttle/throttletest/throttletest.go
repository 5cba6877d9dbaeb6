package throttletest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gopassport/passport/strategy/throttle"
)

// Limits are the policy settings a case runs with, as throttle.MemoryConfig
// names them; zero means the default.
type Limits struct {
	AccountLimit, IPLimit, DeviceLimit int
	Window, BaseDelay, MaxDelay        time.Duration
}

// Clock is a settable clock for a throttler's Now.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock at a fixed instant.
func NewClock() *Clock { return &Clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Policy runs throttle.Memory's policy cases against the throttlers that
// newThrottler makes, one per case, with the case's limits and clock: a
// lock at the limit, doubling and its cap, a success that clears the
// account but not the address, the device budget, attempts in flight,
// aborted attempts, the window, IPv6 per /64, attempts without an account.
// Every throttler of this module (Memory, redisthrottle, sqlthrottle)
// runs it, so that they answer alike; a third party's can too.
func Policy(t *testing.T, newThrottler func(t *testing.T, l Limits, now func() time.Time) throttle.Throttler) {
	alice := throttle.Attempt{Username: "alice", IP: "192.0.2.1"}
	tests := []struct {
		name string
		cfg  Limits
		run  func(t *testing.T, th throttle.Throttler, clock *Clock)
	}{
		{"nok, locked at the limit", Limits{AccountLimit: 3}, func(t *testing.T, th throttle.Throttler, clock *Clock) {
			for i := range 3 {
				if wait := Fail(t, th, alice); wait != 0 {
					t.Fatalf("failure %d: got wait %v; want allowed", i+1, wait)
				}
			}
			wantWait(t, "after the limit", Fail(t, th, alice), time.Second)
			wantWait(t, "same account, other address", Fail(t, th, throttle.Attempt{Username: "alice", IP: "198.51.100.1"}), time.Second)
			wantWait(t, "other account, same address", Fail(t, th, throttle.Attempt{Username: "bob", IP: "192.0.2.1"}), 0)
			clock.Advance(400 * time.Millisecond)
			wantWait(t, "Retry-After is the remaining lock", Fail(t, th, alice), 600*time.Millisecond)
		}},
		{"nok, each further failure doubles the lock", Limits{AccountLimit: 2}, func(t *testing.T, th throttle.Throttler, clock *Clock) {
			Fail(t, th, alice)
			Fail(t, th, alice)
			for _, d := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
				wantWait(t, fmt.Sprintf("lock %v", d), Fail(t, th, alice), d)
				clock.Advance(d)
				wantWait(t, fmt.Sprintf("after the lock of %v", d), Fail(t, th, alice), 0)
			}
		}},
		{"nok, a lock is capped at MaxDelay", Limits{AccountLimit: 1, BaseDelay: time.Second, MaxDelay: 5 * time.Second}, func(t *testing.T, th throttle.Throttler, clock *Clock) {
			Fail(t, th, alice)
			for i, d := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second, 5 * time.Second} {
				wantWait(t, fmt.Sprintf("lock %d", i+1), Fail(t, th, alice), d)
				clock.Advance(d)
				wantWait(t, fmt.Sprintf("after lock %d", i+1), Fail(t, th, alice), 0)
			}
		}},
		{"ok, a success clears the account, not the address", Limits{AccountLimit: 3, IPLimit: 4}, func(t *testing.T, th throttle.Throttler, clock *Clock) {
			Fail(t, th, alice)
			Fail(t, th, alice)
			wantWait(t, "success", Try(t, th, alice, throttle.VerdictSuccess), 0)
			for i := range 2 {
				wantWait(t, fmt.Sprintf("account failure %d after the success", i+1), Fail(t, th, alice), 0)
			}
			// The address has 4 failures now (2 before the success, 2 after).
			wantWait(t, "address locked", Fail(t, th, throttle.Attempt{Username: "bob", IP: "192.0.2.1"}), time.Second)
			wantWait(t, "account not locked elsewhere", Fail(t, th, throttle.Attempt{Username: "alice", IP: "198.51.100.1"}), 0)
		}},
		{"ok, failures are forgotten Window after the first", Limits{AccountLimit: 3, Window: time.Minute}, func(t *testing.T, th throttle.Throttler, clock *Clock) {
			Fail(t, th, alice)
			Fail(t, th, alice)
			clock.Advance(time.Minute - time.Millisecond)
			Fail(t, th, alice)
			wantWait(t, "three failures within the window", Fail(t, th, alice), time.Second)
			// Locked at 59.999 s for 1 s: remembered until 1 min after that.
			clock.Advance(time.Second + time.Minute - 2*time.Millisecond)
			wantWait(t, "within Window of the lock's end", Fail(t, th, alice), 0)
			wantWait(t, "locked again, twice as long", Fail(t, th, alice), 2*time.Second)
			clock.Advance(2*time.Second + time.Minute)
			for i := range 3 {
				wantWait(t, fmt.Sprintf("fresh failure %d", i+1), Fail(t, th, alice), 0)
			}
			wantWait(t, "fresh lock", Fail(t, th, alice), time.Second)
		}},
		{"ok, an aborted attempt counts nothing", Limits{AccountLimit: 1}, func(t *testing.T, th throttle.Throttler, clock *Clock) {
			for i := range 3 {
				wantWait(t, fmt.Sprintf("aborted %d", i+1), Try(t, th, alice, throttle.VerdictAborted), 0)
			}
			wantWait(t, "failure", Fail(t, th, alice), 0)
			wantWait(t, "locked", Fail(t, th, alice), time.Second)
		}},
		{"nok, in-flight attempts hold the failures left", Limits{AccountLimit: 3}, func(t *testing.T, th throttle.Throttler, clock *Clock) {
			Fail(t, th, alice)
			for i := range 2 {
				wantWait(t, fmt.Sprintf("reserve %d", i+1), allow(t, th, alice), 0)
			}
			wantWait(t, "no failure left to reserve", allow(t, th, alice), time.Second)
			done(t, th, alice, throttle.VerdictAborted)
			wantWait(t, "one released", allow(t, th, alice), 0)
			done(t, th, alice, throttle.VerdictFailure)
			done(t, th, alice, throttle.VerdictFailure)
			wantWait(t, "locked by the reserved failures", allow(t, th, alice), time.Second)
		}},
		{"ok, an attempt never reported is dropped after Window", Limits{AccountLimit: 1}, func(t *testing.T, th throttle.Throttler, clock *Clock) {
			wantWait(t, "reserve", allow(t, th, alice), 0)
			wantWait(t, "while in flight", allow(t, th, alice), time.Second)
			clock.Advance(throttle.DefaultWindow)
			wantWait(t, "after the window", allow(t, th, alice), 0)
		}},
		{"ok, a device counts against its own budget", Limits{AccountLimit: 3, DeviceLimit: 2}, func(t *testing.T, th throttle.Throttler, clock *Clock) {
			device := throttle.Attempt{Username: "alice", IP: "192.0.2.1", Device: "d1"}
			for range 3 {
				Fail(t, th, alice)
			}
			wantWait(t, "untrusted, account locked", Fail(t, th, alice), time.Second)
			wantWait(t, "device during the account's lock", Fail(t, th, device), 0)
			wantWait(t, "device failure 2", Fail(t, th, device), 0)
			wantWait(t, "device locked", Fail(t, th, device), time.Second)
			wantWait(t, "another device", Fail(t, th, throttle.Attempt{Username: "alice", Device: "d2"}), 0)
			wantWait(t, "same device ID, other account", Fail(t, th, throttle.Attempt{Username: "bob", Device: "d1"}), 0)
			clock.Advance(time.Second)
			wantWait(t, "device success", Try(t, th, device, throttle.VerdictSuccess), 0)
			wantWait(t, "device cleared", Fail(t, th, device), 0)
			wantWait(t, "device success leaves the account locked", allow(t, th, alice), 0)
			done(t, th, alice, throttle.VerdictFailure)
			wantWait(t, "account locked again", allow(t, th, alice), 2*time.Second)
		}},
		{"nok, IPv6 counts per /64", Limits{IPLimit: 2}, func(t *testing.T, th throttle.Throttler, clock *Clock) {
			Fail(t, th, throttle.Attempt{Username: "a", IP: "2001:db8::1"})
			Fail(t, th, throttle.Attempt{Username: "b", IP: "2001:db8::2:3"})
			wantWait(t, "same /64", Fail(t, th, throttle.Attempt{Username: "c", IP: "2001:db8::ffff:1"}), time.Second)
			wantWait(t, "other /64", Fail(t, th, throttle.Attempt{Username: "c", IP: "2001:db8:0:1::1"}), 0)
			wantWait(t, "IPv4-mapped is IPv4", Fail(t, th, throttle.Attempt{Username: "a", IP: "::ffff:192.0.2.9"}), 0)
			wantWait(t, "IPv4-mapped is IPv4, 2", Fail(t, th, throttle.Attempt{Username: "b", IP: "192.0.2.9"}), 0)
			wantWait(t, "IPv4-mapped locked", Fail(t, th, throttle.Attempt{Username: "c", IP: "192.0.2.9"}), time.Second)
		}},
		{"ok, an attempt without an account counts per address", Limits{IPLimit: 3}, func(t *testing.T, th throttle.Throttler, clock *Clock) {
			key := throttle.Attempt{IP: "198.51.100.9"}
			for range 3 {
				Fail(t, th, key)
			}
			wantWait(t, "address locked", Fail(t, th, key), time.Second)
			wantWait(t, "empty attempt", Fail(t, th, throttle.Attempt{}), 0)
			wantWait(t, "not an address", Fail(t, th, throttle.Attempt{IP: "unix socket {x}"}), 0)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := NewClock()
			tt.run(t, newThrottler(t, tt.cfg, clock.Now), clock)
		})
	}
}

// Fail makes one attempt that fails: Allow, then Done(failure) when
// allowed. It returns Allow's wait; an error of either fails t.
func Fail(t testing.TB, th throttle.Throttler, a throttle.Attempt) time.Duration {
	t.Helper()
	return Try(t, th, a, throttle.VerdictFailure)
}

// Try makes one attempt that ends with v when allowed, and returns Allow's
// wait; an error of Allow or Done fails t.
func Try(t testing.TB, th throttle.Throttler, a throttle.Attempt, v throttle.Verdict) time.Duration {
	t.Helper()
	ctx := context.Background()
	wait, err := th.Allow(ctx, a)
	if err != nil {
		t.Fatalf("Allow(%+v): %v", a, err)
	}
	if wait == 0 {
		if err := th.Done(ctx, a, v); err != nil {
			t.Fatalf("Done(%+v, %v): %v", a, v, err)
		}
	}
	return wait
}

func done(t testing.TB, th throttle.Throttler, a throttle.Attempt, v throttle.Verdict) {
	t.Helper()
	if err := th.Done(context.Background(), a, v); err != nil {
		t.Fatalf("Done: %v", err)
	}
}

func wantWait(t testing.TB, step string, got, want time.Duration) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got wait %v; want %v", step, got, want)
	}
}

func allow(t testing.TB, th throttle.Throttler, a throttle.Attempt) time.Duration {
	t.Helper()
	wait, err := th.Allow(context.Background(), a)
	if err != nil {
		t.Fatalf("Allow: %v", err)
	}
	return wait
}
