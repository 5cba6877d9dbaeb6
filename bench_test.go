package passport_test

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/internal/testenv"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/redisstore"
	"github.com/gopassport/passport/session/sqlstore"
	"github.com/gopassport/passport/strategy"

	_ "modernc.org/sqlite"
)

// benchUsers is the app's user table in the benchmarks.
var benchUser = &user{ID: "42", Name: "Ada"}

func benchDeserialize(_ context.Context, id string) (*user, error) {
	if id != benchUser.ID {
		return nil, passport.ErrUserNotFound
	}
	return benchUser, nil
}

// newBenchApp is the route under test: Session() + RequireLogin + a handler
// reading User(c), over store. It returns the app and a logged-in cookie.
func newBenchApp(b *testing.B, store sessions.Store) (*echo.Echo, *http.Cookie) {
	b.Helper()
	mgr, err := session.New(session.Config{Store: store})
	if err != nil {
		b.Fatal(err)
	}
	auth, err := passport.New(passport.Config[*user]{
		Sessions:    mgr,
		Serialize:   func(u *user) (string, error) { return u.ID, nil },
		Deserialize: benchDeserialize,
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := auth.Use("trivial", strategy.Func[*user](func(*http.Request) (strategy.Result[*user], error) {
		return strategy.Success(benchUser, strategy.Info{}), nil
	})); err != nil {
		b.Fatal(err)
	}
	e := echo.New()
	e.Use(auth.Session())
	e.POST("/login", auth.Authenticate("trivial", passport.SuccessRedirect("/")).Handler())
	e.GET("/me", func(c echo.Context) error {
		u, _ := auth.User(c)
		return c.String(http.StatusOK, u.Name)
	}, auth.RequireLogin())
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/login", nil))
	cookies := rec.Result().Cookies()
	if rec.Code != http.StatusFound || len(cookies) != 1 {
		b.Fatalf("login: got %d with %d cookies", rec.Code, len(cookies))
	}
	return e, cookies[0]
}

func runAuthenticated(b *testing.B, e *echo.Echo, cookie *http.Cookie) {
	b.Helper()
	req := httptest.NewRequest(http.MethodGet, "/me", nil)
	req.AddCookie(cookie)
	ctx := context.Background()
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		w.code = 0
		// A shallow copy per request: gorilla's registry writes into the
		// request it is given, and would otherwise cache the session.
		e.ServeHTTP(w, req.WithContext(ctx))
		if w.code != http.StatusOK {
			b.Fatalf("got %d; want 200", w.code)
		}
	}
}

// discard is a ResponseWriter that keeps only the status, so the benchmark
// measures the route and not a recorder.
type discard struct {
	h    http.Header
	code int
}

func (d *discard) Header() http.Header { return d.h }
func (d *discard) Write(b []byte) (int, error) {
	if d.code == 0 {
		d.code = http.StatusOK
	}
	return len(b), nil
}
func (d *discard) WriteHeader(code int) { d.code = code }

// BenchmarkSessionAuthenticated measures a GET with a valid session cookie
// through Session() + RequireLogin + a handler reading User(c). The
// Handwritten case is the baseline: the same route written by hand with
// gorilla/sessions' CookieStore (gob codec, hash and block keys).
func BenchmarkSessionAuthenticated(b *testing.B) {
	b.Run("store=cookie", func(b *testing.B) {
		store, err := session.NewCookieStore(bytes.Repeat([]byte{7}, 32))
		if err != nil {
			b.Fatal(err)
		}
		e, c := newBenchApp(b, store)
		runAuthenticated(b, e, c)
	})
	b.Run("store=sqlstore-sqlite", func(b *testing.B) {
		db, err := sql.Open("sqlite", "file:"+filepath.Join(b.TempDir(), "s.db")+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		store, err := sqlstore.New(context.Background(), db, sqlstore.Config{Keys: [][]byte{bytes.Repeat([]byte{7}, 32)}})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { store.Close() })
		e, c := newBenchApp(b, store)
		runAuthenticated(b, e, c)
	})
	b.Run("store=redisstore", func(b *testing.B) {
		e, c := newBenchApp(b, benchRedisStore(b))
		runAuthenticated(b, e, c)
	})
	b.Run("store=sqlstore-postgres", func(b *testing.B) {
		e, c := newBenchApp(b, benchPostgresStore(b))
		runAuthenticated(b, e, c)
	})
	b.Run("store=handwritten-gorilla", func(b *testing.B) {
		store := sessions.NewCookieStore(bytes.Repeat([]byte{7}, 32), bytes.Repeat([]byte{8}, 32))
		store.Options.HttpOnly = true
		store.Options.SameSite = http.SameSiteLaxMode
		e := echo.New()
		requireLogin := func(next echo.HandlerFunc) echo.HandlerFunc {
			return func(c echo.Context) error {
				s, err := store.Get(c.Request(), "session")
				if err != nil {
					return echo.ErrUnauthorized
				}
				id, ok := s.Values["user"].(string)
				if !ok {
					return echo.ErrUnauthorized
				}
				u, err := benchDeserialize(c.Request().Context(), id)
				if err != nil {
					return echo.ErrUnauthorized
				}
				c.Set("user", u)
				return next(c)
			}
		}
		e.POST("/login", func(c echo.Context) error {
			s, _ := store.Get(c.Request(), "session")
			s.Values["user"] = benchUser.ID
			if err := s.Save(c.Request(), c.Response()); err != nil {
				return err
			}
			return c.Redirect(http.StatusFound, "/")
		})
		e.GET("/me", func(c echo.Context) error {
			u, _ := c.Get("user").(*user)
			return c.String(http.StatusOK, u.Name)
		}, requireLogin)
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/login", nil))
		runAuthenticated(b, e, rec.Result().Cookies()[0])
	})
}

// BenchmarkSessionAuthenticatedParallel is BenchmarkSessionAuthenticated
// from every core at once (b.RunParallel), on the stores instances share.
func BenchmarkSessionAuthenticatedParallel(b *testing.B) {
	for _, bc := range []struct {
		name  string
		store func(b *testing.B) sessions.Store
	}{
		{"store=cookie", func(b *testing.B) sessions.Store {
			st, err := session.NewCookieStore(bytes.Repeat([]byte{7}, 32))
			if err != nil {
				b.Fatal(err)
			}
			return st
		}},
		{"store=redisstore", benchRedisStore},
		{"store=sqlstore-postgres", benchPostgresStore},
	} {
		b.Run(bc.name, func(b *testing.B) {
			e, cookie := newBenchApp(b, bc.store(b))
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				req := httptest.NewRequest(http.MethodGet, "/me", nil)
				req.AddCookie(cookie)
				w := &discard{h: http.Header{}}
				for pb.Next() {
					clear(w.h)
					w.code = 0
					e.ServeHTTP(w, req.WithContext(context.Background()))
					if w.code != http.StatusOK {
						b.Errorf("got %d; want 200", w.code)
						return
					}
				}
			})
		})
	}
}

// benchRedisStore is a redisstore on the shared test Redis, under a prefix
// of the benchmark's own.
func benchRedisStore(b *testing.B) sessions.Store {
	client := redis.NewClient(&redis.Options{Addr: testenv.RedisAddr(b), ContextTimeoutEnabled: true})
	b.Cleanup(func() { client.Close() })
	st, err := redisstore.New(client, redisstore.Config{Keys: [][]byte{bytes.Repeat([]byte{7}, 32)}, KeyPrefix: testenv.KeyPrefix(b)})
	if err != nil {
		b.Fatal(err)
	}
	return st
}

// benchPostgresStore is a sqlstore on a table of the benchmark's own on
// the test PostgreSQL, dropped at the end.
func benchPostgresStore(b *testing.B) sessions.Store {
	dsn := testenv.PostgresDSN(b)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		b.Fatal(err)
	}
	table := "passport_sessions_bench_" + strconv.FormatInt(time.Now().UnixNano(), 36)
	b.Cleanup(func() {
		_, _ = db.ExecContext(context.Background(), `DROP TABLE IF EXISTS "`+table+`"`)
		db.Close()
	})
	st, err := sqlstore.New(context.Background(), db, sqlstore.Config{Keys: [][]byte{bytes.Repeat([]byte{7}, 32)}, Dialect: sqlstore.PostgreSQL, Table: table})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return st
}

// BenchmarkLogin measures a login with a trivial verify (no hashing):
// strategy, regeneration, serialization and the save that writes the cookie.
func BenchmarkLogin(b *testing.B) {
	store, err := session.NewCookieStore(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		b.Fatal(err)
	}
	e, _ := newBenchApp(b, store)
	req := httptest.NewRequest(http.MethodPost, "/login", nil)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		e.ServeHTTP(w, req)
		if w.code != http.StatusFound {
			b.Fatalf("got %d; want 302", w.code)
		}
	}
}

// BenchmarkPlain is a route that never touches the session, with and
// without the app-wide Session middleware: what the middleware costs a
// request that brings no session cookie.
func BenchmarkPlain(b *testing.B) {
	for _, withSession := range []bool{false, true} {
		name := "session=none"
		if withSession {
			name = "session=app-wide"
		}
		b.Run(name, func(b *testing.B) {
			store, err := session.NewCookieStore(bytes.Repeat([]byte{7}, 32))
			if err != nil {
				b.Fatal(err)
			}
			e, _ := newBenchApp(b, store)
			if !withSession {
				e = echo.New()
			}
			e.GET("/plain", func(c echo.Context) error { return c.String(http.StatusOK, "plain") })
			req := httptest.NewRequest(http.MethodGet, "/plain", nil)
			w := &discard{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				w.code = 0
				e.ServeHTTP(w, req)
				if w.code != http.StatusOK || len(w.h["Set-Cookie"]) != 0 {
					b.Fatalf("got %d, Set-Cookie %q; want 200 and no cookie", w.code, w.h["Set-Cookie"])
				}
			}
		})
	}
}
