package redisthrottle_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/local"
	"github.com/gopassport/passport/strategy/throttle"
	"github.com/gopassport/passport/strategy/throttle/redisthrottle"
)

const goroutines = 30

// twoInstances returns two Throttles, each with a client of its own, on the
// shared Redis and one prefix, and the client to read the records with.
func twoInstances(t *testing.T, cfg redisthrottle.Config) ([2]*redisthrottle.Throttle, *redis.Client) {
	t.Helper()
	c, prefix := sharedClient(t)
	cfg.KeyPrefix = prefix
	return [2]*redisthrottle.Throttle{newThrottle(t, c, cfg), newThrottle(t, newClient(t, c.Options().Addr), cfg)}, c
}

// record returns the failures and the attempts in flight that key holds.
func record(t *testing.T, c *redis.Client, key string) (failures, inflight int) {
	t.Helper()
	v, err := c.HMGet(context.Background(), key, "f", "i").Result()
	if err != nil {
		t.Fatal(err)
	}
	num := func(x any) int {
		s, _ := x.(string) // nil for a field (or key) that is not there
		n, _ := strconv.Atoi(s)
		return n
	}
	return num(v[0]), num(v[1])
}

// TestExactAcrossInstances: goroutines failing on one account through two
// instances are counted exactly, and no more attempts are allowed than the
// limit before the lock, however they interleave.
func TestExactAcrossInstances(t *testing.T) {
	alice := throttle.Attempt{Username: "alice", IP: "192.0.2.1"}

	t.Run("ok, every failure counted once", func(t *testing.T) {
		th, c := twoInstances(t, redisthrottle.Config{AccountLimit: 100, IPLimit: 1000})
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Go(func() {
				ctx := context.Background()
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
		for _, key := range th[0].Keys(alice) {
			if f, i := record(t, c, key); f != goroutines || i != 0 {
				t.Errorf("%s: got %d failures, %d in flight; want %d, 0", key, f, i, goroutines)
			}
		}
	})

	t.Run("nok, exactly the limit allowed before the lock", func(t *testing.T) {
		const limit = 10
		th, c := twoInstances(t, redisthrottle.Config{AccountLimit: limit, BaseDelay: time.Minute, MaxDelay: time.Minute})
		key := th[0].Keys(alice)[0]
		var allowed, refused atomic.Int64
		var wg sync.WaitGroup
		for g := range goroutines {
			wg.Go(func() {
				ctx := context.Background()
				inst := th[g%2]
				// Retry while refused for attempts in flight, until the
				// failures reach the limit (the lock): polling Redis.
				for {
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
					refused.Add(1)
					if f, _ := record(t, c, key); f >= limit {
						return
					}
				}
			})
		}
		wg.Wait()
		if got := allowed.Load(); got != limit {
			t.Errorf("allowed %d attempts; want exactly %d", got, limit)
		}
		if f, i := record(t, c, key); f != limit || i != 0 {
			t.Errorf("got %d failures, %d in flight; want %d, 0", f, i, limit)
		}
		for n, inst := range th {
			if wait, err := inst.Allow(context.Background(), alice); err != nil || wait <= 59*time.Second {
				t.Errorf("instance %d after the limit: got %v, %v; want locked for about 1m", n, wait, err)
			}
		}
		t.Logf("%d refusals while attempts were in flight", refused.Load())
	})
}

// TestExactAcrossLocalStrategies: the same through two local strategies
// (two instances of an app) sharing the Redis throttle.
func TestExactAcrossLocalStrategies(t *testing.T) {
	const limit = 10
	th, c := twoInstances(t, redisthrottle.Config{AccountLimit: limit, BaseDelay: time.Minute, MaxDelay: time.Minute})
	verify := func(context.Context, string, string) (string, error) { return "", strategy.ErrInvalidCredentials }
	var apps [2]*local.Strategy[string]
	for i := range apps {
		s, err := local.New(local.Config[string]{Verify: verify, Throttle: th[i]})
		if err != nil {
			t.Fatal(err)
		}
		apps[i] = s
	}
	key := th[0].Keys(throttle.Attempt{Username: "alice"})[0]
	var unauthorized, throttled atomic.Int64
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for {
				r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader("username=Alice&password=guess"))
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				r.RemoteAddr = "192.0.2.1:40000"
				res, err := apps[g%2].Authenticate(r)
				if err != nil {
					t.Errorf("goroutine %d: %v", g, err)
					return
				}
				switch res.FailStatus() {
				case http.StatusUnauthorized:
					unauthorized.Add(1)
					return
				case http.StatusTooManyRequests:
					throttled.Add(1)
					if f, _ := record(t, c, key); f >= limit {
						return
					}
				default:
					t.Errorf("goroutine %d: got %+v; want 401 or 429", g, res)
					return
				}
			}
		})
	}
	wg.Wait()
	if got := unauthorized.Load(); got != limit {
		t.Errorf("%d passwords checked; want exactly %d", got, limit)
	}
	if f, i := record(t, c, key); f != limit || i != 0 {
		t.Errorf("got %d failures, %d in flight; want %d, 0", f, i, limit)
	}
}
