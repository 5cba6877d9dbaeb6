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
	"github.com/gopassport/passport/strategy/throttle/throttletest"
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

// TestExactAcrossInstances runs the kit's exactness checks on two
// instances (a pool each) on one SQLite file or PostgreSQL table.
func TestExactAcrossInstances(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			throttletest.Exact(t, func(t *testing.T, l throttletest.Limits) (throttle.Throttler, throttle.Throttler) {
				th, _ := twoInstances(t, b.setup(t), sqlthrottle.Config{AccountLimit: l.AccountLimit, IPLimit: l.IPLimit, BaseDelay: l.BaseDelay, MaxDelay: l.MaxDelay})
				return th[0], th[1]
			})
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
