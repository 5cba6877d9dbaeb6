package sqlstore_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/sqlstore"
)

// counter wraps a driver and counts the statements, BEGINs and COMMITs
// (ROLLBACKs) sent to the database: the round trips of a call.
type counter struct {
	drv driver.Driver
	dsn string
	n   atomic.Int64
}

func (c *counter) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &countedConn{Conn: conn, n: &c.n}, nil
}

func (c *counter) Driver() driver.Driver { return c.drv }

type countedConn struct {
	driver.Conn
	n *atomic.Int64
}

func (c *countedConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	c.n.Add(1)
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, q, args)
}

func (c *countedConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	c.n.Add(1)
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
}

func (c *countedConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	c.n.Add(1)
	tx, err := c.Conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &countedTx{Tx: tx, n: c.n}, nil
}

type countedTx struct {
	driver.Tx
	n *atomic.Int64
}

func (t *countedTx) Commit() error   { t.n.Add(1); return t.Tx.Commit() }
func (t *countedTx) Rollback() error { t.n.Add(1); return t.Tx.Rollback() }

// TestRoundTrips counts what each call sends to the database: one
// statement to load and one to save (the hot path, as before the user
// columns), one to list, two to end one session, and BEGIN, SELECT,
// DELETE, COMMIT to end all of a user's.
func TestRoundTrips(t *testing.T) {
	probe, err := sql.Open("sqlite", "")
	if err != nil {
		t.Fatal(err)
	}
	drv := probe.Driver()
	probe.Close()
	c := &counter{drv: drv, dsn: sqliteDSN(filepath.Join(t.TempDir(), "rt.db"))}
	db := sql.OpenDB(c)
	t.Cleanup(func() { db.Close() })
	st, err := sqlstore.New(t.Context(), db, sqlstore.Config{Keys: [][]byte{newKey(t)}, CleanupInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	var cookie *http.Cookie
	var id string
	tests := []struct {
		name string
		call func(t *testing.T)
		want int64
	}{
		{name: "ok, save new", want: 1, call: func(t *testing.T) {
			r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
			sess, _ := st.New(r, cookieName)
			sess.Values[session.UserKey] = "alice"
			w := httptest.NewRecorder()
			if err := st.Save(r, w, sess); err != nil {
				t.Fatal(err)
			}
			cookie, id = sessionCookie(w), sess.ID
		}},
		{name: "ok, load", want: 1, call: func(t *testing.T) {
			r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
			r.AddCookie(cookie)
			if sess, err := st.New(r, cookieName); err != nil || sess.IsNew {
				t.Fatalf("got IsNew=%v, %v", sess.IsNew, err)
			}
		}},
		{name: "ok, save existing", want: 1, call: func(t *testing.T) {
			r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
			r.AddCookie(cookie)
			sess, _ := st.New(r, cookieName) // not counted: reset below
			c.n.Store(0)
			if err := st.Save(r, httptest.NewRecorder(), sess); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "ok, list", want: 1, call: func(t *testing.T) {
			if l, err := st.ListUserSessions(t.Context(), "alice"); err != nil || len(l) != 1 {
				t.Fatalf("got %v, %v", l, err)
			}
		}},
		{name: "ok, end one", want: 2, call: func(t *testing.T) {
			if err := st.DeleteUserSession(t.Context(), "alice", session.Handle(id)); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "ok, end all", want: 4, call: func(t *testing.T) {
			for range 3 {
				r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
				sess, _ := st.New(r, cookieName)
				sess.Values[session.UserKey] = "alice"
				if err := st.Save(r, httptest.NewRecorder(), sess); err != nil {
					t.Fatal(err)
				}
			}
			c.n.Store(0)
			if n, err := st.DeleteUserSessions(t.Context(), "alice", ""); err != nil || n != 3 {
				t.Fatalf("got %d, %v", n, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.n.Store(0)
			tt.call(t)
			if got := c.n.Load(); got != tt.want {
				t.Errorf("got %d round trips; want %d", got, tt.want)
			}
		})
	}
}
