package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/sqlstore"
)

// greeter logs a user in at /login?user=NAME, out at /logout, and greets
// whoever the session says is there at /.
func greeter() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) {
		s, _ := session.FromContext(r.Context())
		if err := s.Regenerate(); err != nil { // a new ID at login: no fixation
			http.Error(w, "session fault", http.StatusInternalServerError)
			return
		}
		s.Set("user", r.FormValue("user"))
	})
	mux.HandleFunc("/logout", func(w http.ResponseWriter, r *http.Request) {
		s, _ := session.FromContext(r.Context())
		if err := s.Destroy(); err != nil {
			http.Error(w, "session fault", http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s, _ := session.FromContext(r.Context())
		if err := s.Load(); err != nil { // the database is down: a 500, not a stranger
			http.Error(w, "session fault", http.StatusInternalServerError)
			return
		}
		user, ok := s.Get("user")
		if !ok {
			user = "stranger"
		}
		fmt.Fprintf(w, "hello, %s", user)
	})
	return mux
}

// visit sends one request with cookie (if any) and returns the response.
func visit(h http.Handler, target string, cookie *http.Cookie) *http.Response {
	r := httptest.NewRequest(http.MethodGet, target, nil)
	if cookie != nil {
		r.AddCookie(cookie)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Result()
}

func body(resp *http.Response) string {
	var b [64]byte
	n, _ := resp.Body.Read(b[:])
	return string(b[:n])
}

// A session manager over a SQLite file. Logout deletes the row, so a copy
// of the cookie taken before it is worth nothing.
func Example() {
	dir, err := os.MkdirTemp("", "sqlstore-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// busy_timeout: wait for a lock rather than fail with SQLITE_BUSY;
	// WAL: readers do not wait for the writer.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "sessions.db")+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	key, err := session.GenerateKey() // in production: loaded from a secret, stable across restarts
	if err != nil {
		log.Fatal(err)
	}
	store, err := sqlstore.New(context.Background(), db, sqlstore.Config{Keys: [][]byte{key}})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	mgr, err := session.New(session.Config{Store: store})
	if err != nil {
		log.Fatal(err)
	}
	app := mgr.Middleware(greeter())

	login := visit(app, "/login?user=alice", nil)
	cookie := login.Cookies()[0]
	var rows int
	if err := db.QueryRow("SELECT COUNT(*) FROM passport_sessions").Scan(&rows); err != nil {
		log.Fatal(err)
	}
	fmt.Println("rows after login:", rows)
	fmt.Println(body(visit(app, "/", cookie)))

	visit(app, "/logout", cookie)
	if err := db.QueryRow("SELECT COUNT(*) FROM passport_sessions").Scan(&rows); err != nil {
		log.Fatal(err)
	}
	fmt.Println("rows after logout:", rows)
	fmt.Println(body(visit(app, "/", cookie)), "(the old cookie replayed)")
	// Output:
	// rows after login: 1
	// hello, alice
	// rows after logout: 0
	// hello, stranger (the old cookie replayed)
}

// An in-memory SQLite database, for tests and demos. database/sql opens
// ":memory:" once per connection, each a separate empty database, so the
// pool must keep exactly one connection.
func Example_memory() {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	key, err := session.GenerateKey()
	if err != nil {
		log.Fatal(err)
	}
	store, err := sqlstore.New(context.Background(), db, sqlstore.Config{Keys: [][]byte{key}})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	mgr, err := session.New(session.Config{Store: store})
	if err != nil {
		log.Fatal(err)
	}
	app := mgr.Middleware(greeter())

	cookie := visit(app, "/login?user=bob", nil).Cookies()[0]
	fmt.Println(body(visit(app, "/", cookie)))
	// Output: hello, bob
}

// PostgreSQL through pgx's database/sql driver, and the expired rows
// deleted by a job of your own instead of the background goroutine. (Not
// run: it needs a server.)
func Example_postgres() {
	ctx := context.Background()
	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	key, err := session.GenerateKey()
	if err != nil {
		log.Fatal(err)
	}
	store, err := sqlstore.New(ctx, db, sqlstore.Config{
		Keys:            [][]byte{key},
		Dialect:         sqlstore.PostgreSQL,
		Table:           "web_sessions",
		CleanupInterval: -1, // a cron job calls DeleteExpired
	})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	n, err := store.DeleteExpired(ctx)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("deleted %d expired sessions", n)
}
