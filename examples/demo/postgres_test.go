package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopassport/passport/internal/testenv"
	"github.com/gopassport/passport/session/sqlstore"
)

// postgresDB returns a postgres:// URL for the test server whose
// search_path is a schema of the test's own, created empty and dropped,
// with all it holds, at the end of the test. It skips the test without a
// server (or fails it under PASSPORT_REQUIRE_SERVICES=1).
func postgresDB(t *testing.T) string {
	t.Helper()
	dsn := testenv.PostgresDSN(t)
	if !isPostgresURL(dsn) {
		t.Fatalf("%s=%q: the demo's -db takes a postgres:// URL", testenv.EnvPostgresDSN, dsn)
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	schema := "demo_test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("opening PostgreSQL: %v", err)
	}
	if _, err := admin.ExecContext(t.Context(), `CREATE SCHEMA `+schema); err != nil {
		_ = admin.Close()
		t.Fatalf("creating schema %s: %v", schema, err)
	}
	// Registered before the apps of the test, so it runs after they are
	// closed.
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema) // pgx sends unknown parameters as run-time settings
	u.RawQuery = q.Encode()
	return u.String()
}

// tablesOf lists the tables of the current schema (the test's own).
func tablesOf(t *testing.T, db database) []string {
	t.Helper()
	rows, err := db.query(t.Context(), `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		out = append(out, name)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// countRows returns the number of rows of table.
func countRows(t *testing.T, db database, table string) int {
	t.Helper()
	var n int
	if err := db.queryRow(t.Context(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatalf("counting %s: %v", table, err)
	}
	return n
}

// TestPostgresFlows runs the demo's main flows with -db postgres://…:
// every table, the library's sessions and refresh tokens too, is in
// PostgreSQL.
func TestPostgresFlows(t *testing.T) {
	ta := newSocialTestApp(t, Config{DB: postgresDB(t), DevOIDC: true})
	if ta.db.dialect != sqlstore.PostgreSQL {
		t.Fatalf("dialect: got %v; want PostgreSQL", ta.db.dialect)
	}
	want := []string{"identities", "passport_jwt_family", "passport_jwt_refresh", "passport_jwt_subject", sqlstore.DefaultTable, "settings", "users"}
	got := tablesOf(t, ta.db)
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("tables: got %q; want %s among them", got, w)
		}
	}

	b := ta.browser(t)
	t.Run("register, secret word, logoff, logon", func(t *testing.T) {
		b.register("Ada", "Ada@Example.com", testPassword)
		if got := b.loggedOnAs(); got != "Ada" {
			t.Fatalf("after registering: logged on as %q; want Ada", got)
		}
		if n := countRows(t, ta.db, sqlstore.DefaultTable); n != 1 {
			t.Errorf("session rows in PostgreSQL: got %d; want 1", n)
		}
		if res := b.submit("/secretWord", "/secretWord", url.Values{"secretWord": {"xylophone"}}); res.status != http.StatusFound {
			t.Fatalf("setting the secret word: got %d; want 302\n%s", res.status, res.body)
		}
		if got := b.secretWord(); got != "xylophone" {
			t.Errorf("secret word: got %q; want xylophone", got)
		}
		if res := b.logoff(); res.status != http.StatusFound {
			t.Fatalf("logoff: got %d; want 302", res.status)
		}
		if got := b.loggedOnAs(); got != "" {
			t.Fatalf("after logoff: logged on as %q; want nobody", got)
		}
		if res := b.logon("ada@example.com", "wrong password"); res.status != http.StatusFound || res.location() != "/sessions/logon" {
			t.Errorf("wrong password: got %d %q; want 302 to /sessions/logon", res.status, res.location())
		}
		// Another case of the address: one account under its key.
		if res := b.logon("ADA@example.com", testPassword); res.status != http.StatusFound || res.location() != "/" {
			t.Fatalf("logon: got %d %q; want 302 to /", res.status, res.location())
		}
		if got := b.loggedOnAs(); got != "Ada" {
			t.Errorf("after logon: logged on as %q; want Ada", got)
		}
	})

	t.Run("nok, the address is taken", func(t *testing.T) {
		res := ta.browser(t).submit("/sessions/register", "/sessions/register", url.Values{
			"name": {"Eve"}, "email": {"ada@example.com"}, "password": {testPassword}, "password1": {testPassword},
		})
		if res.status == http.StatusFound {
			t.Fatalf("registering a taken address: got 302 to %q; want the form again", res.location())
		}
		if n := ta.countUsers(t); n != 1 {
			t.Errorf("users: got %d; want 1", n)
		}
	})

	t.Run("API token, refresh, reuse, logout", func(t *testing.T) {
		pair := ta.login(t, "ada@example.com", testPassword)
		if res := ta.me(t, pair.AccessToken); res.status != http.StatusOK || !strings.Contains(res.body, `"name":"Ada"`) {
			t.Fatalf("/me: got %d %s; want 200 with Ada", res.status, res.body)
		}
		if n := countRows(t, ta.db, "passport_jwt_refresh"); n != 1 {
			t.Errorf("refresh-token rows in PostgreSQL: got %d; want 1", n)
		}
		res := ta.refresh(t, pair.RefreshToken)
		if res.status != http.StatusOK {
			t.Fatalf("refresh: got %d %s; want 200", res.status, res.body)
		}
		next := decodeJSON[tokenPair](t, res)
		if res := ta.me(t, next.AccessToken); res.status != http.StatusOK {
			t.Fatalf("/me with the refreshed token: got %d %s; want 200", res.status, res.body)
		}
		// The first token again: reuse, which revokes the login.
		if res := ta.refresh(t, pair.RefreshToken); res.status != http.StatusBadRequest || !strings.Contains(res.body, "invalid_grant") {
			t.Fatalf("reused refresh token: got %d %s; want 400 invalid_grant", res.status, res.body)
		}
		if res := ta.refresh(t, next.RefreshToken); res.status != http.StatusBadRequest {
			t.Errorf("the refreshed token after a reuse: got %d %s; want 400, the login revoked", res.status, res.body)
		}
		other := ta.login(t, "ada@example.com", testPassword)
		ta.logout(t, other.AccessToken, other.RefreshToken)
		if res := ta.refresh(t, other.RefreshToken); res.status != http.StatusBadRequest {
			t.Errorf("refresh after logout: got %d %s; want 400", res.status, res.body)
		}
	})

	t.Run("social sign-in with Dev OIDC", func(t *testing.T) {
		c := ta.browser(t)
		if res := c.signIn("devoidc"); res.status != http.StatusFound || res.location() != "/" {
			t.Fatalf("callback: got %d %q; want 302 to /\n%s", res.status, res.location(), res.body)
		}
		if got := c.loggedOnAs(); got != devName {
			t.Fatalf("after sign-in: logged on as %q; want %q", got, devName)
		}
		id := ta.userID(t, devEmail)
		if id == 0 || ta.identityOwner(t, "devoidc", devSubject) != id {
			t.Fatalf("identity devoidc:%s: owner %d; want the user of %s (%d)", devSubject, ta.identityOwner(t, "devoidc", devSubject), devEmail, id)
		}
		c.logoff()
		if res := c.signIn("devoidc"); res.status != http.StatusFound || res.location() != "/" {
			t.Fatalf("second sign-in: got %d %q; want 302 to /", res.status, res.location())
		}
		if got := c.loggedOnAs(); got != devName {
			t.Errorf("after the second sign-in: logged on as %q; want %q", got, devName)
		}
		if n, m := ta.countUsers(t), ta.countIdentities(t); n != 2 || m != 1 {
			t.Errorf("users, identities: got %d, %d; want 2, 1", n, m)
		}
	})
}

// TestTwoInstancesOnPostgres runs two demo instances on one PostgreSQL
// database and nothing else: the session key in its settings table, the
// users, the sessions and the refresh tokens are shared, so a logon on A
// holds on B, the logon throttle is one budget, and a logoff on B ends the
// session on A.
func TestTwoInstancesOnPostgres(t *testing.T) {
	cfg := Config{DB: postgresDB(t), logonLimit: 3}
	a, b := newTestApp(t, cfg), newTestApp(t, cfg)

	onA := a.browser(t)
	onA.register("Ada", "ada@example.com", testPassword)
	cookie := onA.cookie(sessionCookie)
	onB := b.withSession(t, cookie)
	if got := onB.loggedOnAs(); got != "Ada" {
		t.Fatalf("B with A's cookie: logged on as %q; want Ada", got)
	}
	if got := onB.secretWord(); got == "" {
		t.Fatal("B shows no secret word")
	}

	// The user registered on A logs on with a password on B, and an API
	// login of A refreshes on B: one signing key, one token store.
	if res := b.browser(t).logon("ada@example.com", testPassword); res.status != http.StatusFound || res.location() != "/" {
		t.Errorf("password logon on B: got %d %q; want 302 to /", res.status, res.location())
	}
	pair := a.login(t, "ada@example.com", testPassword)
	if res := b.me(t, pair.AccessToken); res.status != http.StatusOK {
		t.Errorf("A's access token on B: got %d %s; want 200", res.status, res.body)
	}
	if res := b.refresh(t, pair.RefreshToken); res.status != http.StatusOK {
		t.Errorf("A's refresh token on B: got %d %s; want 200", res.status, res.body)
	}
	if res := a.refresh(t, pair.RefreshToken); res.status != http.StatusBadRequest {
		t.Errorf("the same refresh token again on A: got %d %s; want 400, a reuse", res.status, res.body)
	}

	if res := onB.logoff(); res.status != http.StatusFound {
		t.Fatalf("logoff on B: %d; want 302", res.status)
	}
	if got := a.withSession(t, cookie).loggedOnAs(); got != "" {
		t.Errorf("A with the logged-off cookie: logged on as %q; want nobody", got)
	}

	// One throttle budget in PostgreSQL: wrong passwords on A and on B
	// lock the account on both.
	eve := []*browser{a.browser(t), b.browser(t)}
	for i := range 3 {
		eve[i%2].logon("ada@example.com", "wrong")
	}
	if res := eve[0].logon("ada@example.com", testPassword); res.status != http.StatusTooManyRequests {
		t.Errorf("the right password after 3 wrong ones across A and B: %d; want 429 (one budget)", res.status)
	}
}

// TestPostgresConcurrentStart opens one fresh PostgreSQL database from
// several instances at once: the tables are created once, under the
// advisory lock, and every instance reads the same session and signing
// keys.
func TestPostgresConcurrentStart(t *testing.T) {
	dsn := postgresDB(t)
	const n = 4
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		errs    []error
		keys    = map[string]bool{}
		signers = map[string]bool{}
	)
	for range n {
		wg.Go(func() {
			db, err := openDB(t.Context(), dsn)
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
				return
			}
			defer db.Close()
			k, err := sessionKeys(t.Context(), db, "")
			var s []byte
			if err == nil {
				s, err = signingKey(t.Context(), db)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			keys[string(k[0])] = true
			signers[string(s)] = true
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("starting %d instances at once: %v", n, errs)
	}
	if len(keys) != 1 || len(signers) != 1 {
		t.Errorf("distinct session keys %d, signing keys %d; want 1 and 1", len(keys), len(signers))
	}
}

func TestIsPostgresURL(t *testing.T) {
	tests := []struct {
		db         string
		postgres   bool
		redactedTo string
	}{
		{"passport-demo.db", false, "passport-demo.db"},
		{":memory:", false, ":memory:"},
		{"/tmp/postgres://x", false, "/tmp/postgres://x"},
		{"postgres://u@127.0.0.1:5432/demo?sslmode=disable", true, "postgres://u@127.0.0.1:5432/demo?sslmode=disable"},
		{"postgresql://u:secret@db.example/demo", true, "postgresql://u:xxxxx@db.example/demo"},
		{"postgres://u:secret@db.example:bad port/demo", true, "postgres://…"},
	}
	for _, tt := range tests {
		t.Run(tt.db, func(t *testing.T) {
			if got := isPostgresURL(tt.db); got != tt.postgres {
				t.Errorf("isPostgresURL: got %v; want %v", got, tt.postgres)
			}
			if got := redactDB(tt.db); got != tt.redactedTo {
				t.Errorf("redactDB: got %q; want %q", got, tt.redactedTo)
			}
		})
	}
}

// TestOpenDBPostgresUnreachable checks that a PostgreSQL that does not
// answer refuses the start with an error that names the database without
// its password.
func TestOpenDBPostgresUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	// Port 1 on the loopback interface: refused at once.
	db, err := openDB(ctx, "postgres://demo:hunter2secret@127.0.0.1:1/demo?connect_timeout=2")
	if err == nil {
		_ = db.Close()
		t.Fatal("openDB: no error; want the connection refused")
	}
	if strings.Contains(err.Error(), "hunter2secret") {
		t.Errorf("the error shows the password: %v", err)
	}
	if !strings.Contains(err.Error(), "demo: creating tables in postgres://demo:xxxxx@127.0.0.1:1/demo") {
		t.Errorf("error: got %v; want it to name the database, password redacted", err)
	}
}

// TestPostgresWithRedisSessions checks -db postgres://… with -sessions
// redis://…: the users are in PostgreSQL, the sessions in Redis, and
// PostgreSQL gets no session table.
func TestPostgresWithRedisSessions(t *testing.T) {
	cfg := Config{DB: postgresDB(t), Sessions: "redis://" + testenv.RedisAddr(t) + "/0", redisPrefix: testenv.KeyPrefix(t)}
	a, b := newTestApp(t, cfg), newTestApp(t, cfg)
	onA := a.browser(t)
	onA.register("Ada", "ada@example.com", testPassword)
	if got := b.withSession(t, onA.cookie(sessionCookie)).loggedOnAs(); got != "Ada" {
		t.Fatalf("B with A's cookie: logged on as %q; want Ada", got)
	}
	if n := a.countUsers(t); n != 1 {
		t.Errorf("users in PostgreSQL: got %d; want 1", n)
	}
	if got := tablesOf(t, a.db); slices.Contains(got, sqlstore.DefaultTable) {
		t.Errorf("tables: got %q; want no session table, the sessions are in Redis", got)
	}
}

// TestTwoInstancesWithSessionsInPostgres keeps the users in one SQLite
// file and sessions, throttle and tokens in PostgreSQL (-sessions
// postgres://…): a logon on A holds on B, one throttle budget, a logoff on
// B ends it on A.
func TestTwoInstancesWithSessionsInPostgres(t *testing.T) {
	cfg := Config{DB: filepath.Join(t.TempDir(), "demo.db"), Sessions: postgresDB(t), logonLimit: 3}
	a, b := newTestApp(t, cfg), newTestApp(t, cfg)
	onA := a.browser(t)
	onA.register("Ada", "ada@example.com", testPassword)
	cookie := onA.cookie(sessionCookie)
	if got := b.withSession(t, cookie).loggedOnAs(); got != "Ada" {
		t.Fatalf("B with A's cookie: logged on as %q; want Ada", got)
	}
	eve := []*browser{a.browser(t), b.browser(t)}
	for i := range 3 {
		eve[i%2].logon("ada@example.com", "wrong")
	}
	if res := eve[1].logon("ada@example.com", testPassword); res.status != http.StatusTooManyRequests {
		t.Errorf("the right password after 3 wrong ones across A and B: %d; want 429", res.status)
	}
	if res := b.withSession(t, cookie).logoff(); res.status != http.StatusFound {
		t.Fatalf("logoff on B: %d; want 302", res.status)
	}
	if got := a.withSession(t, cookie).loggedOnAs(); got != "" {
		t.Errorf("A after logoff on B: %q; want nobody", got)
	}
}
