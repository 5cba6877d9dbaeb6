package sqlthrottle_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/local"
	"github.com/gopassport/passport/strategy/throttle"
	"github.com/gopassport/passport/strategy/throttle/sqlthrottle"
)

const goroutines = 30

// concurrentTimeout bounds each call of the concurrency tests: 30
// goroutines queue on one row (on SQLite, on the database's write lock),
// under the race detector on 2 cores.
const concurrentTimeout = 20 * time.Second

// twoInstances returns two Throttles, each on a *sql.DB pool of its own,
// on one table, and a third pool to read the rows with.
func twoInstances(t *testing.T, fx fixture, cfg sqlthrottle.Config) ([2]*sqlthrottle.Throttle, *sql.DB) {
	t.Helper()
	cfg.Timeout = concurrentTimeout
	cfg = fx.config(cfg)
	var th [2]*sqlthrottle.Throttle
	for i := range th {
		db := fx.connect(t)
		if fx.dialect == sqlthrottle.SQLite {
			// SQLite has one writer at a time: one connection per pool,
			// as the package documentation recommends.
			db.SetMaxOpenConns(1)
		}
		th[i] = newThrottle(t, db, cfg)
	}
	return th, fx.connect(t)
}

// TestExactAcrossInstances: goroutines failing on one account through two
// instances (two pools) are counted exactly, and no more attempts are
// allowed than the limit before the lock, however they interleave.
func TestExactAcrossInstances(t *testing.T) {
	alice := throttle.Attempt{Username: "alice", IP: "192.0.2.1"}
	for _, b := range backends() {
		t.Run(b.name+", ok, every failure counted once", func(t *testing.T) {
			fx := b.setup(t)
			th, db := twoInstances(t, fx, sqlthrottle.Config{AccountLimit: 100, IPLimit: 1000})
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
			for _, rec := range th[0].Records(alice) {
				if f, i := row(t, fx, db, rec); f != goroutines || i != 0 {
					t.Errorf("%v: got %d failures, %d in flight; want %d, 0", rec, f, i, goroutines)
				}
			}
		})

		t.Run(b.name+", nok, exactly the limit allowed before the lock", func(t *testing.T) {
			const limit = 10
			fx := b.setup(t)
			th, db := twoInstances(t, fx, sqlthrottle.Config{AccountLimit: limit, BaseDelay: time.Minute, MaxDelay: time.Minute})
			rec := th[0].Records(alice)[0]
			var allowed, refused atomic.Int64
			var wg sync.WaitGroup
			for g := range goroutines {
				wg.Go(func() {
					ctx := context.Background()
					inst := th[g%2]
					// Retry while refused for attempts in flight, until the
					// failures reach the limit (the lock): polling the
					// database.
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
						if f, _ := row(t, fx, db, rec); f >= limit || t.Failed() {
							return
						}
					}
				})
			}
			wg.Wait()
			if got := allowed.Load(); got != limit {
				t.Errorf("allowed %d attempts; want exactly %d", got, limit)
			}
			if f, i := row(t, fx, db, rec); f != limit || i != 0 {
				t.Errorf("got %d failures, %d in flight; want %d, 0", f, i, limit)
			}
			for n, inst := range th {
				if wait, err := inst.Allow(context.Background(), alice); err != nil || wait <= 30*time.Second {
					t.Errorf("instance %d after the limit: got %v, %v; want locked for about 1m", n, wait, err)
				}
			}
			t.Logf("%d refusals while attempts were in flight", refused.Load())
		})
	}
}

// TestExactAcrossLocalStrategies: the same through two local strategies
// (two instances of an app) sharing the SQL throttle.
func TestExactAcrossLocalStrategies(t *testing.T) {
	const limit = 10
	forEachBackend(t, func(t *testing.T, fx fixture) {
		th, db := twoInstances(t, fx, sqlthrottle.Config{AccountLimit: limit, BaseDelay: time.Minute, MaxDelay: time.Minute})
		verify := func(context.Context, string, string) (string, error) { return "", strategy.ErrInvalidCredentials }
		var apps [2]*local.Strategy[string]
		for i := range apps {
			s, err := local.New(local.Config[string]{Verify: verify, Throttle: th[i]})
			if err != nil {
				t.Fatal(err)
			}
			apps[i] = s
		}
		rec := th[0].Records(throttle.Attempt{Username: "alice"})[0]
		var unauthorized atomic.Int64
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
						if f, _ := row(t, fx, db, rec); f >= limit || t.Failed() {
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
		if f, i := row(t, fx, db, rec); f != limit || i != 0 {
			t.Errorf("got %d failures, %d in flight; want %d, 0", f, i, limit)
		}
	})
}
