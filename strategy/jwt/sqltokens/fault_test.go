package sqltokens_test

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/jwt/sqltokens"
)

// TestUnreachableDatabaseIsUnavailable: a PostgreSQL that cannot be
// reached is an error wrapping strategy.ErrUnavailable (a 503), a missing
// table is not (a 500).
func TestUnreachableDatabaseIsUnavailable(t *testing.T) {
	db, err := sql.Open("sqlite", "file:"+t.TempDir()+"/t.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := sqltokens.New(context.Background(), db, sqltokens.Config{CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := db.Exec(`DROP TABLE "passport_jwt_subject"`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.NotBefore(t.Context(), "u"); err == nil || errors.Is(err, strategy.ErrUnavailable) {
		t.Errorf("a missing table: %v; want a fault that is not ErrUnavailable", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	down, err := sql.Open("pgx", "postgres://postgres@"+addr+"/test?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	if _, err := sqltokens.New(t.Context(), down, sqltokens.Config{Dialect: sqltokens.PostgreSQL, CleanupInterval: -1}); !errors.Is(err, strategy.ErrUnavailable) {
		t.Errorf("an unreachable PostgreSQL: %v; want an error wrapping strategy.ErrUnavailable", err)
	}
}
