package sqlthrottle

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"

	"github.com/gopassport/passport/internal/sqlfault"
	"github.com/gopassport/passport/strategy"
)

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
