package sqlthrottle

import (
	"strings"

	"github.com/gopassport/passport/internal/sqldialect"
)

// columns are a record's columns after its primary key (kind, key), in the
// order the statements read and write them; all times are Unix
// milliseconds of Config.Now.
const columns = "failures, forget_at, lock_until, in_flight, in_flight_until"

// queries are the statements of one Throttle, built once by New from the
// dialect and the validated table name; lock, store and remove are indexed
// by the number of records (1 or 2) minus one.
type queries struct {
	createTable, createIndex string
	lock, store, remove      [2]string
	deleteExpired            string
}

func newQueries(d sqldialect.Dialect, table string) queries {
	t := sqldialect.Quote(table)
	q := queries{
		createTable: `CREATE TABLE IF NOT EXISTS ` + t + ` (
			kind VARCHAR(1) NOT NULL,
			key VARCHAR(64) NOT NULL,
			failures BIGINT NOT NULL DEFAULT 0,
			forget_at BIGINT NOT NULL DEFAULT 0,
			lock_until BIGINT NOT NULL DEFAULT 0,
			in_flight BIGINT NOT NULL DEFAULT 0,
			in_flight_until BIGINT NOT NULL DEFAULT 0,
			expires_at BIGINT NOT NULL DEFAULT 0,
			PRIMARY KEY (kind, key)
		)`,
		createIndex: `CREATE INDEX IF NOT EXISTS ` + sqldialect.Quote(table+"_expires_at_idx") + ` ON ` + t + ` (expires_at)`,
	}
	if d == sqldialect.PostgreSQL {
		// Rows locked by a transaction of Allow or Done are skipped, so that
		// the cleanup never waits for one (nor deadlocks with one); they
		// are deleted next time.
		q.deleteExpired = `DELETE FROM ` + t + ` WHERE (kind, key) IN (SELECT kind, key FROM ` + t +
			` WHERE expires_at <= $1 FOR UPDATE SKIP LOCKED)`
	} else {
		q.deleteExpired = `DELETE FROM ` + t + ` WHERE expires_at <= ?`
	}
	for n := 1; n <= 2; n++ {
		// lock inserts the missing records, empty, and locks the existing
		// ones by a no-op update, returning them all: one statement, in the
		// order of the VALUES (primary-key order), so that two
		// transactions lock shared records in the same order.
		q.lock[n-1] = d.Rebind(`INSERT INTO ` + t + ` (kind, key) VALUES ` + tuples(n, 2) +
			` ON CONFLICT (kind, key) DO UPDATE SET kind = excluded.kind RETURNING kind, key, ` + columns)
		q.store[n-1] = d.Rebind(`INSERT INTO ` + t + ` (kind, key, ` + columns + `, expires_at) VALUES ` + tuples(n, 8) +
			` ON CONFLICT (kind, key) DO UPDATE SET failures = excluded.failures, forget_at = excluded.forget_at,` +
			` lock_until = excluded.lock_until, in_flight = excluded.in_flight,` +
			` in_flight_until = excluded.in_flight_until, expires_at = excluded.expires_at`)
		where := make([]string, n)
		for i := range where {
			where[i] = "(kind = ? AND key = ?)"
		}
		q.remove[n-1] = d.Rebind(`DELETE FROM ` + t + ` WHERE ` + strings.Join(where, " OR "))
	}
	return q
}

// tuples returns n tuples of width placeholders: "(?, ?), (?, ?)".
func tuples(n, width int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", n), ", ")
}
