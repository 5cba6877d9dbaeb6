package testenv_test

import (
	"database/sql"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/gopassport/passport/internal/testenv"
)

// A test that needs PostgreSQL asks for its DSN first: on a machine without
// the server the test is skipped (or fails, under
// PASSPORT_REQUIRE_SERVICES=1) with a message that says which server and
// which variable. This example compiles but does not run: it needs a test.
func ExamplePostgresDSN() {
	testWithPostgres := func(t *testing.T) {
		dsn := testenv.PostgresDSN(t)
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.PingContext(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	_ = testWithPostgres
}
