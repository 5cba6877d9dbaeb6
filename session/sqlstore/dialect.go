package sqlstore

import (
	"strings"

	"github.com/gopassport/passport/internal/sqldialect"
)

// Dialect is the SQL flavour of the database, [SQLite] or [PostgreSQL]:
// placeholders and column types differ between them. It is the same type
// as the Dialect of strategy/jwt/sqltokens, so one value configures both
// stores.
type Dialect = sqldialect.Dialect

const (
	// SQLite is the default dialect: "?" placeholders and a BLOB column.
	// Use it with modernc.org/sqlite (driver name "sqlite").
	SQLite = sqldialect.SQLite
	// PostgreSQL uses "$1" placeholders and a BYTEA column. Use it with
	// github.com/jackc/pgx/v5/stdlib (driver name "pgx").
	PostgreSQL = sqldialect.PostgreSQL
)

// queries are the statements of one store, built once by New from the
// dialect and the validated table name.
type queries struct {
	d              Dialect
	table          string // quoted
	createTable    string
	createIndex    string
	createUserIdx  string
	columns        string // with the table's name as argument: columnArg
	load           string
	insert         string
	update         string
	deleteID       string
	deleteExpired  string
	listUser       string
	userIDs        string
	deleteUserID   string
	deleteUserIDs  string // followed by the "?, ?, …)" of the id list
	addColumnIfNew string // "ADD COLUMN IF NOT EXISTS" on PostgreSQL
}

// column is one of the columns added to the first version's table (id,
// data, expires_at), with its type; New adds those that are missing.
type column struct{ name, typ string }

// addedColumns are the columns of the second version, all nullable so that
// ALTER TABLE can add them to a table with rows.
var addedColumns = [...]column{
	{"user_key", "TEXT"},
	{"created_at", "BIGINT"},
	{"last_seen", "BIGINT"},
	{"ip", "TEXT"},
	{"user_agent", "TEXT"},
}

// newQueries writes the statements for table in dialect d, which New has
// checked.
func newQueries(d Dialect, table string) queries {
	t := sqldialect.Quote(table)
	add := "ALTER TABLE " + t + " ADD COLUMN "
	if d == PostgreSQL {
		add += "IF NOT EXISTS "
	}
	return queries{
		d:     d,
		table: t,
		createTable: "CREATE TABLE IF NOT EXISTS " + t +
			" (id TEXT PRIMARY KEY, data " + d.Bytes() + " NOT NULL, expires_at BIGINT NOT NULL," +
			" user_key TEXT, created_at BIGINT, last_seen BIGINT, ip TEXT, user_agent TEXT)",
		createIndex: "CREATE INDEX IF NOT EXISTS " + sqldialect.Quote(table+"_expires_at_idx") +
			" ON " + t + " (expires_at)",
		createUserIdx: "CREATE INDEX IF NOT EXISTS " + sqldialect.Quote(table+"_user_key_idx") +
			" ON " + t + " (user_key)",
		columns: columnsQuery(d),
		load:    d.Rebind("SELECT data FROM " + t + " WHERE id = ? AND expires_at > ?"),
		insert: d.Rebind("INSERT INTO " + t + " (id, data, expires_at, user_key, created_at, last_seen, ip, user_agent)" +
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
		// created_at is set once; COALESCE gives one to a row of the first
		// version when it is saved again. A row that expired meanwhile is
		// not updated: the session ended, and a save must not revive it.
		update: d.Rebind("UPDATE " + t + " SET data = ?, expires_at = ?, user_key = ?, created_at = COALESCE(created_at, ?)," +
			" last_seen = ?, ip = ?, user_agent = ? WHERE id = ? AND expires_at > ?"),
		deleteID:      d.Rebind("DELETE FROM " + t + " WHERE id = ?"),
		deleteExpired: d.Rebind("DELETE FROM " + t + " WHERE expires_at <= ?"),
		listUser: d.Rebind("SELECT id, created_at, last_seen, expires_at, ip, user_agent FROM " + t +
			" WHERE user_key = ? AND expires_at > ? ORDER BY COALESCE(created_at, 0) DESC, COALESCE(last_seen, 0) DESC, id"),
		userIDs:        d.Rebind("SELECT id FROM " + t + " WHERE user_key = ? AND expires_at > ?"),
		deleteUserID:   d.Rebind("DELETE FROM " + t + " WHERE id = ? AND user_key = ?"),
		deleteUserIDs:  "DELETE FROM " + t + " WHERE user_key = ? AND id IN (",
		addColumnIfNew: add,
	}
}

// deleteIDs returns the statement deleting n rows of one user by ID: the
// user, then the n IDs.
func (q *queries) deleteIDs(n int) string {
	var b strings.Builder
	b.Grow(len(q.deleteUserIDs) + 3*n)
	b.WriteString(q.deleteUserIDs)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('?')
	}
	b.WriteByte(')')
	return q.d.Rebind(b.String())
}

// columnsQuery returns the query listing the names of a table's columns,
// whose one argument is [queries.columnArg]. Not "SELECT * … LIMIT 0":
// pgx caches that statement's result type per connection and refuses to
// run it again once a column was added.
func columnsQuery(d Dialect) string {
	if d == PostgreSQL {
		// regclass resolves the quoted name through search_path, as
		// the store's statements do.
		return "SELECT attname FROM pg_catalog.pg_attribute WHERE attrelid = $1::text::regclass AND attnum > 0 AND NOT attisdropped"
	}
	return "SELECT name FROM pragma_table_info(?)"
}

// columnArg is the argument of the columns query: the quoted name on
// PostgreSQL, the bare one on SQLite.
func (q *queries) columnArg() string {
	if q.d == PostgreSQL {
		return q.table
	}
	return q.table[1 : len(q.table)-1]
}
