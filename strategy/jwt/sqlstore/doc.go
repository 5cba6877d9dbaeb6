// Package sqlstore keeps the refresh tokens and revocations of a
// [jwt.Issuer] in a SQL database through database/sql, so that several
// instances of an app share them and they survive restarts.
//
// [New] creates its three tables when they do not exist (names start with
// "passport_jwt_" unless [Config.TablePrefix] says otherwise). The SQL is
// written for SQLite (3.24 or later) and PostgreSQL: numbered placeholders
// ($1, $2), BIGINT times in Unix nanoseconds, INSERT … ON CONFLICT. Only
// hashes of refresh tokens are stored.
//
// With SQLite, give the *sql.DB a busy timeout or a single connection: a
// database/sql pool on ":memory:" opens one separate database per
// connection, so call db.SetMaxOpenConns(1) there.
//
//	db, err := sql.Open("sqlite", "file:auth.db?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
//	if err != nil {
//		log.Fatal(err)
//	}
//	store, err := sqlstore.New(ctx, db, sqlstore.Config{})
//	if err != nil {
//		log.Fatal(err)
//	}
//	iss, err := jwt.NewIssuer(jwt.IssuerConfig{Issuer: "https://api.example.com", Key: jwt.Key{Key: key}, Store: store})
//
// Call [Store.DeleteExpired] now and then (a daily job) to remove expired
// tokens.
package sqlstore
