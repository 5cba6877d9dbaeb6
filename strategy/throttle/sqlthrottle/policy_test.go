package sqlthrottle_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gopassport/passport/strategy/throttle"
	"github.com/gopassport/passport/strategy/throttle/sqlthrottle"
)

// limits are the settings a policy case runs with, on Memory and on SQL.
type limits struct {
	account, ip, device       int
	window, baseDelay, maxDel time.Duration
}

// TestPolicy runs Memory's policy cases (redisthrottle's table) against
// SQLite and PostgreSQL, and against Memory itself: all must give the same
// answers, on a fake clock.
func TestPolicy(t *testing.T) {
	ctx := context.Background()
	alice := throttle.Attempt{Username: "alice", IP: "192.0.2.1"}
	tests := []struct {
		name string
		cfg  limits
		run  func(t *testing.T, th throttle.Throttler, clock *fakeClock)
	}{
		{"nok, locked at the limit", limits{account: 3}, func(t *testing.T, th throttle.Throttler, clock *fakeClock) {
			for i := range 3 {
				if wait := fail(t, th, alice); wait != 0 {
					t.Fatalf("failure %d: got wait %v; want allowed", i+1, wait)
				}
			}
			wantWait(t, "after the limit", fail(t, th, alice), time.Second)
			wantWait(t, "same account, other address", fail(t, th, throttle.Attempt{Username: "alice", IP: "198.51.100.1"}), time.Second)
			wantWait(t, "other account, same address", fail(t, th, throttle.Attempt{Username: "bob", IP: "192.0.2.1"}), 0)
			clock.Advance(400 * time.Millisecond)
			wantWait(t, "Retry-After is the remaining lock", fail(t, th, alice), 600*time.Millisecond)
		}},
		{"nok, each further failure doubles the lock", limits{account: 2}, func(t *testing.T, th throttle.Throttler, clock *fakeClock) {
			fail(t, th, alice)
			fail(t, th, alice)
			for _, d := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
				wantWait(t, fmt.Sprintf("lock %v", d), fail(t, th, alice), d)
				clock.Advance(d)
				wantWait(t, fmt.Sprintf("after the lock of %v", d), fail(t, th, alice), 0)
			}
		}},
		{"nok, a lock is capped at MaxDelay", limits{account: 1, baseDelay: time.Second, maxDel: 5 * time.Second}, func(t *testing.T, th throttle.Throttler, clock *fakeClock) {
			fail(t, th, alice)
			for i, d := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 5 * time.Second, 5 * time.Second, 5 * time.Second} {
				wantWait(t, fmt.Sprintf("lock %d", i+1), fail(t, th, alice), d)
				clock.Advance(d)
				wantWait(t, fmt.Sprintf("after lock %d", i+1), fail(t, th, alice), 0)
			}
		}},
		{"ok, a success clears the account, not the address", limits{account: 3, ip: 4}, func(t *testing.T, th throttle.Throttler, clock *fakeClock) {
			fail(t, th, alice)
			fail(t, th, alice)
			wantWait(t, "success", attempt(t, th, alice, throttle.VerdictSuccess), 0)
			for i := range 2 {
				wantWait(t, fmt.Sprintf("account failure %d after the success", i+1), fail(t, th, alice), 0)
			}
			// The address has 4 failures now (2 before the success, 2 after).
			wantWait(t, "address locked", fail(t, th, throttle.Attempt{Username: "bob", IP: "192.0.2.1"}), time.Second)
			wantWait(t, "account not locked elsewhere", fail(t, th, throttle.Attempt{Username: "alice", IP: "198.51.100.1"}), 0)
		}},
		{"ok, failures are forgotten Window after the first", limits{account: 3, window: time.Minute}, func(t *testing.T, th throttle.Throttler, clock *fakeClock) {
			fail(t, th, alice)
			fail(t, th, alice)
			clock.Advance(time.Minute - time.Millisecond)
			fail(t, th, alice)
			wantWait(t, "three failures within the window", fail(t, th, alice), time.Second)
			// Locked at 59.999 s for 1 s: remembered until 1 min after that.
			clock.Advance(time.Second + time.Minute - 2*time.Millisecond)
			wantWait(t, "within Window of the lock's end", fail(t, th, alice), 0)
			wantWait(t, "locked again, twice as long", fail(t, th, alice), 2*time.Second)
			clock.Advance(2*time.Second + time.Minute)
			for i := range 3 {
				wantWait(t, fmt.Sprintf("fresh failure %d", i+1), fail(t, th, alice), 0)
			}
			wantWait(t, "fresh lock", fail(t, th, alice), time.Second)
		}},
		{"ok, an aborted attempt counts nothing", limits{account: 1}, func(t *testing.T, th throttle.Throttler, clock *fakeClock) {
			for i := range 3 {
				wantWait(t, fmt.Sprintf("aborted %d", i+1), attempt(t, th, alice, throttle.VerdictAborted), 0)
			}
			wantWait(t, "failure", fail(t, th, alice), 0)
			wantWait(t, "locked", fail(t, th, alice), time.Second)
		}},
		{"nok, in-flight attempts hold the failures left", limits{account: 3}, func(t *testing.T, th throttle.Throttler, clock *fakeClock) {
			fail(t, th, alice)
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
		{"ok, an attempt never reported is dropped after Window", limits{account: 1}, func(t *testing.T, th throttle.Throttler, clock *fakeClock) {
			wantWait(t, "reserve", allow(t, th, alice), 0)
			wantWait(t, "while in flight", allow(t, th, alice), time.Second)
			clock.Advance(throttle.DefaultWindow)
			wantWait(t, "after the window", allow(t, th, alice), 0)
		}},
		{"ok, a device counts against its own budget", limits{account: 3, device: 2}, func(t *testing.T, th throttle.Throttler, clock *fakeClock) {
			device := throttle.Attempt{Username: "alice", IP: "192.0.2.1", Device: "d1"}
			for range 3 {
				fail(t, th, alice)
			}
			wantWait(t, "untrusted, account locked", fail(t, th, alice), time.Second)
			wantWait(t, "device during the account's lock", fail(t, th, device), 0)
			wantWait(t, "device failure 2", fail(t, th, device), 0)
			wantWait(t, "device locked", fail(t, th, device), time.Second)
			wantWait(t, "another device", fail(t, th, throttle.Attempt{Username: "alice", Device: "d2"}), 0)
			wantWait(t, "same device ID, other account", fail(t, th, throttle.Attempt{Username: "bob", Device: "d1"}), 0)
			clock.Advance(time.Second)
			wantWait(t, "device success", attempt(t, th, device, throttle.VerdictSuccess), 0)
			wantWait(t, "device cleared", fail(t, th, device), 0)
			wantWait(t, "device success leaves the account locked", allow(t, th, alice), 0)
			done(t, th, alice, throttle.VerdictFailure)
			wantWait(t, "account locked again", allow(t, th, alice), 2*time.Second)
		}},
		{"nok, IPv6 counts per /64", limits{ip: 2}, func(t *testing.T, th throttle.Throttler, clock *fakeClock) {
			fail(t, th, throttle.Attempt{Username: "a", IP: "2001:db8::1"})
			fail(t, th, throttle.Attempt{Username: "b", IP: "2001:db8::2:3"})
			wantWait(t, "same /64", fail(t, th, throttle.Attempt{Username: "c", IP: "2001:db8::ffff:1"}), time.Second)
			wantWait(t, "other /64", fail(t, th, throttle.Attempt{Username: "c", IP: "2001:db8:0:1::1"}), 0)
			wantWait(t, "IPv4-mapped is IPv4", fail(t, th, throttle.Attempt{Username: "a", IP: "::ffff:192.0.2.9"}), 0)
			wantWait(t, "IPv4-mapped is IPv4, 2", fail(t, th, throttle.Attempt{Username: "b", IP: "192.0.2.9"}), 0)
			wantWait(t, "IPv4-mapped locked", fail(t, th, throttle.Attempt{Username: "c", IP: "192.0.2.9"}), time.Second)
		}},
		{"ok, an attempt without an account counts per address", limits{ip: 3}, func(t *testing.T, th throttle.Throttler, clock *fakeClock) {
			key := throttle.Attempt{IP: "198.51.100.9"}
			for range 3 {
				fail(t, th, key)
			}
			wantWait(t, "address locked", fail(t, th, key), time.Second)
			wantWait(t, "empty attempt", fail(t, th, throttle.Attempt{}), 0)
			wantWait(t, "not an address", fail(t, th, throttle.Attempt{IP: "unix socket {x}"}), 0)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Run("memory", func(t *testing.T) {
				clock := newFakeClock()
				tt.run(t, throttle.NewMemory(throttle.MemoryConfig{
					AccountLimit: tt.cfg.account, IPLimit: tt.cfg.ip, DeviceLimit: tt.cfg.device,
					Window: tt.cfg.window, BaseDelay: tt.cfg.baseDelay, MaxDelay: tt.cfg.maxDel, Now: clock.Now,
				}), clock)
			})
			forEachBackend(t, func(t *testing.T, fx fixture) {
				clock := newFakeClock()
				tt.run(t, newThrottle(t, fx.connect(t), fx.config(sqlthrottle.Config{
					AccountLimit: tt.cfg.account, IPLimit: tt.cfg.ip, DeviceLimit: tt.cfg.device,
					Window: tt.cfg.window, BaseDelay: tt.cfg.baseDelay, MaxDelay: tt.cfg.maxDel, Now: clock.Now,
				})), clock)
			})
		})
	}

	forEachBackend(t, func(t *testing.T, fx fixture) {
		th := newThrottle(t, fx.connect(t), fx.config(sqlthrottle.Config{}))
		if err := th.Done(ctx, alice, throttle.Verdict(0)); err == nil {
			t.Error("Done(unknown verdict): got nil; want an error")
		}
	})
}

// TestRowsFollowRecords: Done deletes a record left with nothing, keeps
// the others, and DeleteExpired removes those whose failures and
// reservations expired by Config.Now, leaving the live ones.
func TestRowsFollowRecords(t *testing.T) {
	forEachBackend(t, func(t *testing.T, fx fixture) {
		db := fx.connect(t)
		clock := newFakeClock()
		th := newThrottle(t, db, fx.config(sqlthrottle.Config{Window: time.Minute, Now: clock.Now}))
		alice := throttle.Attempt{Username: "alice", IP: "192.0.2.1"}
		attempt(t, th, alice, throttle.VerdictAborted)
		if n := count(t, fx, db); n != 0 {
			t.Errorf("after an aborted attempt: %d rows; want 0", n)
		}
		fail(t, th, alice)
		attempt(t, th, alice, throttle.VerdictSuccess)
		recs := th.Records(alice)
		if f, _ := row(t, fx, db, recs[0]); f != 0 {
			t.Errorf("account after the success: %d failures; want 0", f)
		}
		if f, _ := row(t, fx, db, recs[1]); f != 1 {
			t.Errorf("address after the success: %d failures; want 1", f)
		}
		if n := count(t, fx, db); n != 1 {
			t.Errorf("after a success: %d rows; want 1 (the address's)", n)
		}
		allow(t, th, throttle.Attempt{Username: "bob"}) // in flight, never reported

		if n, err := th.DeleteExpired(context.Background()); err != nil || n != 0 {
			t.Errorf("DeleteExpired while live: got %d, %v; want 0", n, err)
		}
		clock.Advance(time.Minute)
		if n, err := th.DeleteExpired(context.Background()); err != nil || n != 2 {
			t.Errorf("DeleteExpired a window later: got %d, %v; want 2", n, err)
		}
		if n := count(t, fx, db); n != 0 {
			t.Errorf("after DeleteExpired: %d rows; want 0", n)
		}
		if err := th.Close(); err != nil {
			t.Error(err)
		}
		if err := th.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})
}
