package storetest_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/gorilla/sessions"
	_ "modernc.org/sqlite"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/sqlstore"
	"github.com/gopassport/passport/session/storetest"
)

// newSQLStore is a store of the test's own: a fresh SQLite file read on
// the given clock.
func newSQLStore(t *testing.T, clock *storetest.Clock) sessions.Store {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "s.db")+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	key, err := session.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.New(context.Background(), db, sqlstore.Config{Keys: [][]byte{key}, CleanupInterval: -1, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// A store's test runs the kit on stores it makes one per subtest, reading
// the clock the kit moves forward. (An example cannot run a test: this
// one shows the test function.)
func Example() {
	_ = func(t *testing.T) { // func TestKit(t *testing.T)
		clock := storetest.NewClock()
		storetest.RunWith(t, func(t *testing.T) sessions.Store {
			return newSQLStore(t, clock)
		}, storetest.Config{Clock: clock})
	}
}

// The kit on sqlstore, from the kit's side: a second store besides
// redisstore that every subtest runs on (session/sqlstore runs it on
// PostgreSQL too).
func TestKitOnSQLStore(t *testing.T) {
	clock := storetest.NewClock()
	storetest.RunWith(t, func(t *testing.T) sessions.Store { return newSQLStore(t, clock) }, storetest.Config{Clock: clock})
}
