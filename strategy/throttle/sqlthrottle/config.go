package sqlthrottle

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"time"

	"github.com/gopassport/passport/internal/cleanup"
	"github.com/gopassport/passport/internal/configerr"
	"github.com/gopassport/passport/internal/sqldialect"
	"github.com/gopassport/passport/internal/throttlekey"
	"github.com/gopassport/passport/strategy/throttle"
)

// Defaults of [Config] that [throttle.MemoryConfig] does not have; the
// limits and delays default to throttle's (throttle.DefaultAccountLimit
// and the rest).
const (
	// DefaultTable is the table's name when Config.Table is empty.
	DefaultTable = "passport_throttle"
	// DefaultTimeout bounds every Allow and Done when Config.Timeout is
	// zero.
	DefaultTimeout = 500 * time.Millisecond
	// DefaultCleanupInterval is how often expired records are deleted when
	// Config.CleanupInterval is zero.
	DefaultCleanupInterval = 10 * time.Minute
)

// ErrInvalidConfig is wrapped by the errors that [New] returns for a
// configuration mistake. The error's message names the field.
var ErrInvalidConfig = errors.New("sqlthrottle: invalid config")

// Dialect is the SQL flavour of the database, [SQLite] or [PostgreSQL]. It
// is the same type as the Dialect of session/sqlstore and
// strategy/jwt/sqltokens, so one value configures them all.
type Dialect = sqldialect.Dialect

const (
	// SQLite is the default dialect. Use it with modernc.org/sqlite
	// (driver name "sqlite"), SQLite 3.35 or later (RETURNING).
	SQLite = sqldialect.SQLite
	// PostgreSQL uses "$1" placeholders. Use it with
	// github.com/jackc/pgx/v5/stdlib (driver name "pgx").
	PostgreSQL = sqldialect.PostgreSQL
)

// Config configures a [Throttle]. Every field is optional; zero means the
// default. The limits and delays are those of [throttle.MemoryConfig] (and
// of redisthrottle.Config), with the same defaults and the same mistakes
// refused; Dialect, Table, CleanupInterval and Logger mean the same as in
// session/sqlstore.Config.
type Config struct {
	// AccountLimit is how many failures an account may have in a window
	// before it is locked. Optional. Default 10
	// ([throttle.DefaultAccountLimit]).
	AccountLimit int
	// IPLimit is how many failures a client address may have in a window
	// before it is locked, whatever the accounts; IPv6 addresses count per
	// /64 network. Optional. Default 100 ([throttle.DefaultIPLimit]).
	IPLimit int
	// DeviceLimit is how many failures one device cookie
	// ([throttle.Attempt.Device]) may have in a window before that device
	// alone is locked. Optional. Default 10 ([throttle.DefaultDeviceLimit]).
	DeviceLimit int
	// Window is how long failures are remembered, from the first failure
	// of a series; after a lock, until Window after the lock ends. It is
	// also how long an attempt allowed but never reported stays in flight.
	// Optional. Default 15 minutes.
	Window time.Duration
	// BaseDelay is the first lock, when a limit is reached; each further
	// failure doubles it. Optional. Default 1 second, or MaxDelay when that
	// is shorter. When set, it must not be longer than MaxDelay.
	BaseDelay time.Duration
	// MaxDelay caps a lock. Optional. Default 15 minutes.
	MaxDelay time.Duration
	// Dialect of the database. Optional. Default [SQLite].
	Dialect Dialect
	// Table is the table's name, a plain identifier (ASCII letters, digits
	// and underscores, not starting with a digit, at most 48 bytes),
	// quoted in the SQL so that its case is kept. Instances that share
	// budgets use the same table. Optional. Default [DefaultTable].
	Table string
	// Timeout bounds every Allow and every Done: the whole transaction,
	// from taking a connection to the commit. Optional. Default 500 ms.
	Timeout time.Duration
	// FailOpen lets attempts through while the database is unavailable:
	// Allow then allows the attempt and Done drops its outcome, each
	// logging "sqlthrottle: database unavailable, failing open" at Error
	// level with the cause. Optional. Default false: Allow and Done return
	// an error wrapping [strategy.ErrUnavailable], and the login answers
	// 503. Only a database that is out of reach, slow or busy fails open; a
	// fault (a missing table, a wrong column) never does.
	FailOpen bool
	// CleanupInterval is how often a background goroutine, started by
	// [New] and stopped by [Throttle.Close], deletes the records that hold
	// nothing any more. Optional. Default [DefaultCleanupInterval];
	// negative disables it (call [Throttle.DeleteExpired] yourself).
	CleanupInterval time.Duration
	// Logger receives the FailOpen lines and the faults of the background
	// cleanup. Optional. Default slog.Default() at the time of the line.
	Logger *slog.Logger
	// Now is the clock of windows and locks. Optional. Default time.Now.
	// Unlike Redis's, a SQL server's clock is not read here (it would cost
	// a statement per call, and SQLite has none of its own): the
	// instances' clocks must agree, as NTP keeps them, to well within
	// BaseDelay.
	Now func() time.Time
}

// Throttle is a [throttle.Throttler] that keeps its counts in a SQL table,
// so that every instance of the app on the same database shares one budget
// per account, address and device. The policy is [throttle.Memory]'s; see
// the package documentation for the table, the transactions and the
// failure modes. A Throttle is safe for concurrent use.
type Throttle struct {
	db       *sql.DB
	dialect  Dialect
	q        queries
	timeout  time.Duration
	failOpen bool
	logger   *slog.Logger
	now      func() time.Time
	cleanup  *cleanup.Loop

	window, base, maxDelay             int64 // milliseconds
	accountLimit, ipLimit, deviceLimit int64
}

var _ throttle.Throttler = (*Throttle)(nil)

// New returns a Throttle on db for cfg, with the defaults filled in,
// creates its table and index when they are missing, and starts the
// background cleanup (see Config.CleanupInterval). ctx bounds the table
// creation only; the cleanup keeps its values but outlives it. db stays
// the caller's: [Throttle.Close] does not close it.
//
// A configuration mistake (a nil db, an unknown Dialect, a bad Table, a
// negative limit, duration or Timeout, a BaseDelay longer than MaxDelay)
// is an error wrapping [ErrInvalidConfig] that names the field, returned
// before the database is touched. A database out of reach while the table
// is created is an error wrapping [strategy.ErrUnavailable].
func New(ctx context.Context, db *sql.DB, cfg Config) (*Throttle, error) {
	if db == nil {
		return nil, configerr.Errorf(ErrInvalidConfig, "sqlthrottle: nil *sql.DB")
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	l := cfg.limits().WithDefaults(throttlekey.Limits{
		AccountLimit: throttle.DefaultAccountLimit, IPLimit: throttle.DefaultIPLimit, DeviceLimit: throttle.DefaultDeviceLimit,
		Window: throttle.DefaultWindow, BaseDelay: throttle.DefaultBaseDelay, MaxDelay: throttle.DefaultMaxDelay,
	})
	cfg.AccountLimit, cfg.IPLimit, cfg.DeviceLimit = l.AccountLimit, l.IPLimit, l.DeviceLimit
	cfg.Window, cfg.BaseDelay, cfg.MaxDelay = l.Window, l.BaseDelay, l.MaxDelay
	if cfg.Table == "" {
		cfg.Table = DefaultTable
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.CleanupInterval == 0 {
		cfg.CleanupInterval = DefaultCleanupInterval
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	t := &Throttle{
		db:           db,
		dialect:      cfg.Dialect,
		q:            newQueries(cfg.Dialect, cfg.Table),
		timeout:      cfg.Timeout,
		failOpen:     cfg.FailOpen,
		logger:       cfg.Logger,
		now:          cfg.Now,
		window:       millis(cfg.Window),
		base:         millis(cfg.BaseDelay),
		maxDelay:     millis(cfg.MaxDelay),
		accountLimit: int64(cfg.AccountLimit),
		ipLimit:      int64(cfg.IPLimit),
		deviceLimit:  int64(cfg.DeviceLimit),
	}
	for _, q := range []string{t.q.createTable, t.q.createIndex} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return nil, fault("creating table "+cfg.Table, err)
		}
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	t.cleanup = cleanup.Start(ctx, cfg.CleanupInterval, logger, "sqlthrottle: background cleanup failed", t.DeleteExpired)
	return t, nil
}

// limits returns the policy fields of cfg, which the throttles share.
func (cfg Config) limits() throttlekey.Limits {
	return throttlekey.Limits{
		AccountLimit: cfg.AccountLimit, IPLimit: cfg.IPLimit, DeviceLimit: cfg.DeviceLimit,
		Window: cfg.Window, BaseDelay: cfg.BaseDelay, MaxDelay: cfg.MaxDelay, Timeout: cfg.Timeout,
		DefaultMaxDelay: throttle.DefaultMaxDelay,
	}
}

// validate returns the configuration mistake in cfg, if any.
func (cfg Config) validate() error {
	if m := cfg.limits().Mistake(); m != "" {
		return configerr.Errorf(ErrInvalidConfig, "sqlthrottle: %s", m)
	}
	if !cfg.Dialect.Known() {
		return configerr.Errorf(ErrInvalidConfig, "sqlthrottle: unknown dialect %v in Config.Dialect", cfg.Dialect)
	}
	if cfg.Table != "" && !sqldialect.ValidName(cfg.Table) {
		return configerr.Errorf(ErrInvalidConfig, "sqlthrottle: Config.Table %q: want letters, digits and underscores, not starting with a digit, at most %d bytes", cfg.Table, sqldialect.MaxName)
	}
	return nil
}
