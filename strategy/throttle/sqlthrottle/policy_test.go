package sqlthrottle_test

import (
	"context"
	"testing"
	"time"

	"github.com/gopassport/passport/strategy/throttle"
	"github.com/gopassport/passport/strategy/throttle/sqlthrottle"
	"github.com/gopassport/passport/strategy/throttle/throttletest"
)

// TestPolicy runs the policy kit (throttletest.Policy, throttle.Memory's
// cases) on SQLite and PostgreSQL, on a fake clock.
func TestPolicy(t *testing.T) {
	ctx := context.Background()
	alice := throttle.Attempt{Username: "alice", IP: "192.0.2.1"}
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			throttletest.Policy(t, func(t *testing.T, l throttletest.Limits, now func() time.Time) throttle.Throttler {
				fx := b.setup(t) // a table of the case's own
				return newThrottle(t, fx.connect(t), fx.config(sqlthrottle.Config{
					AccountLimit: l.AccountLimit, IPLimit: l.IPLimit, DeviceLimit: l.DeviceLimit,
					Window: l.Window, BaseDelay: l.BaseDelay, MaxDelay: l.MaxDelay, Now: now,
				}))
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
