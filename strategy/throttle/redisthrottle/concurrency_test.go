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
	"github.com/gopassport/passport/strategy/throttle/throttletest"
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

// TestExactAcrossInstances runs the kit's exactness checks on two
// instances (a client each) on one Redis and prefix.
func TestExactAcrossInstances(t *testing.T) {
	throttletest.Exact(t, func(t *testing.T, l throttletest.Limits) (throttle.Throttler, throttle.Throttler) {
		th, _ := twoInstances(t, redisthrottle.Config{AccountLimit: l.AccountLimit, IPLimit: l.IPLimit, BaseDelay: l.BaseDelay, MaxDelay: l.MaxDelay})
		return th[0], th[1]
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
