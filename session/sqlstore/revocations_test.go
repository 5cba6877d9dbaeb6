package sqlstore_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/sqlstore"
)

// TestRevocations: on the cookie store with the revocation list in SQL,
// shared by two instances, a logout on A refuses a copy of the cookie on
// B, RevokeUser ends every cookie of the user begun until then, another
// user's stays, and lapsed session revocations are deleted.
func TestRevocations(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend, fx fixture) {
		clk := newClock()
		prefix := strings.TrimSuffix(fx.table, "sessions") + "rv_"
		cleanDB := fx.connect(t)
		t.Cleanup(func() { // the test's own tables, on the shared PostgreSQL too
			for _, tbl := range []string{prefix + "sessions", prefix + "users"} {
				_, _ = cleanDB.ExecContext(context.Background(), `DROP TABLE IF EXISTS "`+tbl+`"`)
			}
		})
		instance := func() *session.Manager {
			rv, err := sqlstore.NewRevocations(t.Context(), fx.connect(t), sqlstore.RevocationsConfig{Dialect: fx.dialect, TablePrefix: prefix, Now: clk.Now})
			if err != nil {
				t.Fatal(err)
			}
			cs, err := session.NewCookieStore([]byte("0123456789abcdef0123456789abcdef"))
			if err != nil {
				t.Fatal(err)
			}
			m, err := session.New(session.Config{Store: cs, Revocations: rv, Now: clk.Now})
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		a, bm := instance(), instance()
		visit := func(m *session.Manager, c *http.Cookie, fn func(*session.Session)) *http.Cookie {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if c != nil {
				req.AddCookie(c)
			}
			rec := httptest.NewRecorder()
			m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s, _ := session.FromContext(r.Context())
				if err := s.Load(); err != nil {
					t.Fatal(err)
				}
				fn(s)
			})).ServeHTTP(rec, req)
			return sessionCookie(rec)
		}
		login := func(m *session.Manager, user string) *http.Cookie {
			return visit(m, nil, func(s *session.Session) {
				if err := s.Regenerate(); err != nil {
					t.Fatal(err)
				}
				s.Set(session.UserKey, user)
			})
		}
		userOf := func(m *session.Manager, c *http.Cookie) (u string) {
			visit(m, c, func(s *session.Session) { u, _ = s.Get(session.UserKey) })
			return u
		}
		ada := login(a, "ada")
		if got := userOf(bm, ada); got != "ada" {
			t.Fatalf("B with A's cookie: %q; want ada", got)
		}
		visit(a, ada, func(s *session.Session) {
			if err := s.Destroy(); err != nil {
				t.Fatal(err)
			}
		})
		if got := userOf(bm, ada); got != "" {
			t.Errorf("a copy after logout on A: %q; want nobody", got)
		}
		ada1, bob := login(bm, "ada"), login(a, "bob")
		if err := a.Revocations().RevokeUser(t.Context(), "ada", clk.Now()); err != nil {
			t.Fatal(err)
		}
		if got := userOf(a, ada1); got != "" {
			t.Errorf("after RevokeUser: %q; want nobody", got)
		}
		if got := userOf(bm, bob); got != "bob" {
			t.Errorf("another user: %q; want bob", got)
		}
		clk.Advance(48 * time.Hour)
		n, err := a.Revocations().(*sqlstore.Revocations).DeleteExpired(t.Context())
		if err != nil || n != 1 {
			t.Errorf("DeleteExpired = %d, %v; want the one lapsed session revocation", n, err)
		}
	})
}

func TestNewRevocationsRefusesBadConfig(t *testing.T) {
	db := openSQLite(t, t.TempDir()+"/r.db")
	for _, tt := range []struct {
		name string
		cfg  sqlstore.RevocationsConfig
	}{
		{"nok, Dialect", sqlstore.RevocationsConfig{Dialect: 9}},
		{"nok, TablePrefix", sqlstore.RevocationsConfig{TablePrefix: "bad name"}},
	} {
		if _, err := sqlstore.NewRevocations(t.Context(), db, tt.cfg); !errors.Is(err, sqlstore.ErrInvalidConfig) {
			t.Errorf("%s: %v; want ErrInvalidConfig", tt.name, err)
		}
	}
	if _, err := sqlstore.NewRevocations(t.Context(), nil, sqlstore.RevocationsConfig{}); !errors.Is(err, sqlstore.ErrInvalidConfig) {
		t.Errorf("nil db: %v; want ErrInvalidConfig", err)
	}
	if _, err := sqlstore.NewRevocations(t.Context(), db, sqlstore.RevocationsConfig{}); err != nil {
		t.Errorf("ok, zero means default: %v", err)
	}
}
