// Package sqltokens keeps the refresh tokens and revocations of a
// [jwt.Issuer] in a SQL database through database/sql, so that several
// instances of an app share them and they survive restarts.
//
// [New] creates its three tables when they do not exist (names start with
// [DefaultTablePrefix] unless Config.TablePrefix says otherwise). It speaks
// the same two dialects as session/sqlstore, configured the same way:
// [SQLite] (the default; 3.24 or later, for INSERT … ON CONFLICT) and
// [PostgreSQL]. Times are BIGINT Unix nanoseconds. Only hashes of refresh
// tokens are stored.
//
// With SQLite, give the *sql.DB a busy timeout or a single connection: a
// database/sql pool on ":memory:" opens one separate database per
// connection, so call db.SetMaxOpenConns(1) there.
//
//	db, err := sql.Open("sqlite", "file:auth.db?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
//	if err != nil {
//		log.Fatal(err)
//	}
//	store, err := sqltokens.New(ctx, db, sqltokens.Config{})
//	if err != nil {
//		log.Fatal(err)
//	}
//	defer store.Close() // stops the background cleanup
//	iss, err := jwt.NewIssuer(jwt.IssuerConfig{Issuer: "https://api.example.com", Key: jwt.Key{Key: key}, Store: store})
//
// Expired tokens are deleted every Config.CleanupInterval by a goroutine
// that New starts and [Store.Close] stops, or, with a negative interval,
// by [Store.DeleteExpired] from a job of your own.
package sqltokens
