package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/gopassport/passport/internal/testenv"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/sqlstore"
)

// cookieName is the session.Manager's default cookie name.
const cookieName = "passport"

// sqliteDSN opens path with the settings the package documentation
// recommends.
func sqliteDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"
}

// fixture is one test's database: a table nobody else uses, and a way to
// open more handles on it.
type fixture struct {
	dialect sqlstore.Dialect
	table   string
	connect func(t *testing.T) *sql.DB // a new pool, closed after the test
}

// backend makes fixtures for one database product.
type backend struct {
	name  string
	setup func(t *testing.T) fixture
}

func backends() []backend {
	return []backend{
		{name: "sqlite", setup: sqliteFixture},
		{name: "postgres", setup: postgresFixture},
	}
}

// forEachBackend runs f once against SQLite and once against PostgreSQL
// (skipped when the server is down, unless PASSPORT_REQUIRE_SERVICES=1).
// f gets a fixture of its own and can make more, one per subtest, with
// b.setup.
func forEachBackend(t *testing.T, f func(t *testing.T, b backend, fx fixture)) {
	t.Helper()
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) { f(t, b, b.setup(t)) })
	}
}

func sqliteFixture(t *testing.T) fixture {
	path := filepath.Join(t.TempDir(), "sessions.db")
	return fixture{
		dialect: sqlstore.SQLite,
		table:   sqlstore.DefaultTable,
		connect: func(t *testing.T) *sql.DB { return openSQLite(t, path) },
	}
}

func postgresFixture(t *testing.T) fixture {
	dsn := testenv.PostgresDSN(t)
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	table := "passport_sessions_test_" + hex.EncodeToString(b[:])
	connect := func(t *testing.T) *sql.DB {
		t.Helper()
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatalf("opening PostgreSQL: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	// Registered first, so it runs last: after every store and pool of the
	// test is closed.
	t.Cleanup(func() {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Errorf("dropping %s: %v", table, err)
			return
		}
		defer db.Close()
		if _, err := db.ExecContext(context.Background(), `DROP TABLE IF EXISTS "`+table+`"`); err != nil {
			t.Errorf("dropping %s: %v", table, err)
		}
	})
	return fixture{dialect: sqlstore.PostgreSQL, table: table, connect: connect}
}

// clock is a settable time source shared by the store and the manager.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Unix(1_800_000_000, 0)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is a store, a manager over it and a small app, on one fixture.
type env struct {
	t     *testing.T
	fx    fixture
	db    *sql.DB
	key   []byte
	clock *clock
	store *sqlstore.Store
	mgr   *session.Manager
	app   http.Handler
}

// newEnv makes an env on fx; each opt adjusts the manager's Config.
func newEnv(t *testing.T, fx fixture, opts ...func(*session.Config)) *env {
	t.Helper()
	e := &env{t: t, fx: fx, db: fx.connect(t), key: newKey(t), clock: newClock()}
	logger := slog.New(slog.NewTextHandler(t.Output(), nil))
	scfg := sqlstore.Config{
		Keys:            [][]byte{e.key},
		Table:           fx.table,
		Dialect:         fx.dialect,
		CleanupInterval: -1,
		Logger:          logger,
		Now:             e.clock.Now,
	}
	mcfg := session.Config{Logger: logger, Now: e.clock.Now}
	for _, o := range opts {
		o(&mcfg)
	}
	store, err := sqlstore.New(t.Context(), e.db, scfg)
	if err != nil {
		t.Fatalf("sqlstore.New: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	mcfg.Store = store
	mgr, err := session.New(mcfg)
	if err != nil {
		t.Fatalf("session.New: %v", err)
	}
	e.store, e.mgr = store, mgr
	e.app = mgr.Middleware(app())
	return e
}

func newKey(t testing.TB) []byte {
	t.Helper()
	k, err := session.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// app is what the tests drive through the manager:
//
//	/set?k=&v=    stores v under k
//	/get?k=       prints the value under k, or <none>
//	/login?user=  regenerates the session and stores the user
//	/logout       destroys the session
//
// A fault of the store is a 500, as passport's edge makes it.
func app() http.Handler {
	mux := http.NewServeMux()
	handle := func(path string, f func(w http.ResponseWriter, r *http.Request, s *session.Session) error) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			s, ok := session.FromContext(r.Context())
			if !ok {
				http.Error(w, "no session", http.StatusInternalServerError)
				return
			}
			if err := s.Load(); err != nil {
				http.Error(w, "fault", http.StatusInternalServerError)
				return
			}
			if err := f(w, r, s); err != nil {
				http.Error(w, "fault", http.StatusInternalServerError)
			}
		})
	}
	handle("/set", func(w http.ResponseWriter, r *http.Request, s *session.Session) error {
		s.Set(r.FormValue("k"), r.FormValue("v"))
		if err := s.Save(); err != nil {
			return err
		}
		fmt.Fprint(w, "ok")
		return nil
	})
	handle("/get", func(w http.ResponseWriter, r *http.Request, s *session.Session) error {
		v, ok := s.Get(r.FormValue("k"))
		if !ok {
			v = "<none>"
		}
		fmt.Fprint(w, v)
		return nil
	})
	handle("/login", func(w http.ResponseWriter, r *http.Request, s *session.Session) error {
		if err := s.Regenerate(); err != nil {
			return err
		}
		s.Set("user", r.FormValue("user"))
		if err := s.Save(); err != nil {
			return err
		}
		fmt.Fprint(w, "ok")
		return nil
	})
	handle("/logout", func(w http.ResponseWriter, r *http.Request, s *session.Session) error {
		if err := s.Destroy(); err != nil {
			return err
		}
		fmt.Fprint(w, "ok")
		return nil
	})
	return mux
}

// do sends a GET for target to the app with the given cookies.
func (e *env) do(target string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	e.t.Helper()
	r := httptest.NewRequestWithContext(e.t.Context(), http.MethodGet, target, nil)
	for _, c := range cookies {
		if c != nil {
			r.AddCookie(c)
		}
	}
	w := httptest.NewRecorder()
	e.app.ServeHTTP(w, r)
	return w
}

// set stores k=v through the app and returns the session cookie.
func (e *env) set(k, v string, cookies ...*http.Cookie) *http.Cookie {
	e.t.Helper()
	w := e.do("/set?k="+k+"&v="+v, cookies...)
	if w.Code != http.StatusOK {
		e.t.Fatalf("/set: got status %d; want %d", w.Code, http.StatusOK)
	}
	c := sessionCookie(w)
	if c == nil {
		if len(cookies) > 0 {
			return cookies[0]
		}
		e.t.Fatalf("/set: got no %s cookie; want one", cookieName)
	}
	return c
}

// get returns what /get prints for k.
func (e *env) get(k string, cookies ...*http.Cookie) string {
	e.t.Helper()
	w := e.do("/get?k="+k, cookies...)
	if w.Code != http.StatusOK {
		e.t.Fatalf("/get: got status %d; want %d", w.Code, http.StatusOK)
	}
	return w.Body.String()
}

// sessionCookie returns the session cookie set by a response, or nil.
func sessionCookie(w *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == cookieName {
			return c
		}
	}
	return nil
}

// idOf opens a session cookie with the env's key.
func (e *env) idOf(c *http.Cookie) string {
	e.t.Helper()
	codec, err := session.NewCodec(e.key)
	if err != nil {
		e.t.Fatal(err)
	}
	id, err := codec.Open(c.Name, c.Value, 0)
	if err != nil {
		e.t.Fatalf("opening the session cookie: %v", err)
	}
	return string(id)
}

// seal seals data as the value of a session cookie, with key.
func seal(t testing.TB, key []byte, name string, data string) *http.Cookie {
	t.Helper()
	codec, err := session.NewCodec(key)
	if err != nil {
		t.Fatal(err)
	}
	v, err := codec.Seal(name, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	return &http.Cookie{Name: cookieName, Value: v}
}

// query rewrites "?" placeholders for the fixture's dialect and names the
// table: {t} stands for the quoted table name.
func (e *env) query(q string) string {
	return e.fx.dialect.Rebind(strings.ReplaceAll(q, "{t}", `"`+e.fx.table+`"`))
}

// rows counts the table's rows.
func (e *env) rows() int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRowContext(e.t.Context(), e.query("SELECT COUNT(*) FROM {t}")).Scan(&n); err != nil {
		e.t.Fatalf("counting rows: %v", err)
	}
	return n
}

// row returns the stored row of id, and whether there is one.
func (e *env) row(id string) (data []byte, expiresAt int64, ok bool) {
	e.t.Helper()
	err := e.db.QueryRowContext(e.t.Context(), e.query("SELECT data, expires_at FROM {t} WHERE id = ?"), id).Scan(&data, &expiresAt)
	if err == sql.ErrNoRows {
		return nil, 0, false
	}
	if err != nil {
		e.t.Fatalf("reading row: %v", err)
	}
	return data, expiresAt, true
}

// exec runs a statement written with "?" placeholders and {t}.
func (e *env) exec(q string, args ...any) {
	e.t.Helper()
	if _, err := e.db.ExecContext(e.t.Context(), e.query(q), args...); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
}
