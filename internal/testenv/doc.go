// Package testenv tells tests where the services they need are (a
// PostgreSQL server, a Redis server) and decides what to do when one is not
// running: skip the test, or fail it when the environment requires the
// services (CI sets PASSPORT_REQUIRE_SERVICES=1, so that a missing service
// can never turn a suite green by skipping it).
//
// Addresses come from the environment, with defaults for a developer
// machine:
//
//	PASSPORT_TEST_POSTGRES_DSN  default "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
//	PASSPORT_TEST_REDIS_ADDR    default "127.0.0.1:6379"
//	PASSPORT_TEST_REDIS_SERVER  the redis-server binary of StartRedis, default from PATH
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
//
// Tests on the shared Redis put every key under [KeyPrefix]; a test that
// stops, stalls ([Redis.Pause]) or restarts a server starts its own with
// [StartRedis], never touching the shared one.
package testenv
