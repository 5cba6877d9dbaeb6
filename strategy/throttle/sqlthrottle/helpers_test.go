package sqlthrottle_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/gopassport/passport/internal/testenv"
	"github.com/gopassport/passport/strategy/throttle"
	"github.com/gopassport/passport/strategy/throttle/sqlthrottle"
	"github.com/gopassport/passport/strategy/throttle/throttletest"
)

// fakeClock is the kit's settable clock, for Config.Now.
type fakeClock = throttletest.Clock

func newFakeClock() *fakeClock { return throttletest.NewClock() }

// fixture is one test's database: a table nobody else uses, and a way to
// open more pools on it.
type fixture struct {
	dialect sqlthrottle.Dialect
	table   string
	dsn     string
	connect func(t testing.TB) *sql.DB // a new pool, closed after the test
}

// config returns cfg on the fixture's dialect and table.
func (fx fixture) config(cfg sqlthrottle.Config) sqlthrottle.Config {
	cfg.Dialect, cfg.Table = fx.dialect, fx.table
	if cfg.CleanupInterval == 0 {
		cfg.CleanupInterval = -1
	}
	return cfg
}

// backend makes fixtures for one database product.
type backend struct {
	name  string
	setup func(t testing.TB) fixture
}

func backends() []backend {
	return []backend{{"sqlite", sqliteFixture}, {"postgres", postgresFixture}}
}

// forEachBackend runs f against SQLite and against PostgreSQL (skipped
// when the server is down, unless PASSPORT_REQUIRE_SERVICES=1), each with
// a fixture of its own.
func forEachBackend(t *testing.T, f func(t *testing.T, fx fixture)) {
	t.Helper()
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) { f(t, b.setup(t)) })
	}
}

// sqliteDSN opens path with the settings the package documentation
// recommends.
func sqliteDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"
}

func sqliteFixture(t testing.TB) fixture {
	path := filepath.Join(t.TempDir(), "throttle.db")
	return fixture{
		dialect: sqlthrottle.SQLite,
		table:   sqlthrottle.DefaultTable,
		connect: func(t testing.TB) *sql.DB { return open(t, "sqlite", sqliteDSN(path)) },
	}
}

func postgresFixture(t testing.TB) fixture {
	dsn := testenv.PostgresDSN(t)
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	table := "passport_throttle_test_" + hex.EncodeToString(b[:])
	// Registered first, so it runs last: after every Throttle and pool of
	// the test is closed.
	t.Cleanup(func() {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Errorf("dropping %s: %v", table, err)
			return
		}
		defer db.Close()
		if _, err := db.ExecContext(context.Background(), `DROP TABLE IF EXISTS "`+table+`"`); err != nil {
			t.Errorf("dropping %s: %v", table, err)
		}
	})
	return fixture{
		dialect: sqlthrottle.PostgreSQL,
		table:   table,
		dsn:     dsn,
		connect: func(t testing.TB) *sql.DB { return open(t, "pgx", dsn) },
	}
}

func open(t testing.TB, driver, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("opening %s: %v", driver, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// newThrottle returns a Throttle on db, closed after the test.
func newThrottle(t testing.TB, db *sql.DB, cfg sqlthrottle.Config) *sqlthrottle.Throttle {
	t.Helper()
	th, err := sqlthrottle.New(context.Background(), db, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = th.Close() })
	return th
}

// row returns the failures and the attempts in flight of one record, 0
// and 0 when it has no row.
func row(t testing.TB, fx fixture, db *sql.DB, rec [2]string) (failures, inflight int64) {
	t.Helper()
	q := `SELECT failures, in_flight FROM "` + fx.table + `" WHERE kind = ? AND key = ?`
	if fx.dialect == sqlthrottle.PostgreSQL {
		q = `SELECT failures, in_flight FROM "` + fx.table + `" WHERE kind = $1 AND key = $2`
	}
	err := db.QueryRowContext(context.Background(), q, rec[0], rec[1]).Scan(&failures, &inflight)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0
	}
	if err != nil {
		t.Fatalf("reading %v: %v", rec, err)
	}
	return failures, inflight
}

// count returns the number of rows of the fixture's table.
func count(t testing.TB, fx fixture, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM "`+fx.table+`"`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// fail and attempt are the kit's Fail and Try.
func fail(t testing.TB, th throttle.Throttler, a throttle.Attempt) time.Duration {
	t.Helper()
	return throttletest.Fail(t, th, a)
}

func attempt(t testing.TB, th throttle.Throttler, a throttle.Attempt, v throttle.Verdict) time.Duration {
	t.Helper()
	return throttletest.Try(t, th, a, v)
}

func allow(t testing.TB, th throttle.Throttler, a throttle.Attempt) time.Duration {
	t.Helper()
	wait, err := th.Allow(context.Background(), a)
	if err != nil {
		t.Fatalf("Allow: %v", err)
	}
	return wait
}

func wantWait(t testing.TB, step string, got, want time.Duration) {
	t.Helper()
	if got != want {
		t.Errorf("%s: got wait %v; want %v", step, got, want)
	}
}

func itoa(n uint16) string { return strconv.Itoa(int(n)) }

// replaceHost returns dsn (a URL) with host:port replaced by addr.
func replaceHost(t testing.TB, dsn, addr string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("the PostgreSQL DSN is not a URL: %v", err)
	}
	u.Host = addr
	return u.String()
}
