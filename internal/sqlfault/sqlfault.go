// Package sqlfault tells a database that is out of reach (a 503, come
// back later) from a fault of the program (a 500), for the module's SQL
// stores, without linking any driver.
package sqlfault

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strings"
)

// Unavailable reports whether err says that the database is out of reach
// or too busy for now, rather than that the statement is wrong or the
// store misused:
//
//   - a network error (refused, reset, unreachable, a dial or read that
//     timed out), which is also what pgx's connect errors wrap;
//   - driver.ErrBadConn, and a connection cut in the middle of a reply
//     (io.ErrUnexpectedEOF);
//   - context.DeadlineExceeded: Config.Timeout (or the request's deadline)
//     passed while waiting for the database;
//   - a PostgreSQL error of class 08 (connection exception), 57P01-57P03
//     (the server shuts down or is starting) or 53300 (too many
//     connections);
//   - an error of pgx that is safe to retry (SafeToRetry reports true:
//     nothing reached the server), and pgconn.ErrConnClosed ("conn
//     closed", matched by its text), which pgx returns on a pooled
//     connection whose server went away;
//   - SQLite's SQLITE_BUSY and SQLITE_LOCKED: the database stayed locked
//     by another writer for longer than busy_timeout.
//
// A cancelled request (context.Canceled) is not, nor a closed *sql.DB, a
// missing table or a constraint violation: those are faults.
func Unavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	// The drivers' own error types, matched by method so that this package
	// links neither driver: *pgconn.PgError has SQLState, modernc.org/sqlite's
	// *Error has Code.
	var retry interface{ SafeToRetry() bool }
	if errors.As(err, &retry) && retry.SafeToRetry() {
		return true
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if e.Error() == "conn closed" { // pgconn.ErrConnClosed, not linked here
			return true
		}
	}
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		state := pg.SQLState()
		switch {
		case strings.HasPrefix(state, "08"), state == "57P01", state == "57P02", state == "57P03", state == "53300":
			return true
		}
		return false
	}
	var lite interface{ Code() int }
	if errors.As(err, &lite) {
		switch lite.Code() & 0xff { // the primary code of an extended one
		case 5, 6: // SQLITE_BUSY, SQLITE_LOCKED
			return true
		}
	}
	return false
}
