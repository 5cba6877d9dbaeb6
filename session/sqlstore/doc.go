// Package sqlstore keeps login sessions server-side in a SQL table, for
// apps that run more than one instance or that need logout to end a session
// everywhere. [Store] is a gorilla/sessions Store: put it under a
// [session.Manager].
//
// The cookie carries only the session ID, sealed with AES-256-GCM
// ([session.Codec]); the values live in the table, encoded with
// [session.EncodeValues]. Deleting the row ends the session, so a copied
// cookie is worthless after logout, and [session.Session.Regenerate] (run
// by passport's Login and Logout) leaves nothing behind under the old ID.
//
// The store speaks two dialects through database/sql:
//
//   - [SQLite] (the default), with modernc.org/sqlite, driver "sqlite". Open
//     the file with
//     "file:sessions.db?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)".
//     busy_timeout makes a connection that finds the database locked by
//     another wait up to 5 s instead of failing at once with SQLITE_BUSY:
//     database/sql pools several connections, so concurrent requests do
//     meet each other's locks. WAL lets readers go on while one writer
//     writes, and makes each commit cheaper. Both are per-connection
//     settings, which is why they belong in the DSN (applied to every
//     connection the pool opens) rather than in a one-time db.Exec. An
//     in-memory database (":memory:") is one database per connection:
//     call db.SetMaxOpenConns(1) so that the pool keeps exactly one.
//   - [PostgreSQL], with github.com/jackc/pgx/v5/stdlib, driver "pgx".
//
// [New] creates the table when it is missing, and adds the columns from
// user_key on to a table of the first version (id, data and expires_at
// only), whose rows stay valid. Its schema, for those who create it in a
// migration instead (BYTEA rather than BLOB on PostgreSQL):
//
//	CREATE TABLE passport_sessions (
//		id         TEXT PRIMARY KEY,
//		data       BLOB NOT NULL,
//		expires_at BIGINT NOT NULL, -- unix seconds
//		user_key   TEXT,            -- session.UserKey's value; NULL: anonymous
//		created_at BIGINT,          -- unix seconds of the first save
//		last_seen  BIGINT,          -- unix seconds of the last save
//		ip         TEXT,            -- strategy.ClientIP of the last save
//		user_agent TEXT             -- of the last save, at most 256 bytes
//	);
//	CREATE INDEX passport_sessions_expires_at_idx ON passport_sessions (expires_at);
//	CREATE INDEX passport_sessions_user_key_idx ON passport_sessions (user_key);
//
// The new columns are nullable, so an instance of the previous version
// goes on working on a migrated table during a rolling upgrade (its rows
// are listed under their user once a new instance saves them).
//
// [Store] implements [session.UserSessions]: [Store.ListUserSessions] for a
// "your devices" page, [Store.DeleteUserSession] to end one of them by its
// [session.Handle], [Store.DeleteUserSessions] for passport's LogoutAll. It
// implements [session.Lifetimes] too, so that a row expires when its
// session would by the Manager's IdleTimeout and AbsoluteTimeout. The user
// key is indexed: keep it short (an ID, not a profile; PostgreSQL refuses
// index entries beyond about 2.7 kB).
//
// A database that cannot be reached, times out or is locked past
// busy_timeout is reported as an error wrapping [strategy.ErrUnavailable],
// which passport answers 503 with Retry-After; other database errors are
// faults of the program, 500.
//
// A program:
//
//	import (
//		"database/sql"
//
//		_ "modernc.org/sqlite"
//
//		"github.com/gopassport/passport/session"
//		"github.com/gopassport/passport/session/sqlstore"
//	)
//
//	db, err := sql.Open("sqlite", "file:sessions.db?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
//	if err != nil { ... }
//	defer db.Close()
//	store, err := sqlstore.New(ctx, db, sqlstore.Config{
//		Keys: [][]byte{key}, // 32 random bytes or more, kept secret and stable
//	})
//	if err != nil { ... }
//	defer store.Close() // stops the background cleanup
//	mgr, err := session.New(session.Config{Store: store})
//	if err != nil { ... }
//	http.ListenAndServe(":8080", mgr.Middleware(app))
package sqlstore
