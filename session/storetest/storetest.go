package storetest

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/sessions"

	"github.com/gopassport/passport/session"
)

// Config tells [RunWith] about the stores under test. The zero Config is
// what [Run] uses.
type Config struct {
	// Clock is the clock the factory's stores read (their Config.Now).
	// The kit's managers read it too and move it forward, so the lifetime
	// subtest follows a session over hours in no time. Optional. Default
	// none: managers and stores read time.Now, and the lifetime subtest
	// checks only a fresh session's expiry.
	Clock *Clock
	// Expires returns when store's record of the session with the given ID
	// expires, as the store will enforce it, and false when there is none.
	// Optional. Default: the Expires of the session's [session.Record],
	// when the store implements [session.UserSessions]; without either the
	// lifetime subtest is skipped.
	Expires func(t *testing.T, store sessions.Store, id string) (time.Time, bool)
	// Concurrency is how many requests save one session at once in the
	// concurrent-saves subtest. Optional. Default 8.
	Concurrency int
}

// Run runs the kit's subtests on the stores newStore makes (one per
// subtest, empty, sharing nothing), with the zero [Config].
func Run(t *testing.T, newStore func(t *testing.T) sessions.Store) {
	t.Helper()
	RunWith(t, newStore, Config{})
}

// RunWith runs the kit's subtests on the stores newStore makes, as cfg
// says. Each subtest drives a [session.Manager] over a fresh store through
// its net/http middleware, as an app does.
func RunWith(t *testing.T, newStore func(t *testing.T) sessions.Store, cfg Config) {
	t.Helper()
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 8
	}
	k := &kit{newStore: newStore, cfg: cfg}
	t.Run("FreshIDs", k.freshIDs)
	t.Run("RegenerateEndsTheOldSession", k.regenerate)
	t.Run("NoResurrection", k.noResurrection)
	t.Run("Lifetimes", k.lifetimes)
	t.Run("ConcurrentSaves", k.concurrentSaves)
	t.Run("UserSessions", k.userSessions)
}

// Clock is a settable time source for a store's Config.Now and the kit's
// managers. It is safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock at a fixed time in the future of the tests'
// writing, whole seconds, as the manager's timestamps are.
func NewClock() *Clock { return &Clock{now: time.Unix(1_800_000_000, 0)} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Timeouts of the kit's managers.
const (
	idleTimeout     = 10 * time.Minute
	absoluteTimeout = time.Hour
)

type kit struct {
	newStore func(t *testing.T) sessions.Store
	cfg      Config
}

// env is one subtest's store, manager and app.
type env struct {
	t     *testing.T
	store sessions.Store
	mgr   *session.Manager
	app   http.Handler
	now   func() time.Time
}

func (k *kit) env(t *testing.T) *env {
	t.Helper()
	store := k.newStore(t)
	if store == nil {
		t.Fatal("storetest: the factory returned a nil store")
	}
	mcfg := session.Config{
		Store:           store,
		IdleTimeout:     idleTimeout,
		AbsoluteTimeout: absoluteTimeout,
		Logger:          slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	now := time.Now
	if k.cfg.Clock != nil {
		mcfg.Now = k.cfg.Clock.Now
		now = k.cfg.Clock.Now
	}
	mgr, err := session.New(mcfg)
	if err != nil {
		t.Fatalf("storetest: session.New: %v", err)
	}
	return &env{t: t, store: store, mgr: mgr, app: mgr.Middleware(app()), now: now}
}

// app is what the kit drives through the manager. Every page prints the
// session's ID after its own answer ("answer id"), so that the kit can
// tell which record a request used; a fault is a 500.
//
//	/login?user=  regenerates the session and stores the user
//	/logout       destroys the session
//	/set?k=&v=    stores v under k
//	/get?k=       prints the value under k, or <none>
func app() http.Handler {
	mux := http.NewServeMux()
	handle := func(path string, f func(r *http.Request, s *session.Session) (string, error)) {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			s, ok := session.FromContext(r.Context())
			if !ok {
				http.Error(w, "no session", http.StatusInternalServerError)
				return
			}
			if err := s.Load(); err != nil {
				http.Error(w, "fault: "+err.Error(), http.StatusInternalServerError)
				return
			}
			answer, err := f(r, s)
			if err == nil {
				err = s.Save()
			}
			if err != nil {
				http.Error(w, "fault: "+err.Error(), http.StatusInternalServerError)
				return
			}
			fmt.Fprintf(w, "%s %s", answer, s.ID())
		})
	}
	handle("/login", func(r *http.Request, s *session.Session) (string, error) {
		if err := s.Regenerate(); err != nil {
			return "", err
		}
		s.Set(session.UserKey, r.FormValue("user"))
		return "ok", nil
	})
	handle("/logout", func(r *http.Request, s *session.Session) (string, error) {
		return "ok", s.Destroy()
	})
	handle("/set", func(r *http.Request, s *session.Session) (string, error) {
		s.Set(r.FormValue("k"), r.FormValue("v"))
		return "ok", nil
	})
	handle("/get", func(r *http.Request, s *session.Session) (string, error) {
		v, ok := s.Get(r.FormValue("k"))
		if !ok {
			v = "<none>"
		}
		return v, nil
	})
	return mux
}

// result is one response of the app.
type result struct {
	code   int
	answer string
	id     string       // the session's ID after the request, "" if none
	cookie *http.Cookie // the session cookie it set, if any
}

// do sends a GET for target with the given cookie (nil: none) and
// User-Agent ("" for none).
func (e *env) do(target string, c *http.Cookie, userAgent string) result {
	e.t.Helper()
	r := httptest.NewRequestWithContext(e.t.Context(), http.MethodGet, target, nil)
	if c != nil {
		r.AddCookie(c)
	}
	if userAgent != "" {
		r.Header.Set("User-Agent", userAgent)
	}
	w := httptest.NewRecorder()
	e.app.ServeHTTP(w, r)
	res := result{code: w.Code}
	body := strings.TrimSpace(w.Body.String())
	res.answer, res.id, _ = strings.Cut(body, " ")
	for _, ck := range w.Result().Cookies() {
		if ck.Name == e.mgr.Name() {
			res.cookie = ck
		}
	}
	return res
}

// ok is do for a request that must succeed.
func (e *env) ok(target string, c *http.Cookie, userAgent string) result {
	e.t.Helper()
	res := e.do(target, c, userAgent)
	if res.code != http.StatusOK {
		e.t.Fatalf("%s: got status %d (%s); want %d", target, res.code, res.answer, http.StatusOK)
	}
	return res
}

// login logs user in on a fresh visitor and returns the cookie and ID.
func (e *env) login(user, userAgent string) (*http.Cookie, string) {
	e.t.Helper()
	res := e.ok("/login?user="+url.QueryEscape(user), nil, userAgent)
	if res.cookie == nil || res.id == "" {
		e.t.Fatalf("/login: got cookie %v, ID set %v; want both", res.cookie, res.id != "")
	}
	return res.cookie, res.id
}

// user returns who the cookie's session says is logged in, or <none>.
func (e *env) user(c *http.Cookie) string {
	e.t.Helper()
	return e.ok("/get?k="+url.QueryEscape(session.UserKey), c, "").answer
}
