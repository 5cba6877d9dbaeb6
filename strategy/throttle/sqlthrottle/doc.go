// Package sqlthrottle is a [throttle.Throttler] that keeps its counts in a
// SQL table (SQLite or PostgreSQL through database/sql), for an app that
// runs as more than one instance on one database: every instance that
// uses the same table shares one failure budget per account, per client
// address (per /64 for IPv6) and per device cookie. It is the twin of
// strategy/throttle/redisthrottle, with [throttle.Memory]'s policy, limits,
// delays and defaults: failures are free until a limit is reached within
// Window, the failure that reaches it locks for BaseDelay, each further one
// doubles the lock up to MaxDelay; a success forgets the account's (or the
// device's) failures, not the address's; an aborted attempt counts
// nothing; an attempt with a Device counts against its device only.
//
//	db, err := sql.Open("pgx", dsn)
//	...
//	t, err := sqlthrottle.New(ctx, db, sqlthrottle.Config{Dialect: sqlthrottle.PostgreSQL})
//	...
//	defer t.Close()
//	s, err := local.New(local.Config[User]{Verify: verify, Throttle: t})
//
// # The table
//
// One row per record, keyed by (kind, key):
//
//	CREATE TABLE passport_throttle (
//		kind VARCHAR(1) NOT NULL,      -- 'a' account, 'i' address, 'd' device
//		key VARCHAR(64) NOT NULL,
//		failures BIGINT NOT NULL DEFAULT 0,
//		forget_at BIGINT NOT NULL DEFAULT 0,       -- Unix ms: failures forgotten
//		lock_until BIGINT NOT NULL DEFAULT 0,      -- Unix ms: end of the lock
//		in_flight BIGINT NOT NULL DEFAULT 0,       -- attempts allowed, not yet Done
//		in_flight_until BIGINT NOT NULL DEFAULT 0, -- Unix ms: those dropped
//		expires_at BIGINT NOT NULL DEFAULT 0,      -- max(forget_at, in_flight_until)
//		PRIMARY KEY (kind, key)
//	);
//	CREATE INDEX passport_throttle_expires_at_idx ON passport_throttle (expires_at);
//
// The key of an account is the base64url SHA-256 of the username; of a
// device, of the username, NUL and the device ID; of an address, the
// address or its /64 network, or "h:" and the SHA-256 of a value that does
// not parse. Usernames (often e-mail addresses) and device IDs are thus
// not in the table in clear. These are redisthrottle's keys without its
// prefix. [New] creates the table and index when they are missing.
//
// A record left with nothing by Done (no failure, no attempt in flight) is
// deleted at once; the others are deleted by [Throttle.DeleteExpired]
// once expires_at has passed, from a background goroutine every
// CleanupInterval (the SQL twin of Redis's TTLs). On PostgreSQL it skips
// rows that a transaction holds (FOR UPDATE SKIP LOCKED), so that it never
// waits for, nor deadlocks with, a login.
//
// # Transactions and round trips
//
// Allow and Done are each one transaction, bounded as a whole by
// Config.Timeout (default 500 ms): begin; one INSERT … ON CONFLICT DO
// UPDATE … RETURNING that creates the missing records and locks every
// record of the attempt (one or two rows), returning them; the decision in
// Go; one INSERT … ON CONFLICT DO UPDATE that writes them (and, in Done,
// one DELETE of the records left empty); commit. That is 4 statements for
// an allowed Allow, 3 for a refused one (rolled back after the lock), 4 or
// 5 for a Done, none for an attempt with neither username nor address.
// Allow reserves the attempt as in flight on every record in the same
// transaction that checked them, so that concurrent attempts on any
// number of instances cannot overrun a limit (no more attempts are in
// flight than failures are left).
//
// On PostgreSQL the transaction runs at READ COMMITTED and the first
// statement takes the row locks, in primary-key order (the account's
// record sorts before the address's), so that two logins that share a
// record lock in the same order and never deadlock. Creating and locking
// in one statement leaves no moment at which a row deleted by a
// concurrent Done is missed (as INSERT … DO NOTHING followed by SELECT …
// FOR UPDATE would). On SQLite the transaction is BEGIN IMMEDIATE on a
// connection of its own, which takes the database's write lock before
// reading: writers queue on it (busy_timeout) instead of failing to
// upgrade a read lock. Open SQLite with
// "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)" and call
// db.SetMaxOpenConns(1): SQLite has one writer at a time, and the tests saw
// pools of many connections on one file stall until busy_timeout under
// heavy contention. SQLite 3.35 or later is required (RETURNING).
//
// The clock is Config.Now, the app's (time.Now by default): a SQL server's
// clock is not read, which would cost a statement per call and which
// SQLite does not have. Instances' clocks must agree (NTP) to well within
// BaseDelay. Durations are kept in milliseconds, rounded up.
//
// # When the database is unavailable
//
// A database that is out of reach, times out (Config.Timeout), refuses
// connections or stays locked past busy_timeout makes Allow and Done
// return an error wrapping [strategy.ErrUnavailable]: the login answers
// 503 with Retry-After and nobody is let in unthrottled. That is the
// default: the throttle fails closed. With Config.FailOpen, Allow lets the
// attempt through and Done drops its outcome, each logging at Error level.
// A fault that no retry would change (the table missing, a wrong column)
// is returned as a plain error (500) and never fails open. A context that
// the caller cancelled is returned as it is.
//
// A transaction whose commit timed out may still have committed: an Allow
// then holds a reservation that no Done releases, which costs that record
// one attempt of its budget until Window after its last Allow. That errs
// on the side of fewer guesses.
package sqlthrottle
