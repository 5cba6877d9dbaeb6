package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
)

// closedPort returns a local TCP address where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// silentServer returns the address of a listener that accepts connections
// and never answers, as a stalled database server does.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var conns []net.Conn
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				for _, c := range conns {
					c.Close()
				}
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() { l.Close(); <-done })
	return l.Addr().String()
}

// pgStore is a store over a pgx pool to addr, built without New (which
// would fail there).
func pgStore(t *testing.T, addr string) *Store {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	db, err := sql.Open("pgx", "postgres://passport@"+host+":"+port+"/test?sslmode=disable&connect_timeout=5")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	key, err := session.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	ids, err := session.NewSealedIDs(key)
	if err != nil {
		t.Fatal(err)
	}
	return &Store{db: db, ids: ids, q: newQueries(PostgreSQL, DefaultTable), options: *session.DefaultOptions(), now: time.Now}
}

// calls are every operation of the store that reads or writes the
// database, each returning its error.
func calls(t *testing.T, s *Store, ctx context.Context) map[string]func() error {
	sealed, err := s.ids.Seal("passport", "some-session-id-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	req := func() *http.Request {
		r := httptest.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
		r.AddCookie(&http.Cookie{Name: "passport", Value: sealed})
		return r
	}
	return map[string]func() error{
		"load": func() error { _, err := s.New(req(), "passport"); return err },
		"save new": func() error {
			r := httptest.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
			sess, _ := s.New(r, "passport")
			sess.Values[session.UserKey] = "alice"
			return s.Save(r, httptest.NewRecorder(), sess)
		},
		"save existing": func() error {
			r := req()
			sess, _ := s.New(r, "passport")
			sess.ID = "some-session-id-0123456789"
			return s.Save(r, httptest.NewRecorder(), sess)
		},
		"delete":         func() error { return s.Delete(ctx, "some-session-id-0123456789") },
		"delete expired": func() error { _, err := s.DeleteExpired(ctx); return err },
		"list":           func() error { _, err := s.ListUserSessions(ctx, "alice"); return err },
		"end all":        func() error { _, err := s.DeleteUserSessions(ctx, "alice", ""); return err },
		"end one":        func() error { return s.DeleteUserSession(ctx, "alice", "h") },
	}
}

// A database that refuses connections, or accepts them and never answers
// within the request's deadline, is unavailable on every call: 503, not
// 500.
func TestUnreachableDatabase(t *testing.T) {
	tests := []struct {
		name    string
		addr    func(t *testing.T) string
		timeout time.Duration // of the request's context; 0: none
		wantIs  error
	}{
		{name: "nok, connection refused", addr: closedPort},
		{name: "nok, server never answers, request deadline", addr: silentServer, timeout: 100 * time.Millisecond, wantIs: context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := pgStore(t, tt.addr(t))
			for name := range calls(t, s, t.Context()) {
				t.Run(name, func(t *testing.T) {
					ctx := t.Context()
					if tt.timeout > 0 {
						var cancel context.CancelFunc
						ctx, cancel = context.WithTimeout(ctx, tt.timeout)
						defer cancel()
					}
					err := calls(t, s, ctx)[name]()
					if !errors.Is(err, strategy.ErrUnavailable) {
						t.Fatalf("got %v; want an error wrapping strategy.ErrUnavailable", err)
					}
					if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
						t.Errorf("got %v; want it to keep its cause %v", err, tt.wantIs)
					}
					if got := err.Error(); len(got) < 10 || got[:10] != "sqlstore: " {
						t.Errorf("got %q; want the sqlstore prefix", got)
					}
				})
			}
		})
	}
	t.Run("nok, New on a closed port", func(t *testing.T) {
		host, port, _ := net.SplitHostPort(closedPort(t))
		db, err := sql.Open("pgx", "postgres://passport@"+host+":"+port+"/test?sslmode=disable")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		key, _ := session.GenerateKey()
		_, err = New(t.Context(), db, Config{Keys: [][]byte{key}, Dialect: PostgreSQL})
		if !errors.Is(err, strategy.ErrUnavailable) {
			t.Errorf("got %v; want an error wrapping strategy.ErrUnavailable", err)
		}
	})
}

// SQLite locked by another writer past busy_timeout is unavailable for
// now; a closed *sql.DB or a missing table is a fault of the program.
func TestSQLiteFaults(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	open := func(busyMS int) *sql.DB {
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout("+strconv.Itoa(busyMS)+")&_pragma=journal_mode(WAL)")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	key, _ := session.GenerateKey()
	db := open(20)
	s, err := New(t.Context(), db, Config{Keys: [][]byte{key}, CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	// Another connection holds the write lock.
	other := open(5000)
	conn, err := other.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(t.Context(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
	sess, _ := s.New(r, "passport")
	sess.Values["k"] = "v"
	err = s.Save(r, httptest.NewRecorder(), sess)
	if !errors.Is(err, strategy.ErrUnavailable) {
		t.Errorf("locked: got %v; want an error wrapping strategy.ErrUnavailable", err)
	}
	if _, err := conn.ExecContext(t.Context(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	conn.Close()
	if err := s.Save(r, httptest.NewRecorder(), sess); err != nil {
		t.Errorf("unlocked: got %v; want the save to succeed", err)
	}

	if _, err := db.ExecContext(t.Context(), `DROP TABLE "passport_sessions"`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ListUserSessions(t.Context(), "alice"); err == nil || errors.Is(err, strategy.ErrUnavailable) {
		t.Errorf("table dropped: got %v; want an error, not ErrUnavailable", err)
	}
	db.Close()
	if _, err := s.ListUserSessions(t.Context(), "alice"); err == nil || errors.Is(err, strategy.ErrUnavailable) {
		t.Errorf("db closed: got %v; want an error, not ErrUnavailable", err)
	}
}
