package sqlfault_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gopassport/passport/internal/sqlfault"
)

func TestUnavailableClassifies(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{name: "ok, nil", err: nil, want: false},
		{name: "ok, bad connection", err: fmt.Errorf("x: %w", driver.ErrBadConn), want: true},
		{name: "ok, deadline", err: context.DeadlineExceeded, want: true},
		{name: "ok, cut reply", err: io.ErrUnexpectedEOF, want: true},
		{name: "ok, net error", err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("refused")}, want: true},
		{name: "ok, connection exception", err: &pgconn.PgError{Code: "08006"}, want: true},
		{name: "ok, admin shutdown", err: &pgconn.PgError{Code: "57P01"}, want: true},
		{name: "ok, cannot connect now", err: &pgconn.PgError{Code: "57P03"}, want: true},
		{name: "ok, too many connections", err: &pgconn.PgError{Code: "53300"}, want: true},
		{name: "nok, cancelled request", err: context.Canceled, want: false},
		{name: "nok, cancelled while dialing", err: &net.OpError{Op: "dial", Err: context.Canceled}, want: false},
		{name: "nok, undefined table", err: &pgconn.PgError{Code: "42P01"}, want: false},
		{name: "nok, unique violation", err: &pgconn.PgError{Code: "23505"}, want: false},
		{name: "nok, database closed", err: errors.New("sql: database is closed"), want: false},
		{name: "nok, no rows", err: sql.ErrNoRows, want: false},
		{name: "ok, SQLITE_BUSY", err: liteErr(5), want: true},
		{name: "ok, SQLITE_BUSY_SNAPSHOT", err: liteErr(5 | 2<<8), want: true},
		{name: "nok, SQLITE_CONSTRAINT", err: liteErr(19), want: false},
		{name: "ok, pgx safe to retry", err: fmt.Errorf("x: %w", retryErr(true)), want: true},
		{name: "nok, pgx not safe to retry", err: retryErr(false), want: false},
		{name: "ok, a pooled connection whose server went away", err: fmt.Errorf("query: %w", errors.New("conn closed")), want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sqlfault.Unavailable(tt.err); got != tt.want {
				t.Errorf("Unavailable(%v): got %v; want %v", tt.err, got, tt.want)
			}
		})
	}
}

type liteErr int

func (e liteErr) Error() string { return "sqlite " + strconv.Itoa(int(e)) }
func (e liteErr) Code() int     { return int(e) }

type retryErr bool

func (e retryErr) Error() string     { return "pgconn: retry " + strconv.FormatBool(bool(e)) }
func (e retryErr) SafeToRetry() bool { return bool(e) }
