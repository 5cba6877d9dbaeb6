package passport_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
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
)

// capClock is a clock the stores and the manager of a test share, moved
// on between logins so that their Created times differ (sqlstore keeps
// seconds).
type capClock struct{ ns atomic.Int64 }

func newCapClock() *capClock {
	c := &capClock{}
	c.ns.Store(time.Now().UnixNano())
	return c
}

func (c *capClock) Now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *capClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

// syncBuffer is an audit log written by the server's goroutines and read
// by the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records returns the audit records whose event is event.
func (b *syncBuffer) records(t *testing.T, event string) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range bytes.Split(bytes.TrimSpace(b.buf.Bytes()), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		if rec["event"] == event {
			out = append(out, rec)
		}
	}
	return out
}

// capBackend opens the store of one test on a real engine, with the
// test's clock.
type capBackend struct {
	name string
	open func(t *testing.T, clock *capClock) sessions.Store
}

func capBackends() []capBackend {
	keys := [][]byte{bytes.Repeat([]byte{7}, 32)}
	return []capBackend{
		{name: "sqlite", open: func(t *testing.T, clock *capClock) sessions.Store {
			path := filepath.Join(t.TempDir(), "sessions.db")
			db := openPool(t, "sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
			return newSQLStore(t, db, sqlstore.Config{Keys: keys, Now: clock.Now})
		}},
		{name: "redis", open: func(t *testing.T, clock *capClock) sessions.Store {
			addr, prefix := testenv.RedisAddr(t), testenv.KeyPrefix(t)
			client := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
			t.Cleanup(func() { client.Close() })
			st, err := redisstore.New(client, redisstore.Config{Keys: keys, KeyPrefix: prefix, Now: clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			return st
		}},
	}
}

// newCapInstance is an instance of the app over store with the cap of
// cfg (MaxSessions, MaxSessionsPolicy), its audit records in the returned
// buffer.
func newCapInstance(t *testing.T, store sessions.Store, clock *capClock, cfg passport.Config[*user]) (*instance, *syncBuffer) {
	t.Helper()
	mgr, err := session.New(session.Config{Store: store, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	users := map[string]*user{"1": {ID: "1", Name: "Ada"}, "2": {ID: "2", Name: "Bob"}}
	audit := &syncBuffer{}
	cfg.Sessions = mgr
	cfg.Audit = slog.New(slog.NewJSONHandler(audit, nil))
	cfg.Logger = slog.New(slog.NewTextHandler(&syncBuffer{}, nil))
	cfg.Serialize = func(u *user) (string, error) { return u.ID, nil }
	cfg.Deserialize = func(_ context.Context, id string) (*user, error) {
		if u, ok := users[id]; ok {
			return u, nil
		}
		return nil, passport.ErrUserNotFound
	}
	in := &instance{}
	in.auth, err = passport.New(cfg)
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
	e.GET("/me", func(c echo.Context) error {
		u, _ := in.auth.User(c)
		return c.String(http.StatusOK, u.Name)
	}, in.auth.RequireLogin())
	in.srv = httptest.NewServer(e)
	t.Cleanup(in.srv.Close)
	return in, audit
}

// loginAs logs user in from a browser with no cookie, the clock a minute
// on, and returns the answer's status and session cookie.
func loginAs(t *testing.T, in *instance, clock *capClock, user string) (int, *http.Cookie) {
	t.Helper()
	clock.Advance(time.Minute)
	res, c := in.send(t, http.MethodPost, "/login", nil, "X-User", user)
	return res.StatusCode, c
}

func wantMe(t *testing.T, in *instance, cookie *http.Cookie, what string, want int) {
	t.Helper()
	if res, _ := in.send(t, http.MethodGet, "/me", cookie); res.StatusCode != want {
		t.Errorf("/me with %s: %d; want %d", what, res.StatusCode, want)
	}
}

func countSessions(t *testing.T, in *instance, user string) int {
	t.Helper()
	list, err := in.auth.SessionManager().Store().(session.UserSessions).ListUserSessions(t.Context(), user)
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// TestMaxSessions logs Ada in three times with MaxSessions 2, Bob once in
// between, on each real store: EndOldest ends Ada's first session (its
// cookie is anonymous, the other two logged in), RefuseNew refuses the
// third login (403, no cookie) and keeps the first two; a browser already
// logged in as Ada may log in again under RefuseNew (its session is
// replaced, not added); Bob's session is never touched.
func TestMaxSessions(t *testing.T) {
	for _, be := range capBackends() {
		for _, tc := range []struct {
			policy     passport.SessionCapPolicy
			third      int  // status of Ada's third login
			firstLives bool // whether Ada's first session survives
			ended      float64
			refused    bool
		}{
			{policy: passport.EndOldest, third: http.StatusNoContent, firstLives: false, ended: 1},
			{policy: passport.RefuseNew, third: http.StatusForbidden, firstLives: true, refused: true},
		} {
			t.Run(be.name+"/"+tc.policy.String(), func(t *testing.T) {
				clock := newCapClock()
				in, audit := newCapInstance(t, be.open(t, clock), clock, passport.Config[*user]{MaxSessions: 2, MaxSessionsPolicy: tc.policy})

				var ada [2]*http.Cookie
				for i := range ada {
					status, c := loginAs(t, in, clock, "1")
					if status != http.StatusNoContent || c == nil {
						t.Fatalf("login %d: %d, cookie %v; want 204 and a cookie", i+1, status, c)
					}
					ada[i] = c
				}
				status, bob := loginAs(t, in, clock, "2")
				if status != http.StatusNoContent || bob == nil {
					t.Fatalf("Bob's login: %d, cookie %v; want 204 and a cookie", status, bob)
				}
				if recs := audit.records(t, "session_cap"); len(recs) != 0 {
					t.Errorf("session_cap records under the cap: %v; want none", recs)
				}

				status, third := loginAs(t, in, clock, "1")
				if status != tc.third {
					t.Fatalf("third login: %d; want %d", status, tc.third)
				}
				if tc.third == http.StatusForbidden {
					if third != nil {
						t.Errorf("the refused login set the cookie %v", third)
					}
				} else {
					if third == nil {
						t.Fatal("the third login set no cookie")
					}
					wantMe(t, in, third, "the third login's cookie", http.StatusOK)
				}
				if tc.firstLives {
					wantMe(t, in, ada[0], "the first login's cookie", http.StatusOK)
				} else {
					wantMe(t, in, ada[0], "the first login's cookie", http.StatusUnauthorized)
				}
				wantMe(t, in, ada[1], "the second login's cookie", http.StatusOK)
				wantMe(t, in, bob, "Bob's cookie", http.StatusOK)
				if n := countSessions(t, in, "1"); n != 2 {
					t.Errorf("Ada has %d sessions; want 2", n)
				}
				if n := countSessions(t, in, "2"); n != 1 {
					t.Errorf("Bob has %d sessions; want 1", n)
				}
				recs := audit.records(t, "session_cap")
				if len(recs) != 1 {
					t.Fatalf("session_cap records: %v; want one", recs)
				}
				if r := recs[0]; r["user"] != "1" || r["policy"] != tc.policy.String() || r["ended"] != tc.ended || r["refused"] != tc.refused {
					t.Errorf("session_cap record %v; want user 1, policy %s, ended %v, refused %v", r, tc.policy, tc.ended, tc.refused)
				}

				// Logging in again from a browser already logged in as Ada
				// replaces its session: it is no new session.
				clock.Advance(time.Minute)
				res, again := in.send(t, http.MethodPost, "/login", ada[1], "X-User", "1")
				if res.StatusCode != http.StatusNoContent || again == nil {
					t.Fatalf("login again from a logged-in browser: %d, cookie %v; want 204 and a cookie", res.StatusCode, again)
				}
				wantMe(t, in, again, "the new cookie of the logged-in browser", http.StatusOK)
				wantMe(t, in, ada[1], "the replaced cookie", http.StatusUnauthorized)
				if n := countSessions(t, in, "1"); n != 2 {
					t.Errorf("after logging in again, Ada has %d sessions; want 2", n)
				}
				wantMe(t, in, bob, "Bob's cookie", http.StatusOK)
			})
		}
	}
}

// capFaultyStore is a real sqlstore whose ListUserSessions fails with err
// once failing is set: the store's fault at the cap's step only.
type capFaultyStore struct {
	*sqlstore.Store
	failing atomic.Bool
	err     error
}

func (s *capFaultyStore) ListUserSessions(ctx context.Context, user string) ([]session.Record, error) {
	if s.failing.Load() {
		return nil, s.err
	}
	return s.Store.ListUserSessions(ctx, user)
}

// TestMaxSessionsStoreFaults: a store that cannot list the user's
// sessions does not undo an EndOldest login (the cap is best effort,
// nothing is ended), and fails a RefuseNew login closed: 503 with
// Retry-After for a store that is down, 500 for another fault, no cookie
// either way.
func TestMaxSessionsStoreFaults(t *testing.T) {
	down := fmt.Errorf("sqlstore: listing sessions: %w: %w", strategy.ErrUnavailable, errors.New("connection refused"))
	for _, tc := range []struct {
		name      string
		policy    passport.SessionCapPolicy
		err       error
		status    int
		cookie    bool
		remaining int // Ada's sessions afterwards
	}{
		{name: "end oldest, down", policy: passport.EndOldest, err: down, status: http.StatusNoContent, cookie: true, remaining: 2},
		{name: "end oldest, fault", policy: passport.EndOldest, err: errors.New("disk I/O error"), status: http.StatusNoContent, cookie: true, remaining: 2},
		{name: "refuse new, down", policy: passport.RefuseNew, err: down, status: http.StatusServiceUnavailable, remaining: 1},
		{name: "refuse new, fault", policy: passport.RefuseNew, err: errors.New("disk I/O error"), status: http.StatusInternalServerError, remaining: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := newCapClock()
			path := filepath.Join(t.TempDir(), "sessions.db")
			db := openPool(t, "sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
			st := &capFaultyStore{Store: newSQLStore(t, db, sqlstore.Config{Keys: [][]byte{bytes.Repeat([]byte{5}, 32)}, Now: clock.Now}), err: tc.err}
			in, audit := newCapInstance(t, st, clock, passport.Config[*user]{MaxSessions: 1, MaxSessionsPolicy: tc.policy})
			status, first := loginAs(t, in, clock, "1")
			if status != http.StatusNoContent || first == nil {
				t.Fatalf("first login: %d, cookie %v; want 204 and a cookie", status, first)
			}
			st.failing.Store(true)
			clock.Advance(time.Minute)
			res, second := in.send(t, http.MethodPost, "/login", nil, "X-User", "1")
			st.failing.Store(false)
			if res.StatusCode != tc.status || (second != nil) != tc.cookie {
				t.Fatalf("login with the store failing: %d, cookie %v; want %d, cookie %v", res.StatusCode, second, tc.status, tc.cookie)
			}
			if tc.status == http.StatusServiceUnavailable && res.Header.Get("Retry-After") == "" {
				t.Error("the 503 has no Retry-After")
			}
			wantMe(t, in, first, "the first login's cookie", http.StatusOK)
			if tc.cookie {
				wantMe(t, in, second, "the second login's cookie", http.StatusOK)
			}
			if n := countSessions(t, in, "1"); n != tc.remaining {
				t.Errorf("Ada has %d sessions; want %d", n, tc.remaining)
			}
			if recs := audit.records(t, "session_cap"); len(recs) != 0 {
				t.Errorf("session_cap records after a fault: %v; want none", recs)
			}
		})
	}
}

// TestMaxSessionsRedisOutage: under RefuseNew, a login while the Redis of
// the sessions is down is a 503 with Retry-After and sets no cookie.
func TestMaxSessionsRedisOutage(t *testing.T) {
	r := testenv.StartRedis(t)
	client := redis.NewClient(&redis.Options{Addr: r.Addr, ContextTimeoutEnabled: true, MaxRetries: -1})
	t.Cleanup(func() { client.Close() })
	st, err := redisstore.New(client, redisstore.Config{Keys: [][]byte{bytes.Repeat([]byte{3}, 32)}, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	clock := newCapClock()
	in, _ := newCapInstance(t, st, clock, passport.Config[*user]{MaxSessions: 2, MaxSessionsPolicy: passport.RefuseNew})
	if status, c := loginAs(t, in, clock, "1"); status != http.StatusNoContent || c == nil {
		t.Fatalf("login: %d, cookie %v; want 204 and a cookie", status, c)
	}
	r.Stop()
	status, c := loginAs(t, in, clock, "1")
	if status != http.StatusServiceUnavailable || c != nil {
		t.Fatalf("login with Redis down: %d, cookie %v; want 503 and no cookie", status, c)
	}
}

// TestNewRefusesBadSessionCap: MaxSessions and MaxSessionsPolicy are
// checked by New.
func TestNewRefusesBadSessionCap(t *testing.T) {
	key := bytes.Repeat([]byte{1}, 32)
	cookies, err := session.NewCookieStore(key)
	if err != nil {
		t.Fatal(err)
	}
	cookieMgr, err := session.New(session.Config{Store: cookies})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "sessions.db")
	sqlMgr, err := session.New(session.Config{Store: newSQLStore(t, openPool(t, "sqlite", "file:"+path), sqlstore.Config{Keys: [][]byte{key}})})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		mgr    *session.Manager
		max    int
		policy passport.SessionCapPolicy
		field  string
	}{
		{name: "nok, MaxSessions negative", mgr: sqlMgr, max: -1, field: "Config.MaxSessions"},
		{name: "nok, MaxSessions on the cookie store", mgr: cookieMgr, max: 2, field: "Config.MaxSessions"},
		{name: "nok, MaxSessions without Sessions", max: 2, field: "Config.MaxSessions"},
		{name: "nok, MaxSessionsPolicy without MaxSessions", mgr: sqlMgr, policy: passport.RefuseNew, field: "Config.MaxSessionsPolicy"},
		{name: "nok, MaxSessionsPolicy unknown", mgr: sqlMgr, max: 2, policy: 7, field: "Config.MaxSessionsPolicy"},
		{name: "ok, zero means default (no cap)", mgr: cookieMgr},
		{name: "ok, zero policy means EndOldest", mgr: sqlMgr, max: 2},
		{name: "ok, RefuseNew", mgr: sqlMgr, max: 1, policy: passport.RefuseNew},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := passport.New(passport.Config[*user]{
				Sessions:          tc.mgr,
				Serialize:         func(u *user) (string, error) { return u.ID, nil },
				Deserialize:       func(context.Context, string) (*user, error) { return nil, passport.ErrUserNotFound },
				DisableAudit:      true,
				MaxSessions:       tc.max,
				MaxSessionsPolicy: tc.policy,
			})
			wantConfigError(t, err, tc.field)
		})
	}
}

// roundTrips counts the commands and pipelines a client sends: one round
// trip each.
type roundTrips struct{ n atomic.Int64 }

func (h *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { h.n.Add(1); return next(ctx, cmd) }
}
func (h *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { h.n.Add(1); return next(ctx, cmds) }
}

// TestMaxSessionsRoundTrips counts what the cap adds to a login on
// redisstore: listing the user's sessions is two round trips (the index,
// then the records in one pipeline), under either policy; ending a
// session beyond the cap three more (the index, the owner-checked delete,
// the index entry).
func TestMaxSessionsRoundTrips(t *testing.T) {
	addr := testenv.RedisAddr(t)
	loginTrips := func(t *testing.T, cfg passport.Config[*user], before int) int64 {
		t.Helper()
		client := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
		t.Cleanup(func() { client.Close() })
		hook := &roundTrips{}
		client.AddHook(hook)
		st, err := redisstore.New(client, redisstore.Config{Keys: [][]byte{bytes.Repeat([]byte{4}, 32)}, KeyPrefix: testenv.KeyPrefix(t)})
		if err != nil {
			t.Fatal(err)
		}
		clock := newCapClock()
		in, _ := newCapInstance(t, st, clock, cfg)
		for range before {
			if status, _ := loginAs(t, in, clock, "1"); status != http.StatusNoContent {
				t.Fatalf("login: %d", status)
			}
		}
		n := hook.n.Load()
		loginAs(t, in, clock, "1")
		return hook.n.Load() - n
	}
	base := loginTrips(t, passport.Config[*user]{}, 2)
	for _, tc := range []struct {
		name   string
		cfg    passport.Config[*user]
		before int // logins before the one counted
		add    int64
	}{
		{name: "end oldest, under the cap", cfg: passport.Config[*user]{MaxSessions: 3}, before: 2, add: 2},
		// The third login before ends one already, so the server has the
		// delete script: no NOSCRIPT fallback in the count.
		{name: "end oldest, one ended", cfg: passport.Config[*user]{MaxSessions: 2}, before: 3, add: 2 + 3},
		{name: "refuse new, under the cap", cfg: passport.Config[*user]{MaxSessions: 3, MaxSessionsPolicy: passport.RefuseNew}, before: 2, add: 2},
		{name: "refuse new, refused", cfg: passport.Config[*user]{MaxSessions: 2, MaxSessionsPolicy: passport.RefuseNew}, before: 2, add: 2 - base},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := loginTrips(t, tc.cfg, tc.before) - base; got != tc.add {
				t.Errorf("the cap adds %d round trips to a login of %d; want %d", got, base, tc.add)
			}
		})
	}
}

// BenchmarkLoginSessionCap is a login on redisstore by a user who has two
// sessions, without a cap and with MaxSessions 2 (each login ends the
// oldest).
func BenchmarkLoginSessionCap(b *testing.B) {
	addr := testenv.RedisAddr(b)
	for _, bc := range []struct {
		name string
		max  int
	}{{"nocap", 0}, {"endoldest", 2}} {
		b.Run(bc.name, func(b *testing.B) {
			client := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
			defer client.Close()
			st, err := redisstore.New(client, redisstore.Config{Keys: [][]byte{bytes.Repeat([]byte{4}, 32)}, KeyPrefix: testenv.KeyPrefix(b)})
			if err != nil {
				b.Fatal(err)
			}
			mgr, err := session.New(session.Config{Store: st})
			if err != nil {
				b.Fatal(err)
			}
			users := map[string]*user{"1": {ID: "1", Name: "Ada"}}
			auth, err := passport.New(passport.Config[*user]{
				Sessions: mgr, DisableAudit: true, MaxSessions: bc.max,
				Serialize:   func(u *user) (string, error) { return u.ID, nil },
				Deserialize: func(context.Context, string) (*user, error) { return users["1"], nil },
			})
			if err != nil {
				b.Fatal(err)
			}
			_ = auth.Use("header", (&fixture{users: users}).byHeader())
			e := echo.New()
			e.Use(auth.Session())
			e.POST("/login", auth.Authenticate("header").Middleware()(func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }))
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/login", nil)
				req.Header.Set("X-User", "1")
				rec := httptest.NewRecorder()
				e.ServeHTTP(rec, req)
				if rec.Code != http.StatusNoContent {
					b.Fatalf("login: %d", rec.Code)
				}
			}
			if bc.max == 0 { // the uncapped run leaves its sessions to their TTL; end them
				_, _ = st.DeleteUserSessions(context.Background(), "1", "")
			}
		})
	}
}
