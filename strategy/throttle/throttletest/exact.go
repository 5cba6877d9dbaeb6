package throttletest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopassport/passport/strategy/throttle"
)

// Goroutines is how many attempts [Exact] makes at once.
const Goroutines = 30

// Exact checks that two instances of a throttler sharing one store (two
// clients or pools on the same server and key space, as two processes of
// an app have) count concurrent failures of one account exactly:
// newPair makes such a pair with the given limits, per subtest.
//
//   - Goroutines failures at once, alternating instances, under a limit
//     of Goroutines+1: each is counted once, so exactly one more failure is
//     allowed and the next attempt is locked.
//   - Under a limit of 10 (locks of a minute), however the attempts
//     interleave, exactly 10 are allowed before the lock, on both.
func Exact(t *testing.T, newPair func(t *testing.T, l Limits) (a, b throttle.Throttler)) {
	alice := throttle.Attempt{Username: "alice", IP: "192.0.2.1"}
	ctx := context.Background()

	t.Run("ok, every failure counted once", func(t *testing.T) {
		a, b := newPair(t, Limits{AccountLimit: Goroutines + 1, IPLimit: 1000, BaseDelay: time.Minute, MaxDelay: time.Minute})
		th := [2]throttle.Throttler{a, b}
		var wg sync.WaitGroup
		for g := range Goroutines {
			wg.Go(func() {
				inst := th[g%2]
				wait, err := inst.Allow(ctx, alice)
				if err != nil || wait != 0 {
					t.Errorf("goroutine %d: Allow got %v, %v; want allowed", g, wait, err)
					return
				}
				if err := inst.Done(ctx, alice, throttle.VerdictFailure); err != nil {
					t.Errorf("goroutine %d: Done: %v", g, err)
				}
			})
		}
		wg.Wait()
		wantWait(t, "the one failure left", Fail(t, a, alice), 0)
		for n, inst := range th {
			if wait := allow(t, inst, alice); wait <= 59*time.Second {
				t.Errorf("instance %d after %d failures: wait %v; want locked for about 1m", n, Goroutines+1, wait)
			}
		}
	})

	t.Run("nok, exactly the limit allowed before the lock", func(t *testing.T) {
		const limit = 10
		a, b := newPair(t, Limits{AccountLimit: limit, BaseDelay: time.Minute, MaxDelay: time.Minute})
		th := [2]throttle.Throttler{a, b}
		var allowed atomic.Int64
		var wg sync.WaitGroup
		for g := range Goroutines {
			wg.Go(func() {
				inst := th[g%2]
				// Refused while others are in flight: try again until the
				// limit is used up (by this test's count, so that a
				// throttler that lets too many through is caught).
				for try := 0; allowed.Load() < limit; try++ {
					if try > 100_000 {
						t.Errorf("goroutine %d: refused %d times with %d of %d allowed", g, try, allowed.Load(), limit)
						return
					}
					wait, err := inst.Allow(ctx, alice)
					if err != nil {
						t.Errorf("goroutine %d: Allow: %v", g, err)
						return
					}
					if wait == 0 {
						allowed.Add(1)
						if err := inst.Done(ctx, alice, throttle.VerdictFailure); err != nil {
							t.Errorf("goroutine %d: Done: %v", g, err)
						}
						return
					}
				}
			})
		}
		wg.Wait()
		if got := allowed.Load(); got != limit {
			t.Errorf("allowed %d attempts; want exactly %d", got, limit)
		}
		for n, inst := range th {
			if wait := allow(t, inst, alice); wait <= 59*time.Second {
				t.Errorf("instance %d after the limit: wait %v; want locked for about 1m", n, wait)
			}
		}
	})
}
