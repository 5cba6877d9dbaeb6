package redisstore_test

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/internal/testenv"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/redisstore"
	"github.com/gopassport/passport/strategy"
)

const outageTimeout = 200 * time.Millisecond

// outageEnv is a store on a server of the test's own, a manager over it,
// and an app that answers a store outage 503 as passport's root does.
type outageEnv struct {
	t      *testing.T
	redis  *testenv.Redis
	client *redis.Client
	store  *redisstore.Store
	app    http.Handler
	errs   chan error // the Load error of each request, nil when none
}

func newOutageEnv(t *testing.T) *outageEnv {
	t.Helper()
	r := testenv.StartRedis(t)
	// An app's client: go-redis's defaults (retries included), with
	// context deadlines honoured as New requires.
	client := redis.NewClient(&redis.Options{Addr: r.Addr, ContextTimeoutEnabled: true})
	t.Cleanup(func() { client.Close() })
	st, err := redisstore.New(client, redisstore.Config{Keys: [][]byte{newKey(t)}, Timeout: outageTimeout})
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := session.New(session.Config{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	e := &outageEnv{t: t, redis: r, client: client, store: st, errs: make(chan error, 1)}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s, _ := session.FromContext(r.Context())
		err := s.Load()
		e.errs <- err
		if user := r.FormValue("login"); user != "" && err == nil {
			if err := s.Regenerate(); err != nil {
				http.Error(w, "fault", http.StatusInternalServerError)
				return
			}
			s.Set(session.UserKey, user)
			s.Set("theme", "dark")
		}
		// A careless handler writes to the session whatever Load said:
		// the manager must not save it (nor clear the cookie).
		s.Set("visited", "yes")
		if errors.Is(err, strategy.ErrUnavailable) {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		if err != nil {
			http.Error(w, "fault", http.StatusInternalServerError)
			return
		}
		u, _ := s.Get(session.UserKey)
		theme, _ := s.Get("theme")
		fmt.Fprintf(w, "%s %s", u, theme)
	})
	e.app = mgr.Middleware(mux)
	return e
}

// do sends a request with c and returns the response, the Load error and
// how long it took.
func (e *outageEnv) do(target string, c *http.Cookie) (*httptest.ResponseRecorder, error, time.Duration) {
	e.t.Helper()
	r := httptest.NewRequestWithContext(e.t.Context(), http.MethodGet, target, nil)
	if c != nil {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	start := time.Now()
	e.app.ServeHTTP(w, r)
	took := time.Since(start)
	return w, <-e.errs, took
}

func (e *outageEnv) login(user string) *http.Cookie {
	e.t.Helper()
	w, err, _ := e.do("/?login="+url.QueryEscape(user), nil)
	if err != nil || w.Code != http.StatusOK {
		e.t.Fatalf("login: got status %d, error %v; want 200", w.Code, err)
	}
	c := cookieOf(w.Header(), "passport")
	if c == nil {
		e.t.Fatal("login: got no cookie; want one")
	}
	return c
}

// wantUnavailable checks the answer to a request during an outage.
func (e *outageEnv) wantUnavailable(w *httptest.ResponseRecorder, err error, took time.Duration) {
	e.t.Helper()
	if !errors.Is(err, strategy.ErrUnavailable) {
		e.t.Errorf("got Load error %v; want one wrapping strategy.ErrUnavailable", err)
	}
	if w.Code != http.StatusServiceUnavailable {
		e.t.Errorf("got status %d; want %d", w.Code, http.StatusServiceUnavailable)
	}
	if got := w.Header().Values("Set-Cookie"); len(got) != 0 {
		e.t.Errorf("got Set-Cookie %q; want none (the cookie must stay as it is)", got)
	}
	if limit := outageTimeout + 100*time.Millisecond; took > limit {
		e.t.Errorf("took %v; want at most Timeout+100ms = %v", took, limit)
	}
}

func (e *outageEnv) wantUser(c *http.Cookie, want string) {
	e.t.Helper()
	w, err, _ := e.do("/", c)
	if err != nil || w.Code != http.StatusOK || w.Body.String() != want {
		e.t.Errorf("got status %d, error %v, body %q; want 200 %q", w.Code, err, w.Body.String(), want)
	}
}

func TestOutage(t *testing.T) {
	tests := []struct {
		name    string
		outage  func(r *testenv.Redis)
		recover func(r *testenv.Redis)
	}{
		{name: "nok, server stopped", outage: (*testenv.Redis).Stop},
		{name: "nok, server paused", outage: (*testenv.Redis).Pause, recover: (*testenv.Redis).Resume},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newOutageEnv(t)
			c := e.login("alice")
			tt.outage(e.redis)

			w, err, took := e.do("/", c)
			e.wantUnavailable(w, err, took)

			// The store's other calls say the same, as fast.
			ctx := t.Context()
			start := time.Now()
			_, lerr := e.store.ListUserSessions(ctx, "alice")
			_, derr := e.store.DeleteUserSessions(ctx, "alice", "")
			r := httptest.NewRequestWithContext(ctx, http.MethodGet, "/", nil)
			rec := httptest.NewRecorder()
			sess, _ := e.store.New(r, "passport")
			sess.Values["k"] = "v"
			serr := e.store.Save(r, rec, sess)
			for _, err := range []error{lerr, derr, serr} {
				if !errors.Is(err, strategy.ErrUnavailable) {
					t.Errorf("got %v; want an error wrapping strategy.ErrUnavailable", err)
				}
			}
			if got := rec.Header().Values("Set-Cookie"); len(got) != 0 {
				t.Errorf("got Set-Cookie %q from a failed save; want none", got)
			}
			if took, limit := time.Since(start), 3*(outageTimeout+100*time.Millisecond); took > limit {
				t.Errorf("three calls took %v; want at most %v", took, limit)
			}

			if tt.recover != nil {
				tt.recover(e.redis)
				e.wantUser(c, "alice dark")
			}
		})
	}
}

func TestRestart(t *testing.T) {
	e := newOutageEnv(t)
	c := e.login("alice")
	e.redis.Restart(true)
	// The same cookie, the same values; the save after the visit runs the
	// script on a server whose script cache is empty (NOSCRIPT, then EVAL).
	e.wantUser(c, "alice dark")
	records, err := e.store.ListUserSessions(t.Context(), "alice")
	if err != nil || len(records) != 1 {
		t.Errorf("got %d records, error %v; want alice's one session", len(records), err)
	}
	n, err := e.store.DeleteUserSessions(t.Context(), "alice", "")
	if err != nil || n != 1 {
		t.Errorf("got %d ended, error %v; want 1", n, err)
	}
	e.wantUser(c, " ")

	c = e.login("bob")
	e.redis.Restart(false)
	e.wantUser(c, " ") // the data is gone: an anonymous visitor, no error
}
