package sqlthrottle_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/local"
	"github.com/gopassport/passport/strategy/password"
	"github.com/gopassport/passport/strategy/throttle"
	"github.com/gopassport/passport/strategy/throttle/sqlthrottle"
)

// Every instance of the app builds its login strategy on the same database
// and table, and so shares one failure budget per account, address and
// device. On SQLite (a file), this example runs; for PostgreSQL, open
// "pgx" and set Dialect: sqlthrottle.PostgreSQL.
func Example() {
	dir, err := os.MkdirTemp("", "sqlthrottle-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "app.db")+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // SQLite: one writer at a time

	ctx := context.Background()
	t, err := sqlthrottle.New(ctx, db, sqlthrottle.Config{
		AccountLimit: 3,
		// The defaults otherwise: 100 failures per address, per 15
		// minutes; the database down → the login answers 503.
	})
	if err != nil {
		log.Fatal(err)
	}
	defer t.Close()

	hasher := &password.Hasher{}
	hash, err := hasher.Hash("correct horse battery staple")
	if err != nil {
		log.Fatal(err)
	}
	users := map[string]string{"alice@example.com": hash}
	s, err := local.New(local.Config[string]{
		UsernameField: "email",
		Throttle:      t,
		Verify: password.Verify(func(ctx context.Context, email string) (string, string, error) {
			h, ok := users[strings.ToLower(email)]
			if !ok {
				return "", "", strategy.ErrUserNotFound
			}
			return email, h, nil
		}, hasher),
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = s // register it: auth.Use("local", s)

	// What the strategy does for each login: three wrong passwords, then
	// the account is locked.
	alice := throttle.Attempt{Username: "alice@example.com", IP: "192.0.2.1"}
	for range 4 {
		wait, err := t.Allow(ctx, alice)
		if err != nil {
			log.Fatal(err)
		}
		if wait > 0 {
			fmt.Println("locked, Retry-After:", throttle.RetryAfter(wait))
			continue
		}
		fmt.Println("checked the password")
		if err := t.Done(ctx, alice, throttle.VerdictFailure); err != nil {
			log.Fatal(err)
		}
	}
	// Output:
	// checked the password
	// checked the password
	// checked the password
	// locked, Retry-After: 1
}
