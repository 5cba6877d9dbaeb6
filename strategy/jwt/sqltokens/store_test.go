package sqltokens_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/gopassport/passport/internal/testenv"
	"github.com/gopassport/passport/strategy/jwt"
	"github.com/gopassport/passport/strategy/jwt/sqltokens"
	"github.com/gopassport/passport/strategy/jwt/storetest"
)

// memoryDB is one SQLite database in memory: a single connection, since
// each connection to ":memory:" is a database of its own.
func memoryDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// fileDB is a SQLite file in a temporary directory, with a pool of
// connections and a busy timeout.
func fileDB(t *testing.T) *sql.DB {
	t.Helper()
	path := filepath.Join(t.TempDir(), "auth.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// newStore is a store on db without a background cleanup, closed after
// the test.
func newStore(t *testing.T, db *sql.DB, cfg sqltokens.Config) *sqltokens.Store {
	t.Helper()
	if cfg.CleanupInterval == 0 {
		cfg.CleanupInterval = -1
	}
	s, err := sqltokens.New(context.Background(), db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestStoreMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) jwt.Store { return newStore(t, memoryDB(t), sqltokens.Config{}) })
}

func TestStoreFile(t *testing.T) {
	storetest.Run(t, func(t *testing.T) jwt.Store { return newStore(t, fileDB(t), sqltokens.Config{}) })
}

// postgresDB is a pool on the test PostgreSQL server (the test is skipped
// when it is down, or fails under PASSPORT_REQUIRE_SERVICES=1), and a
// table prefix of the test's own; the tables are dropped afterwards.
func postgresDB(t *testing.T) (*sql.DB, string) {
	t.Helper()
	dsn := testenv.PostgresDSN(t)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("opening PostgreSQL: %v", err)
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	prefix := "passport_jwt_test_" + hex.EncodeToString(b[:]) + "_"
	// Registered first, so it runs last: after the test's store is closed.
	t.Cleanup(func() {
		defer db.Close()
		for _, table := range []string{"refresh", "family", "subject"} {
			if _, err := db.ExecContext(context.Background(), `DROP TABLE IF EXISTS "`+prefix+table+`"`); err != nil {
				t.Errorf("dropping %s%s: %v", prefix, table, err)
			}
		}
	})
	return db, prefix
}

// TestStorePostgres runs the suite on PostgreSQL, each subtest on tables
// of its own prefix.
func TestStorePostgres(t *testing.T) {
	testenv.PostgresDSN(t) // skip (or fail) once, not in every subtest
	storetest.Run(t, func(t *testing.T) jwt.Store {
		db, prefix := postgresDB(t)
		return newStore(t, db, sqltokens.Config{Dialect: sqltokens.PostgreSQL, TablePrefix: prefix})
	})
}

func TestNewIsIdempotent(t *testing.T) {
	db := memoryDB(t)
	ctx := context.Background()
	s := newStore(t, db, sqltokens.Config{})
	rec := jwt.RefreshRecord{Hash: jwt.HashRefreshToken("a"), Family: "f", Subject: "u", ExpiresAt: time.Now().Add(time.Hour)}
	if err := s.SaveRefresh(ctx, rec); err != nil {
		t.Fatal(err)
	}
	s2 := newStore(t, db, sqltokens.Config{})
	if _, err := s2.GetRefresh(ctx, rec.Hash); err != nil {
		t.Fatalf("after a second New: %v", err)
	}
}

// TestTablePrefix: the prefix starts the three table names, quoted, so
// its case is kept.
func TestTablePrefix(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		prefix string
		want   []string
	}{
		{name: "ok, default", want: []string{"passport_jwt_family", "passport_jwt_refresh", "passport_jwt_subject"}},
		{name: "ok, custom prefix", prefix: "app_auth_", want: []string{"app_auth_family", "app_auth_refresh", "app_auth_subject"}},
		{name: "ok, upper case kept", prefix: "App_", want: []string{"App_family", "App_refresh", "App_subject"}},
		{name: "ok, reserved word", prefix: "order", want: []string{"orderfamily", "orderrefresh", "ordersubject"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := memoryDB(t)
			s := newStore(t, db, sqltokens.Config{TablePrefix: tt.prefix})
			rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var got []string
			for rows.Next() {
				var name string
				if err := rows.Scan(&name); err != nil {
					t.Fatal(err)
				}
				got = append(got, name)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got tables %q; want %q", got, tt.want)
			}
			// And the store works on them.
			rec := jwt.RefreshRecord{Hash: jwt.HashRefreshToken("a"), Family: "f", Subject: "u", ExpiresAt: time.Now().Add(time.Hour)}
			if err := s.SaveRefresh(ctx, rec); err != nil {
				t.Fatal(err)
			}
			if _, err := s.GetRefresh(ctx, rec.Hash); err != nil {
				t.Errorf("GetRefresh: %v", err)
			}
		})
	}
}

// TestOnlyHashesStored reads the table directly: no column holds the
// refresh token itself.
func TestOnlyHashesStored(t *testing.T) {
	ctx := context.Background()
	db := memoryDB(t)
	s := newStore(t, db, sqltokens.Config{})
	secret, err := jwt.GenerateHMACSecret()
	if err != nil {
		t.Fatal(err)
	}
	iss, err := jwt.NewIssuer(jwt.IssuerConfig{Issuer: "https://issuer.test", Key: jwt.Key{Key: secret}, Store: s})
	if err != nil {
		t.Fatal(err)
	}
	pair, err := iss.Issue(ctx, "alice", "read")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := db.QueryContext(ctx, `SELECT hash, family_id, subject, scope FROM passport_jwt_refresh`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
		var hash, family, subject, scope string
		if err := rows.Scan(&hash, &family, &subject, &scope); err != nil {
			t.Fatal(err)
		}
		for _, v := range []string{hash, family, subject, scope} {
			if strings.Contains(v, pair.RefreshToken) {
				t.Errorf("column value %q holds the refresh token", v)
			}
		}
		if hash != jwt.HashRefreshToken(pair.RefreshToken) {
			t.Errorf("got hash %q; want %q", hash, jwt.HashRefreshToken(pair.RefreshToken))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("got %d rows; want 1", n)
	}
}

// TestDeleteExpired deletes, by Config.Now, the tokens that expired and
// the families left without tokens, on SQLite and PostgreSQL.
func TestDeleteExpired(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	backends := []struct {
		name  string
		store func(t *testing.T) *sqltokens.Store
	}{
		{name: "sqlite", store: func(t *testing.T) *sqltokens.Store {
			return newStore(t, memoryDB(t), sqltokens.Config{Now: clock})
		}},
		{name: "postgres", store: func(t *testing.T) *sqltokens.Store {
			db, prefix := postgresDB(t)
			return newStore(t, db, sqltokens.Config{Dialect: sqltokens.PostgreSQL, TablePrefix: prefix, Now: clock})
		}},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx := t.Context()
			s := b.store(t)
			for _, r := range []jwt.RefreshRecord{
				{Hash: jwt.HashRefreshToken("old"), Family: "f1", Subject: "u", ExpiresAt: now.Add(-time.Second)},
				{Hash: jwt.HashRefreshToken("now"), Family: "f2", Subject: "u", ExpiresAt: now},
				{Hash: jwt.HashRefreshToken("new"), Family: "f3", Subject: "u", ExpiresAt: now.Add(time.Second)},
			} {
				if err := s.SaveRefresh(ctx, r); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.RevokeFamily(ctx, "f1", now); err != nil {
				t.Fatal(err)
			}
			n, err := s.DeleteExpired(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("got %d deleted; want 1", n)
			}
			if _, err := s.GetRefresh(ctx, jwt.HashRefreshToken("old")); !errors.Is(err, jwt.ErrNotFound) {
				t.Errorf("the expired token: got %v; want %v", err, jwt.ErrNotFound)
			}
			// Its family went with it: the revocation is no longer reported.
			if revoked, err := s.FamilyRevoked(ctx, "f1"); err != nil || revoked {
				t.Errorf("the emptied family: got revoked %v, %v; want false", revoked, err)
			}
			for _, h := range []string{"now", "new"} {
				if _, err := s.GetRefresh(ctx, jwt.HashRefreshToken(h)); err != nil {
					t.Errorf("the token %q: %v", h, err)
				}
			}
		})
	}
}
