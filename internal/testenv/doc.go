// Package testenv tells tests where the services they need are (a
// PostgreSQL server) and decides what to do when one is not
// running: skip the test, or fail it when the environment requires the
// services (CI sets PASSPORT_REQUIRE_SERVICES=1, so that a missing service
// can never turn a suite green by skipping it).
//
// Addresses come from the environment, with defaults for a developer
// machine:
//
//	PASSPORT_TEST_POSTGRES_DSN  default "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
//	PASSPORT_REQUIRE_SERVICES   "1": fail instead of skipping
//
// A test:
//
//	func TestWithPostgres(t *testing.T) {
//		dsn := testenv.PostgresDSN(t) // skips, or fails, when the server is down
//		db, err := sql.Open("pgx", dsn)
//		if err != nil {
//			t.Fatal(err)
//		}
//		defer db.Close()
//		// ...
//	}
package testenv
