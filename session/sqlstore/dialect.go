package sqlstore

import (
	"fmt"
	"strconv"
)

// Dialect is the SQL flavour the store speaks: placeholders and column
// types differ between databases.
type Dialect int

const (
	// SQLite is the default dialect: "?" placeholders and a BLOB column.
	// Use it with modernc.org/sqlite (driver name "sqlite").
	SQLite Dialect = iota
	// PostgreSQL uses "$1" placeholders and a BYTEA column. Use it with
	// github.com/jackc/pgx/v5/stdlib (driver name "pgx").
	PostgreSQL
)

// String returns the dialect's name.
func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "SQLite"
	case PostgreSQL:
		return "PostgreSQL"
	default:
		return "Dialect(" + strconv.Itoa(int(d)) + ")"
	}
}

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

func (d Dialect) queries(table string) (queries, error) {
	var blob string
	var ph func(i int) string
	switch d {
	case SQLite:
		blob = "BLOB"
		ph = func(int) string { return "?" }
	case PostgreSQL:
		blob = "BYTEA"
		ph = func(i int) string { return "$" + strconv.Itoa(i) }
	default:
		return queries{}, fmt.Errorf("sqlstore: unknown dialect %v", d)
	}
	t := quoteIdent(table)
	return queries{
		createTable: "CREATE TABLE IF NOT EXISTS " + t +
			" (id TEXT PRIMARY KEY, data " + blob + " NOT NULL, expires_at BIGINT NOT NULL)",
		createIndex: "CREATE INDEX IF NOT EXISTS " + quoteIdent(table+"_expires_at_idx") +
			" ON " + t + " (expires_at)",
		load:          "SELECT data FROM " + t + " WHERE id = " + ph(1) + " AND expires_at > " + ph(2),
		insert:        "INSERT INTO " + t + " (id, data, expires_at) VALUES (" + ph(1) + ", " + ph(2) + ", " + ph(3) + ")",
		update:        "UPDATE " + t + " SET data = " + ph(1) + ", expires_at = " + ph(2) + " WHERE id = " + ph(3),
		deleteID:      "DELETE FROM " + t + " WHERE id = " + ph(1),
		deleteExpired: "DELETE FROM " + t + " WHERE expires_at <= " + ph(1),
	}, nil
}

// maxTableName keeps the index name (table + "_expires_at_idx") within
// PostgreSQL's 63-byte identifiers.
const maxTableName = 48

// validTable reports whether name is a plain SQL identifier: an ASCII
// letter or underscore, then letters, digits or underscores, at most
// maxTableName bytes. Nothing else reaches the SQL text.
func validTable(name string) bool {
	if name == "" || len(name) > maxTableName {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// quoteIdent quotes a validated identifier, so that a reserved word such as
// "order" works as a table name in both dialects.
func quoteIdent(name string) string { return `"` + name + `"` }
