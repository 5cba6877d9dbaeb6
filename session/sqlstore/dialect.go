package sqlstore

import (
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
	createTable   string
	createIndex   string
	load          string
	insert        string
	update        string
	deleteID      string
	deleteExpired string
}

// newQueries writes the statements for table in dialect d, which New has
// checked.
func newQueries(d Dialect, table string) queries {
	t := sqldialect.Quote(table)
	return queries{
		createTable: "CREATE TABLE IF NOT EXISTS " + t +
			" (id TEXT PRIMARY KEY, data " + d.Bytes() + " NOT NULL, expires_at BIGINT NOT NULL)",
		createIndex: "CREATE INDEX IF NOT EXISTS " + sqldialect.Quote(table+"_expires_at_idx") +
			" ON " + t + " (expires_at)",
		load:          d.Rebind("SELECT data FROM " + t + " WHERE id = ? AND expires_at > ?"),
		insert:        d.Rebind("INSERT INTO " + t + " (id, data, expires_at) VALUES (?, ?, ?)"),
		update:        d.Rebind("UPDATE " + t + " SET data = ?, expires_at = ? WHERE id = ?"),
		deleteID:      d.Rebind("DELETE FROM " + t + " WHERE id = ?"),
		deleteExpired: d.Rebind("DELETE FROM " + t + " WHERE expires_at <= ?"),
	}
}
