package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/gopassport/passport/internal/testenv"
	"github.com/gopassport/passport/strategy/jwt"
	"github.com/gopassport/passport/strategy/jwt/sqlstore"
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

func newStore(t *testing.T, db *sql.DB) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.New(context.Background(), db, sqlstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestStoreMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) jwt.Store { return newStore(t, memoryDB(t)) })
}

func TestStoreFile(t *testing.T) {
	storetest.Run(t, func(t *testing.T) jwt.Store { return newStore(t, fileDB(t)) })
}

// TestStorePostgres runs the suite on PostgreSQL, each subtest on tables
// of its own prefix, dropped afterwards.
func TestStorePostgres(t *testing.T) {
	dsn := testenv.PostgresDSN(t)
	storetest.Run(t, func(t *testing.T) jwt.Store {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		var b [6]byte
		if _, err := rand.Read(b[:]); err != nil {
			t.Fatal(err)
		}
		prefix := "passport_jwt_test_" + hex.EncodeToString(b[:]) + "_"
		t.Cleanup(func() {
			defer db.Close()
			for _, table := range []string{"refresh", "family", "subject"} {
				if _, err := db.ExecContext(context.Background(), `DROP TABLE IF EXISTS `+prefix+table); err != nil {
					t.Errorf("dropping %s%s: %v", prefix, table, err)
				}
			}
		})
		s, err := sqlstore.New(context.Background(), db, sqlstore.Config{TablePrefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

func TestNewIsIdempotent(t *testing.T) {
	db := memoryDB(t)
	ctx := context.Background()
	s := newStore(t, db)
	rec := jwt.RefreshRecord{Hash: jwt.HashRefreshToken("a"), Family: "f", Subject: "u", ExpiresAt: time.Now().Add(time.Hour)}
	if err := s.SaveRefresh(ctx, rec); err != nil {
		t.Fatal(err)
	}
	s2 := newStore(t, db)
	if _, err := s2.GetRefresh(ctx, rec.Hash); err != nil {
		t.Fatalf("after a second New: %v", err)
	}
}

func TestTablePrefix(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name   string
		prefix string
		ok     bool
	}{
		{name: "ok, custom prefix", prefix: "app_auth_", ok: true},
		{name: "nok, quote", prefix: `x"; DROP TABLE users; --`},
		{name: "nok, upper case", prefix: "App_"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := memoryDB(t)
			_, err := sqlstore.New(ctx, db, sqlstore.Config{TablePrefix: tt.prefix})
			if (err == nil) != tt.ok {
				t.Fatalf("got %v; want ok=%v", err, tt.ok)
			}
			if !tt.ok {
				return
			}
			var n int
			if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 'app_auth_%'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 3 {
				t.Errorf("got %d tables; want 3", n)
			}
		})
	}
	if _, err := sqlstore.New(ctx, nil, sqlstore.Config{}); err == nil {
		t.Error("got no error for a nil db")
	}
}

// TestOnlyHashesStored reads the table directly: no column holds the
// refresh token itself.
func TestOnlyHashesStored(t *testing.T) {
	ctx := context.Background()
	db := memoryDB(t)
	s := newStore(t, db)
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

func TestDeleteExpired(t *testing.T) {
	ctx := context.Background()
	s := newStore(t, memoryDB(t))
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, r := range []jwt.RefreshRecord{
		{Hash: jwt.HashRefreshToken("old"), Family: "f1", Subject: "u", ExpiresAt: now.Add(-time.Second)},
		{Hash: jwt.HashRefreshToken("new"), Family: "f2", Subject: "u", ExpiresAt: now.Add(time.Second)},
	} {
		if err := s.SaveRefresh(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.DeleteExpired(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("got %d deleted; want 1", n)
	}
	if _, err := s.GetRefresh(ctx, jwt.HashRefreshToken("old")); err == nil {
		t.Error("the expired token is still there")
	}
	if _, err := s.GetRefresh(ctx, jwt.HashRefreshToken("new")); err != nil {
		t.Errorf("the live token: %v", err)
	}
}
