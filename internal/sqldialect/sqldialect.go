// Package sqldialect is what the project's SQL stores (session/sqlstore and
// strategy/jwt/sqltokens) share about the databases they speak to: the
// [Dialect] type with its placeholders and column types, the rule for the
// table names a Config may give, and their quoting.
package sqldialect

import (
	"strconv"
	"strings"
)

// Dialect is the SQL flavour a store speaks: placeholders and column
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

// Known reports whether d is one of the dialects above.
func (d Dialect) Known() bool { return d == SQLite || d == PostgreSQL }

// Bytes is the type of a column of raw bytes.
func (d Dialect) Bytes() string {
	if d == PostgreSQL {
		return "BYTEA"
	}
	return "BLOB"
}

// Rebind rewrites the "?" placeholders of q for d: unchanged for SQLite,
// "$1", "$2", … in order for PostgreSQL. q must hold no "?" other than
// placeholders (no string literal with one): the stores' statements are
// constants of their own.
func (d Dialect) Rebind(q string) string {
	if d != PostgreSQL || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// MaxName is the longest table name, or table prefix, a store accepts:
// with the longest suffix a store adds ("_expires_at_idx"), the names stay
// within PostgreSQL's 63-byte identifiers, beyond which the server
// silently truncates them.
const MaxName = 48

// ValidName reports whether name can start or be a table name: an ASCII
// letter or underscore, then letters, digits or underscores, at most
// [MaxName] bytes. Nothing else reaches the SQL text.
func ValidName(name string) bool {
	if name == "" || len(name) > MaxName {
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

// Quote quotes an identifier made of valid names, so that a reserved word
// such as "order" works as a table name, and upper-case letters keep their
// case, in both dialects.
func Quote(name string) string { return `"` + name + `"` }
