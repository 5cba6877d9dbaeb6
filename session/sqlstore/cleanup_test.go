package sqlstore_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gopassport/passport/session/sqlstore"
)

// The background cleanup runs on SQLite inside a synctest bubble: the
// bubble's fake clock drives the cleanup's ticker, and synctest.Wait
// returns once the cleanup has done its work and is waiting again, so no
// test sleeps on the real clock. (PostgreSQL's sockets cannot join a
// bubble; DeleteExpired itself runs on both in TestExpiry.)

// expiredEnv is an env on SQLite with two sessions that expired an hour
// ago by the store's clock.
func expiredEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, sqliteFixture(t))
	e.set("user", "alice")
	e.set("user", "bob")
	e.clock.Advance(25 * time.Hour)
	return e
}

// cleaningStore is a second store on e's table whose background cleanup
// runs every interval.
func (e *env) cleaningStore(ctx context.Context, interval time.Duration) *sqlstore.Store {
	e.t.Helper()
	st, err := sqlstore.New(ctx, e.db, sqlstore.Config{
		Keys: [][]byte{e.key}, Table: e.fx.table, Dialect: e.fx.dialect,
		CleanupInterval: interval, Now: e.clock.Now,
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

// after lets d pass on the bubble's clock and waits for the cleanup to be
// idle again.
func after(d time.Duration) {
	time.Sleep(d)
	synctest.Wait()
}

func TestBackgroundCleanup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := expiredEnv(t)
		const interval = 5 * time.Minute
		st := e.cleaningStore(t.Context(), interval)

		after(interval - time.Second)
		if got := e.rows(); got != 2 {
			t.Errorf("before the first tick: got %d rows; want 2", got)
		}
		after(time.Second)
		if got := e.rows(); got != 0 {
			t.Errorf("after the first tick: got %d rows; want the expired ones deleted", got)
		}

		if err := st.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := st.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		// Nothing is deleted after Close.
		e.clock.Advance(-25 * time.Hour)
		c := e.set("user", "carol")
		e.clock.Advance(25 * time.Hour)
		after(10 * interval)
		if got := e.rows(); got != 1 {
			t.Errorf("after Close: got %d rows; want 1, the cleanup stopped", got)
		}
		// The store still serves after Close.
		e.clock.Advance(-25 * time.Hour)
		r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
		r.AddCookie(c)
		if sess, err := st.New(r, cookieName); err != nil || sess.Values["user"] != "carol" {
			t.Errorf("got %v, %v after Close; want carol's session", sess.Values, err)
		}
	})
}

func TestCleanupInterval(t *testing.T) {
	tests := []struct {
		name     string
		interval time.Duration
		wait     time.Duration
		wantRows int
	}{
		{name: "ok, zero is the default, not yet", interval: 0, wait: sqlstore.DefaultCleanupInterval - time.Second, wantRows: 2},
		{name: "ok, zero is the default", interval: 0, wait: sqlstore.DefaultCleanupInterval, wantRows: 0},
		{name: "ok, negative starts nothing", interval: -1, wait: 365 * 24 * time.Hour, wantRows: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := expiredEnv(t)
				st := e.cleaningStore(t.Context(), tt.interval)
				defer st.Close()
				after(tt.wait)
				if got := e.rows(); got != tt.wantRows {
					t.Errorf("got %d rows; want %d", got, tt.wantRows)
				}
			})
		})
	}
}

// New's context bounds the table creation only: cancelling it afterwards
// does not stop the cleanup.
func TestCleanupOutlivesNewContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := expiredEnv(t)
		ctx, cancel := context.WithCancel(t.Context())
		st := e.cleaningStore(ctx, time.Minute)
		defer st.Close()
		cancel()
		after(time.Minute)
		if got := e.rows(); got != 0 {
			t.Errorf("got %d rows; want the expired ones deleted after New's context was cancelled", got)
		}
	})
}
