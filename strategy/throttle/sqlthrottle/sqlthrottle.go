package sqlthrottle

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gopassport/passport/internal/cleanup"
	"github.com/gopassport/passport/internal/configerr"
	"github.com/gopassport/passport/internal/sqldialect"
	"github.com/gopassport/passport/internal/sqlfault"
	"github.com/gopassport/passport/strategy"
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
	if cfg.AccountLimit == 0 {
		cfg.AccountLimit = throttle.DefaultAccountLimit
	}
	if cfg.IPLimit == 0 {
		cfg.IPLimit = throttle.DefaultIPLimit
	}
	if cfg.DeviceLimit == 0 {
		cfg.DeviceLimit = throttle.DefaultDeviceLimit
	}
	if cfg.Window == 0 {
		cfg.Window = throttle.DefaultWindow
	}
	if cfg.MaxDelay == 0 {
		cfg.MaxDelay = throttle.DefaultMaxDelay
	}
	if cfg.BaseDelay == 0 {
		cfg.BaseDelay = min(throttle.DefaultBaseDelay, cfg.MaxDelay)
	}
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

// validate returns the configuration mistake in cfg, if any.
func (cfg Config) validate() error {
	for _, f := range []struct {
		name string
		v    int
	}{
		{"AccountLimit", cfg.AccountLimit},
		{"IPLimit", cfg.IPLimit},
		{"DeviceLimit", cfg.DeviceLimit},
	} {
		if f.v < 0 {
			return configerr.Errorf(ErrInvalidConfig, "sqlthrottle: Config.%s %d is negative", f.name, f.v)
		}
	}
	for _, f := range []struct {
		name string
		v    time.Duration
	}{
		{"Window", cfg.Window},
		{"BaseDelay", cfg.BaseDelay},
		{"MaxDelay", cfg.MaxDelay},
		{"Timeout", cfg.Timeout},
	} {
		if f.v < 0 {
			return configerr.Errorf(ErrInvalidConfig, "sqlthrottle: Config.%s %v is negative", f.name, f.v)
		}
	}
	maxDelay := cfg.MaxDelay
	if maxDelay == 0 {
		maxDelay = throttle.DefaultMaxDelay
	}
	if cfg.BaseDelay > maxDelay {
		return configerr.Errorf(ErrInvalidConfig, "sqlthrottle: Config.BaseDelay %v is longer than MaxDelay %v", cfg.BaseDelay, maxDelay)
	}
	if !cfg.Dialect.Known() {
		return configerr.Errorf(ErrInvalidConfig, "sqlthrottle: unknown dialect %v in Config.Dialect", cfg.Dialect)
	}
	if cfg.Table != "" && !sqldialect.ValidName(cfg.Table) {
		return configerr.Errorf(ErrInvalidConfig, "sqlthrottle: Config.Table %q: want letters, digits and underscores, not starting with a digit, at most %d bytes", cfg.Table, sqldialect.MaxName)
	}
	return nil
}

// Close stops the background cleanup and waits for it to return. It does
// not close the database, and the Throttle keeps serving. Close is
// idempotent and always returns nil.
func (t *Throttle) Close() error {
	t.cleanup.Stop()
	return nil
}

// DeleteExpired deletes the records that hold nothing any more by
// Config.Now (their failures forgotten, no attempt in flight) and returns
// how many it deleted. On PostgreSQL it skips the records that an Allow or
// Done holds locked. The background cleanup calls it; call it yourself
// when Config.CleanupInterval is negative.
func (t *Throttle) DeleteExpired(ctx context.Context) (int64, error) {
	res, err := t.db.ExecContext(ctx, t.q.deleteExpired, t.now().UnixMilli())
	if err != nil {
		return 0, fault("deleting expired records", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fault("deleting expired records", err)
	}
	return n, nil
}

// record is one row: f the failures, r when they are forgotten, l the end
// of the lock, i the attempts in flight, e when those are dropped (Unix
// milliseconds). It is throttle.Memory's entry, field for field.
type record struct {
	f, r, l, i, e int64
}

// refresh forgets what has expired by now.
func (rec *record) refresh(now int64) {
	if rec.f > 0 && now >= rec.r {
		rec.f, rec.r, rec.l = 0, 0, 0
	}
	if rec.i > 0 && now >= rec.e {
		rec.i = 0
	}
}

// Allow refuses the attempt while its account or its address is locked
// (its device, for an attempt with a Device), or has as many attempts in
// flight as it has failures left; otherwise it reserves the attempt as in
// flight on every record it counts against. It is one transaction bounded
// by Config.Timeout (begin, one statement that creates and locks the
// records, one that writes them when allowed, commit), none for an attempt
// with neither Username nor IP. When the database is unavailable it
// returns an error wrapping [strategy.ErrUnavailable], or allows the
// attempt under Config.FailOpen.
func (t *Throttle) Allow(ctx context.Context, a throttle.Attempt) (time.Duration, error) {
	g := t.target(a)
	if g.n == 0 {
		return 0, nil
	}
	now := t.now().UnixMilli()
	cctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	var wait int64
	err := t.inTx(cctx, func(q querier) (bool, error) {
		recs, err := t.lock(cctx, q, &g)
		if err != nil {
			return false, err
		}
		for k := range g.n {
			rec := &recs[k]
			rec.refresh(now)
			var w int64
			if now < rec.l {
				w = rec.l - now
			} else if rec.i >= max(g.limits[k]-rec.f, 1) {
				w = t.base
			}
			wait = max(wait, w)
		}
		if wait > 0 {
			return false, nil // nothing to write: roll back
		}
		for k := range g.n {
			recs[k].i++
			recs[k].e = now + t.window
		}
		return true, t.store(cctx, q, g.kinds[:g.n], g.keys[:g.n], recs[:g.n])
	})
	if err != nil {
		return 0, t.failed(ctx, cctx, "allow", err)
	}
	return time.Duration(wait) * time.Millisecond, nil
}

// Done reports the outcome of an attempt that Allow allowed: it releases
// the reservation, counts a failure against the account and the address
// (the device, for an attempt with a Device), or forgets the account's (the
// device's) failures after a success; an aborted attempt counts nothing. A
// record left with nothing is deleted. It is one transaction bounded by
// Config.Timeout. It returns an error for an unknown verdict, and when the
// database is unavailable an error wrapping [strategy.ErrUnavailable], or
// nil under Config.FailOpen (the outcome is then lost).
func (t *Throttle) Done(ctx context.Context, a throttle.Attempt, outcome throttle.Verdict) error {
	switch outcome {
	case throttle.VerdictFailure, throttle.VerdictSuccess, throttle.VerdictAborted:
	default:
		return fmt.Errorf("sqlthrottle: unknown throttle verdict %d", outcome)
	}
	g := t.target(a)
	if g.n == 0 {
		return nil
	}
	now := t.now().UnixMilli()
	cctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	err := t.inTx(cctx, func(q querier) (bool, error) {
		recs, err := t.lock(cctx, q, &g)
		if err != nil {
			return false, err
		}
		var (
			keep, drop target
			kept       [2]record
		)
		for k := range g.n {
			rec := &recs[k]
			rec.refresh(now)
			if rec.i > 0 {
				rec.i--
			}
			switch {
			case outcome == throttle.VerdictFailure:
				t.fail(rec, now, g.limits[k])
			case outcome == throttle.VerdictSuccess && g.kinds[k] != kindIP:
				rec.f, rec.r, rec.l = 0, 0, 0
			}
			if rec.f == 0 && rec.i == 0 {
				drop.add(g.kinds[k], g.keys[k], 0)
			} else {
				kept[keep.n] = *rec
				keep.add(g.kinds[k], g.keys[k], 0)
			}
		}
		if keep.n > 0 {
			if err := t.store(cctx, q, keep.kinds[:keep.n], keep.keys[:keep.n], kept[:keep.n]); err != nil {
				return false, err
			}
		}
		if drop.n > 0 {
			args := make([]any, 0, 4)
			for k := range drop.n {
				args = append(args, drop.kinds[k], drop.keys[k])
			}
			if _, err := q.ExecContext(cctx, t.q.remove[drop.n-1], args...); err != nil {
				return false, err
			}
		}
		return true, nil
	})
	if err != nil {
		return t.failed(ctx, cctx, "done", err)
	}
	return nil
}

// fail counts a failure on rec and locks it when the limit is reached.
func (t *Throttle) fail(rec *record, now, limit int64) {
	if rec.f == 0 {
		rec.r = now + t.window
	}
	rec.f++
	if rec.f < limit {
		return
	}
	rec.l = now + t.delay(rec.f-limit)
	rec.r = max(rec.r, rec.l+t.window)
}

// delay returns BaseDelay doubled n times, capped at MaxDelay.
func (t *Throttle) delay(n int64) int64 {
	d := t.base
	for range n {
		if d >= t.maxDelay/2 {
			return t.maxDelay
		}
		d *= 2
	}
	return min(d, t.maxDelay)
}

// querier is what a transaction runs statements on: a *sql.Tx, or the
// *sql.Conn of a SQLite BEGIN IMMEDIATE.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// inTx runs f in one transaction, committed when f returns true and no
// error, else rolled back.
//
// On PostgreSQL it is a *sql.Tx at READ COMMITTED: the records are locked
// by the statement that creates them (see queries.lock). On SQLite it is
// BEGIN IMMEDIATE on a *sql.Conn of its own, which takes the database's
// write lock before reading (database/sql's BeginTx would issue a
// deferred BEGIN, whose read lock two writers could both hold and then
// fail to upgrade): writers then wait for each other up to busy_timeout.
// A connection whose transaction could not be rolled back is discarded,
// never returned to the pool in a transaction.
func (t *Throttle) inTx(ctx context.Context, f func(querier) (bool, error)) error {
	if t.dialect == PostgreSQL {
		tx, err := t.db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		write, err := f(tx)
		if err != nil || !write {
			_ = tx.Rollback()
			return err
		}
		return tx.Commit()
	}
	conn, err := t.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		// A BEGIN that failed may still have begun (a cancelled context):
		// make sure of the connection.
		t.rollback(ctx, conn)
		return err
	}
	write, err := f(conn)
	if err == nil && write {
		if _, err = conn.ExecContext(ctx, "COMMIT"); err == nil {
			return nil
		}
	}
	t.rollback(ctx, conn)
	return err
}

// rollback ends conn's transaction, if any, even when ctx is done; a
// connection that does not answer ROLLBACK is discarded from the pool.
func (t *Throttle) rollback(ctx context.Context, conn *sql.Conn) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.timeout)
	defer cancel()
	if _, err := conn.ExecContext(rctx, "ROLLBACK"); err != nil {
		// "no transaction is active" lands here too: the connection is
		// then fine, but telling it apart by message is not worth a
		// connection's reuse.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
	}
}

// lock creates the records of g that are missing and locks them all for
// the transaction, returning them in g's order.
func (t *Throttle) lock(ctx context.Context, q querier, g *target) ([2]record, error) {
	var recs [2]record
	args := make([]any, 0, 4)
	for k := range g.n {
		args = append(args, g.kinds[k], g.keys[k])
	}
	rows, err := q.QueryContext(ctx, t.q.lock[g.n-1], args...)
	if err != nil {
		return recs, err
	}
	defer rows.Close()
	var seen [2]bool
	for rows.Next() {
		var (
			kind, key string
			rec       record
		)
		if err := rows.Scan(&kind, &key, &rec.f, &rec.r, &rec.l, &rec.i, &rec.e); err != nil {
			return recs, err
		}
		for k := range g.n {
			if g.kinds[k] == kind && g.keys[k] == key {
				recs[k], seen[k] = rec, true
			}
		}
	}
	if err := rows.Err(); err != nil {
		return recs, err
	}
	for k := range g.n {
		if !seen[k] {
			return recs, fmt.Errorf("record %s:%s was not returned by the lock statement", g.kinds[k], g.keys[k])
		}
	}
	return recs, nil
}

// store writes recs, under kinds and keys.
func (t *Throttle) store(ctx context.Context, q querier, kinds, keys []string, recs []record) error {
	args := make([]any, 0, 16)
	for k, rec := range recs {
		args = append(args, kinds[k], keys[k], rec.f, rec.r, rec.l, rec.i, rec.e, max(rec.r, rec.e))
	}
	_, err := q.ExecContext(ctx, t.q.store[len(recs)-1], args...)
	return err
}

// failed turns an error of a transaction into Allow's or Done's: the
// caller's own cancellation as it is (the client went away); a fault as it
// is; an outage (see unavailable, and Config.Timeout running out)
// wrapping strategy.ErrUnavailable, or nil when failing open.
func (t *Throttle) failed(ctx, cctx context.Context, op string, err error) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("sqlthrottle: %s: %w", op, err)
	}
	if !sqlfault.Unavailable(err) && !errors.Is(cctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("sqlthrottle: %s: %w", op, err)
	}
	if t.failOpen {
		logger := t.logger
		if logger == nil {
			logger = slog.Default()
		}
		logger.LogAttrs(ctx, slog.LevelError, "sqlthrottle: database unavailable, failing open",
			slog.String("op", op), slog.Any("err", err))
		return nil
	}
	return fmt.Errorf("sqlthrottle: %s: %w: %w", op, strategy.ErrUnavailable, err)
}

// fault wraps an error of New or DeleteExpired: with
// strategy.ErrUnavailable too when the database could not be reached.
func fault(op string, err error) error {
	if sqlfault.Unavailable(err) {
		return fmt.Errorf("sqlthrottle: %s: %w: %w", op, strategy.ErrUnavailable, err)
	}
	return fmt.Errorf("sqlthrottle: %s: %w", op, err)
}
