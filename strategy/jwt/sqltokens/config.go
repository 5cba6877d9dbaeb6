package sqltokens

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gopassport/passport/internal/cleanup"
	"github.com/gopassport/passport/internal/sqldialect"
)

// DefaultTablePrefix starts the table names when Config.TablePrefix is
// empty: passport_jwt_family, passport_jwt_refresh, passport_jwt_subject.
const DefaultTablePrefix = "passport_jwt_"

// DefaultCleanupInterval is how often expired tokens are deleted when
// Config.CleanupInterval is zero.
const DefaultCleanupInterval = 10 * time.Minute

// ErrInvalidConfig is wrapped by the errors that [New] returns for a
// configuration mistake. The error's message names the field.
var ErrInvalidConfig = errors.New("sqltokens: invalid config")

// Dialect is the SQL flavour of the database, [SQLite] or [PostgreSQL]:
// placeholders differ between them. It is the same type as the Dialect of
// session/sqlstore, so one value configures both stores.
type Dialect = sqldialect.Dialect

const (
	// SQLite is the default dialect: "?" placeholders. Use it with
	// modernc.org/sqlite (driver name "sqlite"), SQLite 3.24 or later.
	SQLite = sqldialect.SQLite
	// PostgreSQL uses "$1" placeholders. Use it with
	// github.com/jackc/pgx/v5/stdlib (driver name "pgx").
	PostgreSQL = sqldialect.PostgreSQL
)

// Config configures [New]. Dialect, CleanupInterval, Logger and Now mean
// the same as in session/sqlstore.Config.
type Config struct {
	// Dialect of the database. Optional. Default [SQLite].
	Dialect Dialect
	// TablePrefix starts the names of the three tables (prefix + "family",
	// "refresh" and "subject"): ASCII letters, digits and underscores, not
	// starting with a digit, at most 48 bytes, quoted in the SQL so that
	// its case is kept. Optional. Default [DefaultTablePrefix].
	TablePrefix string
	// CleanupInterval is how often a background goroutine, started by
	// [New] and stopped by [Store.Close], deletes expired tokens.
	// Optional. Default [DefaultCleanupInterval]; negative disables it
	// (call [Store.DeleteExpired] yourself, from a cron job for example).
	CleanupInterval time.Duration
	// Logger receives the faults of the background cleanup, which has no
	// caller to return them to. Optional. Default slog.Default().
	Logger *slog.Logger
	// Now returns the current time, against which [Store.DeleteExpired]
	// judges expiry. Optional, for tests. Default time.Now.
	Now func() time.Time
}

// New returns a Store on db, creates its tables and indexes when they do
// not exist, and starts the background cleanup (see
// Config.CleanupInterval). ctx bounds the table creation only; the cleanup
// keeps its values but outlives it. db stays the caller's: [Store.Close]
// does not close it.
//
// A configuration mistake (a nil db, an unknown Dialect, a bad
// TablePrefix) is an error wrapping [ErrInvalidConfig], returned before
// the database is touched.
func New(ctx context.Context, db *sql.DB, cfg Config) (*Store, error) {
	if db == nil {
		return nil, fmt.Errorf("%w: nil *sql.DB", ErrInvalidConfig)
	}
	if !cfg.Dialect.Known() {
		return nil, fmt.Errorf("%w: unknown dialect %v in Config.Dialect", ErrInvalidConfig, cfg.Dialect)
	}
	p := cfg.TablePrefix
	if p == "" {
		p = DefaultTablePrefix
	}
	if !sqldialect.ValidName(p) {
		return nil, fmt.Errorf("%w: Config.TablePrefix %q: want letters, digits and underscores, not starting with a digit, at most %d bytes",
			ErrInvalidConfig, p, sqldialect.MaxName)
	}
	s := &Store{db: db, q: newQueries(cfg.Dialect, p), now: cfg.Now}
	if s.now == nil {
		s.now = time.Now
	}
	for _, q := range schema(p) {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return nil, fault("create schema", err)
		}
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	interval := cfg.CleanupInterval
	if interval == 0 {
		interval = DefaultCleanupInterval
	}
	s.cleanup = cleanup.Start(ctx, interval, logger, "sqltokens: background cleanup failed", s.DeleteExpired)
	return s, nil
}

// Close stops the background cleanup and waits for it to return. It does
// not close the database, and the store keeps serving. Close is
// idempotent and always returns nil.
func (s *Store) Close() error {
	s.cleanup.Stop()
	return nil
}

// schema is the DDL of the tables whose names start with prefix.
func schema(prefix string) []string {
	family, token, subject := sqldialect.Quote(prefix+"family"), sqldialect.Quote(prefix+"refresh"), sqldialect.Quote(prefix+"subject")
	return []string{
		`CREATE TABLE IF NOT EXISTS ` + family + ` (
			id VARCHAR(64) PRIMARY KEY,
			subject VARCHAR(255) NOT NULL,
			revoked_at BIGINT
		)`,
		`CREATE INDEX IF NOT EXISTS ` + sqldialect.Quote(prefix+"family_subject") + ` ON ` + family + ` (subject)`,
		`CREATE TABLE IF NOT EXISTS ` + token + ` (
			hash CHAR(64) PRIMARY KEY,
			family_id VARCHAR(64) NOT NULL,
			subject VARCHAR(255) NOT NULL,
			scope TEXT NOT NULL,
			issued_at BIGINT NOT NULL,
			expires_at BIGINT NOT NULL,
			used_at BIGINT
		)`,
		`CREATE INDEX IF NOT EXISTS ` + sqldialect.Quote(prefix+"refresh_family") + ` ON ` + token + ` (family_id)`,
		`CREATE INDEX IF NOT EXISTS ` + sqldialect.Quote(prefix+"refresh_expires") + ` ON ` + token + ` (expires_at)`,
		`CREATE TABLE IF NOT EXISTS ` + subject + ` (
			subject VARCHAR(255) PRIMARY KEY,
			not_before BIGINT NOT NULL
		)`,
	}
}

// queries are the statements of one store, built once by New from the
// dialect and the validated prefix.
type queries struct {
	saveFamily, saveToken   string
	getToken, useToken      string
	revokeFamily            string
	revokeSubjectFamilies   string
	setNotBefore, notBefore string
	familyRevoked           string
	deleteTokens            string
	deleteFamilies          string
}

func newQueries(d Dialect, prefix string) queries {
	family, token, subject := sqldialect.Quote(prefix+"family"), sqldialect.Quote(prefix+"refresh"), sqldialect.Quote(prefix+"subject")
	return queries{
		saveFamily: d.Rebind(`INSERT INTO ` + family + ` (id, subject) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`),
		saveToken: d.Rebind(`INSERT INTO ` + token + ` (hash, family_id, subject, scope, issued_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`),
		getToken: d.Rebind(`SELECT t.hash, t.family_id, t.subject, t.scope, t.issued_at, t.expires_at, t.used_at, f.revoked_at
			FROM ` + token + ` t LEFT JOIN ` + family + ` f ON f.id = t.family_id WHERE t.hash = ?`),
		useToken:              d.Rebind(`UPDATE ` + token + ` SET used_at = ? WHERE hash = ? AND used_at IS NULL`),
		revokeFamily:          d.Rebind(`UPDATE ` + family + ` SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`),
		revokeSubjectFamilies: d.Rebind(`UPDATE ` + family + ` SET revoked_at = ? WHERE subject = ? AND revoked_at IS NULL`),
		setNotBefore: d.Rebind(`INSERT INTO ` + subject + ` (subject, not_before) VALUES (?, ?)
			ON CONFLICT (subject) DO UPDATE SET not_before = excluded.not_before
			WHERE ` + subject + `.not_before < excluded.not_before`),
		notBefore:      d.Rebind(`SELECT not_before FROM ` + subject + ` WHERE subject = ?`),
		familyRevoked:  d.Rebind(`SELECT revoked_at FROM ` + family + ` WHERE id = ?`),
		deleteTokens:   d.Rebind(`DELETE FROM ` + token + ` WHERE expires_at < ?`),
		deleteFamilies: `DELETE FROM ` + family + ` WHERE NOT EXISTS (SELECT 1 FROM ` + token + ` t WHERE t.family_id = ` + family + `.id)`,
	}
}
