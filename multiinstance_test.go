package passport_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/gorilla/sessions"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"
	_ "modernc.org/sqlite"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/internal/testenv"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/redisstore"
	"github.com/gopassport/passport/session/sqlstore"
	"github.com/gopassport/passport/strategy/jwt"
)

// sharedBackend opens, for one test, an engine that several instances of
// an app share: each call of the function it returns is the store of
// another instance, on the same sessions.
type sharedBackend struct {
	name string
	open func(t *testing.T) func() sessions.Store
}

// sharedBackends are the engines several instances of an app can share.
func sharedBackends() []sharedBackend {
	keys := [][]byte{bytes.Repeat([]byte{9}, 32)}
	return []sharedBackend{
		{name: "sqlite", open: func(t *testing.T) func() sessions.Store {
			path := filepath.Join(t.TempDir(), "sessions.db")
			return func() sessions.Store {
				// One file, a pool per instance, as two processes have.
				return newSQLStore(t, openPool(t, "sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"), sqlstore.Config{Keys: keys})
			}
		}},
		{name: "redis", open: func(t *testing.T) func() sessions.Store {
			addr, prefix := testenv.RedisAddr(t), testenv.KeyPrefix(t)
			return func() sessions.Store {
				// A client per instance, as two processes have.
				client := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
				t.Cleanup(func() { client.Close() })
				st, err := redisstore.New(client, redisstore.Config{Keys: keys, KeyPrefix: prefix})
				if err != nil {
					t.Fatal(err)
				}
				return st
			}
		}},
		{name: "postgres", open: func(t *testing.T) func() sessions.Store {
			dsn := testenv.PostgresDSN(t)
			var b [6]byte
			if _, err := rand.Read(b[:]); err != nil {
				t.Fatal(err)
			}
			table := "passport_sessions_multi_" + hex.EncodeToString(b[:])
			t.Cleanup(func() { // registered first: runs after the stores close
				db, err := sql.Open("pgx", dsn)
				if err != nil {
					return
				}
				defer db.Close()
				_, _ = db.ExecContext(context.Background(), `DROP TABLE IF EXISTS "`+table+`"`)
			})
			return func() sessions.Store {
				return newSQLStore(t, openPool(t, "pgx", dsn), sqlstore.Config{Keys: keys, Dialect: sqlstore.PostgreSQL, Table: table})
			}
		}},
	}
}

func openPool(t *testing.T, driver, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newSQLStore(t *testing.T, db *sql.DB, cfg sqlstore.Config) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.New(context.Background(), db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// instance is one Echo server of the app, with its own Authenticator and
// store, and a GET /slow that loads the session, waits for the test, then
// changes and saves it.
type instance struct {
	srv            *httptest.Server
	auth           *passport.Authenticator[*user]
	loaded, resume chan struct{}
}

func newInstance(t *testing.T, store sessions.Store, revokers ...passport.UserRevoker) *instance {
	t.Helper()
	mgr, err := session.New(session.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	users := map[string]*user{"1": {ID: "1", Name: "Ada"}, "2": {ID: "2", Name: "Bob"}}
	in := &instance{loaded: make(chan struct{}, 1), resume: make(chan struct{})}
	in.auth, err = passport.New(passport.Config[*user]{
		Sessions:     mgr,
		DisableAudit: true,
		Revokers:     revokers,
		Serialize:    func(u *user) (string, error) { return u.ID, nil },
		Deserialize: func(_ context.Context, id string) (*user, error) {
			if u, ok := users[id]; ok {
				return u, nil
			}
			return nil, passport.ErrUserNotFound
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{users: users}
	if err := in.auth.Use("header", f.byHeader()); err != nil {
		t.Fatal(err)
	}
	e := echo.New()
	e.Use(in.auth.Session())
	e.POST("/login", in.auth.Authenticate("header").Middleware()(func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }))
	e.POST("/logout", func(c echo.Context) error {
		if err := in.auth.Logout(c); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	})
	e.GET("/visit", func(c echo.Context) error { // an anonymous session, as a page with a form gets
		s, _ := passport.SessionFrom(c)
		s.Set("visited", "yes")
		return c.NoContent(http.StatusNoContent)
	})
	e.GET("/me", func(c echo.Context) error {
		u, _ := in.auth.User(c)
		return c.String(http.StatusOK, u.Name)
	}, in.auth.RequireLogin())
	e.GET("/slow", func(c echo.Context) error {
		if _, _, err := in.auth.LoadUser(c); err != nil {
			return err
		}
		in.loaded <- struct{}{}
		<-in.resume
		s, _ := passport.SessionFrom(c)
		s.Set("slow", "saved") // a change: the session is saved at the end
		return c.NoContent(http.StatusNoContent)
	})
	in.srv = httptest.NewServer(e)
	t.Cleanup(in.srv.Close)
	return in
}

// send makes a request to the instance with the cookie (nil: none) and
// returns the answer and the session cookie it set, if any.
func (in *instance) send(t *testing.T, method, path string, cookie *http.Cookie, header ...string) (*http.Response, *http.Cookie) {
	t.Helper()
	req, err := http.NewRequest(method, in.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	res, err := in.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == "passport" {
			return res, c
		}
	}
	return res, nil
}

// TestTwoInstancesShareSessions runs two instances of an app, each with
// its own Authenticator and store, on one engine: a login on A holds on
// B, a logout on B ends it on A, a planted pre-login session is never
// adopted, a slow request that loaded the session before a logout does
// not bring it back, and replaying the logged-out cookie changes nothing.
func TestTwoInstancesShareSessions(t *testing.T) {
	for _, be := range sharedBackends() {
		t.Run(be.name, func(t *testing.T) {
			newStore := be.open(t)
			a, b := newInstance(t, newStore()), newInstance(t, newStore())

			// Fixation: the attacker's anonymous session, planted in the
			// victim's browser, is replaced at login.
			res, planted := a.send(t, http.MethodGet, "/visit", nil)
			if res.StatusCode != http.StatusNoContent || planted == nil {
				t.Fatalf("visit: %d, cookie %v; want 204 and a session cookie", res.StatusCode, planted)
			}
			res, cookie := b.send(t, http.MethodPost, "/login", planted, "X-User", "1")
			if res.StatusCode != http.StatusNoContent || cookie == nil || cookie.Value == planted.Value {
				t.Fatalf("login on B: %d, cookie %v; want 204 and a new session cookie", res.StatusCode, cookie)
			}
			if res, _ := a.send(t, http.MethodGet, "/me", planted); res.StatusCode != http.StatusUnauthorized {
				t.Errorf("the planted pre-login cookie after login: %d; want 401", res.StatusCode)
			}
			for _, in := range []*instance{a, b} {
				if res, _ := in.send(t, http.MethodGet, "/me", cookie); res.StatusCode != http.StatusOK {
					t.Fatalf("logged in on B, /me on %s: %d; want 200", in.srv.URL, res.StatusCode)
				}
			}

			// A slow request on A loads the session; a logout lands on B
			// meanwhile; the slow request's save must not revive it.
			done := make(chan *http.Response, 1)
			go func() {
				req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/slow", nil)
				req.AddCookie(cookie)
				res, err := a.srv.Client().Do(req)
				if err != nil {
					done <- nil
					return
				}
				res.Body.Close()
				done <- res
			}()
			<-a.loaded
			if res, _ := b.send(t, http.MethodPost, "/logout", cookie); res.StatusCode != http.StatusNoContent {
				t.Fatalf("logout on B: %d; want 204", res.StatusCode)
			}
			close(a.resume)
			if res := <-done; res == nil {
				t.Fatal("the slow request failed")
			} else if sc := cookieNamed(res.Cookies(), "passport"); sc != nil && sc.MaxAge >= 0 {
				t.Errorf("the slow request after the logout set a live session cookie %v", sc)
			}
			for _, in := range []*instance{a, b} {
				if res, _ := in.send(t, http.MethodGet, "/me", cookie); res.StatusCode != http.StatusUnauthorized {
					t.Errorf("after logout on B, /me on %s with the old cookie: %d; want 401", in.srv.URL, res.StatusCode)
				}
			}
			// Replaying the logout, or the old cookie, changes nothing.
			if res, _ := a.send(t, http.MethodPost, "/logout", cookie); res.StatusCode != http.StatusNoContent {
				t.Errorf("replayed logout: %d; want 204", res.StatusCode)
			}
			if res, _ := a.send(t, http.MethodGet, "/me", cookie); res.StatusCode != http.StatusUnauthorized {
				t.Errorf("after the replayed logout: %d; want 401", res.StatusCode)
			}
		})
	}
}

func cookieNamed(cs []*http.Cookie, name string) *http.Cookie {
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// TestLogoutAllAcrossInstances logs one user in twice, on A and on B: both
// instances list the same two sessions (by handle, never by ID), and
// LogoutAll on A ends both on both instances and the user's JWTs (the
// issuer is a Revoker), another user's session untouched.
func TestLogoutAllAcrossInstances(t *testing.T) {
	for _, be := range sharedBackends() {
		t.Run(be.name, func(t *testing.T) {
			newStore := be.open(t)
			// The instances' JWT issuer: one token store, as they would share.
			key, err := jwt.GenerateEd25519Key()
			if err != nil {
				t.Fatal(err)
			}
			issuer, err := jwt.NewIssuer(jwt.IssuerConfig{Issuer: "app", Audience: []string{"api"}, Key: jwt.Key{ID: "k", Key: key}, Store: jwt.NewMemoryStore(jwt.MemoryStoreConfig{})})
			if err != nil {
				t.Fatal(err)
			}
			pair, err := issuer.Issue(t.Context(), "1")
			if err != nil {
				t.Fatal(err)
			}
			a, b := newInstance(t, newStore(), issuer), newInstance(t, newStore(), issuer)
			_, onA := a.send(t, http.MethodPost, "/login", nil, "X-User", "1")
			_, onB := b.send(t, http.MethodPost, "/login", nil, "X-User", "1")
			_, bob := b.send(t, http.MethodPost, "/login", nil, "X-User", "2")
			if onA == nil || onB == nil || bob == nil {
				t.Fatal("a login set no session cookie")
			}
			lists := make([][]session.Record, 2)
			for i, in := range []*instance{a, b} {
				us, ok := in.auth.SessionManager().Store().(session.UserSessions)
				if !ok {
					t.Fatalf("%T does not list a user's sessions", in.auth.SessionManager().Store())
				}
				recs, err := us.ListUserSessions(t.Context(), "1")
				if err != nil {
					t.Fatal(err)
				}
				lists[i] = recs
			}
			if len(lists[0]) != 2 || len(lists[1]) != 2 {
				t.Fatalf("listed %d and %d sessions; want the two logins on both", len(lists[0]), len(lists[1]))
			}
			for i := range lists[0] {
				if lists[0][i].Handle != lists[1][i].Handle {
					t.Errorf("the instances list different sessions: %v and %v", lists[0], lists[1])
				}
				if lists[0][i].Handle == onA.Value || lists[0][i].Handle == onB.Value {
					t.Errorf("a handle is the cookie")
				}
			}
			if err := a.auth.LogoutAll(t.Context(), "1"); err != nil {
				t.Fatal(err)
			}
			if _, err := issuer.Refresh(t.Context(), pair.RefreshToken); !errors.Is(err, jwt.ErrRefreshRevoked) {
				t.Errorf("the user's refresh token after LogoutAll: %v; want ErrRefreshRevoked", err)
			}
			for _, in := range []*instance{a, b} {
				for _, c := range []*http.Cookie{onA, onB} {
					if res, _ := in.send(t, http.MethodGet, "/me", c); res.StatusCode != http.StatusUnauthorized {
						t.Errorf("after LogoutAll, /me on %s: %d; want 401", in.srv.URL, res.StatusCode)
					}
				}
				if res, _ := in.send(t, http.MethodGet, "/me", bob); res.StatusCode != http.StatusOK {
					t.Errorf("another user after LogoutAll, /me on %s: %d; want 200", in.srv.URL, res.StatusCode)
				}
			}
		})
	}
}
