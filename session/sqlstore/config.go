package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/gorilla/sessions"

	"github.com/gopassport/passport/internal/cleanup"
	"github.com/gopassport/passport/internal/configerr"
	"github.com/gopassport/passport/internal/sqldialect"
	"github.com/gopassport/passport/session"
)

// DefaultTable is the table the store uses when Config.Table is empty.
const DefaultTable = "passport_sessions"

// DefaultCleanupInterval is how often expired rows are deleted when
// Config.CleanupInterval is zero.
const DefaultCleanupInterval = 10 * time.Minute

// ErrInvalidConfig is wrapped by the errors that [New] returns for a
// configuration mistake. The error's message names the field.
var ErrInvalidConfig = errors.New("sqlstore: invalid config")

// configErrorf returns a configuration mistake matching ErrInvalidConfig;
// a %w verb in format names its cause.
func configErrorf(format string, args ...any) error {
	return configerr.Errorf(ErrInvalidConfig, format, args...)
}

// Config configures a [Store]. Dialect, CleanupInterval, Logger and Now
// mean the same as in strategy/jwt/sqltokens.Config.
type Config struct {
	// Keys seal the cookie, which holds only the session ID: the first key
	// seals, every key opens (see [session.NewCodec]; each at least 32
	// bytes). Required. To rotate, put a new key first and keep the old
	// ones for as long as their cookies may live.
	Keys [][]byte
	// Dialect of the database. Optional. Default [SQLite].
	Dialect Dialect
	// Table is the table's name, a plain identifier (ASCII letters, digits
	// and underscores, not starting with a digit, at most 48 bytes),
	// quoted in the SQL so that its case is kept. Optional. Default
	// [DefaultTable].
	Table string
	// Options are the cookie options of new sessions. A [session.Manager]
	// sets its own on every session it loads, so they matter only when the
	// store is used without one. Optional. Default
	// [session.DefaultOptions]. Their MaxAge must not be negative.
	Options *sessions.Options
	// CleanupInterval is how often a background goroutine, started by
	// [New] and stopped by [Store.Close], deletes expired rows. Optional.
	// Default [DefaultCleanupInterval]; negative disables it (call
	// [Store.DeleteExpired] yourself, from a cron job for example).
	CleanupInterval time.Duration
	// Logger receives the faults of the background cleanup, which has no
	// caller to return them to. Optional. Default slog.Default().
	Logger *slog.Logger
	// Now returns the current time. Optional, for tests. Default time.Now.
	Now func() time.Time
}

// New returns a store over db, creating the table and its indexes on
// expires_at and user_key when they are missing, adding the columns of
// this version to a table of the first one (id, data and expires_at only;
// its rows stay valid), and starts the background cleanup
// (see Config.CleanupInterval). ctx bounds the table creation only; the
// cleanup keeps its values but outlives it. db stays the caller's:
// [Store.Close] does not close it.
//
// With SQLite, open db with busy_timeout and WAL (see the package
// documentation); for ":memory:", call db.SetMaxOpenConns(1), since every
// connection of the pool would otherwise open its own empty database.
//
// With PostgreSQL, two instances creating the same table at the same
// moment may race inside the server's catalog; create it beforehand (the
// schema is in the package documentation) or start one instance first.
// The same goes for the migration of a first-version table, which takes
// PostgreSQL's ACCESS EXCLUSIVE lock on it for a moment.
//
// A configuration mistake (a nil db, missing or short Keys, a bad Table,
// an unknown Dialect, a negative Options.MaxAge) is an error wrapping
// [ErrInvalidConfig], returned before the database is touched.
func New(ctx context.Context, db *sql.DB, cfg Config) (*Store, error) {
	if db == nil {
		return nil, configErrorf("sqlstore: nil *sql.DB")
	}
	if len(cfg.Keys) == 0 {
		return nil, configErrorf("sqlstore: Config.Keys is required")
	}
	ids, err := session.NewSealedIDs(cfg.Keys...)
	if err != nil {
		return nil, configErrorf("sqlstore: %w (Config.Keys)", err)
	}
	if !cfg.Dialect.Known() {
		return nil, configErrorf("sqlstore: unknown dialect %v (Config.Dialect)", cfg.Dialect)
	}
	table := cfg.Table
	if table == "" {
		table = DefaultTable
	}
	if !sqldialect.ValidName(table) {
		return nil, configErrorf("sqlstore: invalid table name %q in Config.Table: want letters, digits and underscores, at most %d bytes", table, sqldialect.MaxName)
	}
	if cfg.Options != nil && cfg.Options.MaxAge < 0 {
		return nil, configErrorf("sqlstore: Config.Options.MaxAge %d is negative: every session would be deleted as it is saved", cfg.Options.MaxAge)
	}
	q := newQueries(cfg.Dialect, table)
	s := &Store{db: db, ids: ids, q: q, now: cfg.Now}
	if cfg.Options != nil {
		s.options = *cfg.Options
	} else {
		s.options = *session.DefaultOptions()
	}
	if s.now == nil {
		s.now = time.Now
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	if _, err := db.ExecContext(ctx, q.createTable); err != nil {
		return nil, fault("creating table "+table, err)
	}
	if err := migrate(ctx, db, &q); err != nil {
		return nil, fault("migrating table "+table, err)
	}
	if _, err := db.ExecContext(ctx, q.createIndex); err != nil {
		return nil, fault("creating index on "+table, err)
	}
	if _, err := db.ExecContext(ctx, q.createUserIdx); err != nil {
		return nil, fault("creating index on "+table, err)
	}
	interval := cfg.CleanupInterval
	if interval == 0 {
		interval = DefaultCleanupInterval
	}
	s.cleanup = cleanup.Start(ctx, interval, logger, "sqlstore: background cleanup failed", s.DeleteExpired)
	return s, nil
}

// Close stops the background cleanup and waits for it to return. It does
// not close the database, and the store keeps serving Get, New and Save.
// Close is idempotent and always returns nil.
func (s *Store) Close() error {
	s.cleanup.Stop()
	return nil
}

// migrate adds to the table the columns of this version that it lacks:
// one of the first version has only id, data and expires_at. It reads the
// table's columns from the catalog (pragma_table_info on SQLite,
// pg_attribute on PostgreSQL), and adds each missing one with ALTER TABLE (IF NOT
// EXISTS on PostgreSQL). On SQLite, where another instance may have added
// a column meanwhile, a failed ALTER is forgiven when the column is there
// after all.
func migrate(ctx context.Context, db *sql.DB, q *queries) error {
	have, err := columns(ctx, db, q)
	if err != nil {
		return err
	}
	for _, c := range addedColumns {
		if have[c.name] {
			continue
		}
		if _, err := db.ExecContext(ctx, q.addColumnIfNew+c.name+" "+c.typ); err != nil {
			again, cerr := columns(ctx, db, q)
			if cerr != nil || !again[c.name] {
				return fmt.Errorf("adding column %s: %w", c.name, err)
			}
		}
	}
	return nil
}

// columns returns the set of the table's column names, in lower case.
func columns(ctx context.Context, db *sql.DB, q *queries) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, q.columns, q.columnArg())
	if err != nil {
		return nil, fmt.Errorf("reading columns: %w", err)
	}
	defer rows.Close()
	have := make(map[string]bool)
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, fmt.Errorf("reading columns: %w", err)
		}
		have[strings.ToLower(n)] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading columns: %w", err)
	}
	return have, nil
}
