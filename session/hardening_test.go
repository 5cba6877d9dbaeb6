package session_test

import (
	"bytes"
	"crypto/tls"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gorilla/sessions"

	"github.com/gopassport/passport/session"
)

// faultyStore is a real store that fails on demand: a fault injector, not a
// mock. failSave fails a save (after the inner store wrote its cookie, as a
// store that sets the cookie before writing its record would); failDelete
// fails a delete (a save with MaxAge < 0).
type faultyStore struct {
	sessions.Store
	failSave   atomic.Bool
	failDelete atomic.Bool
	failNew    atomic.Bool
}

func (s *faultyStore) New(r *http.Request, name string) (*sessions.Session, error) {
	if s.failNew.Load() {
		return nil, errInjected
	}
	return s.Store.New(r, name)
}

var errInjected = errors.New("injected store fault")

func (s *faultyStore) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	deleting := sess.Options != nil && sess.Options.MaxAge < 0
	if deleting && s.failDelete.Load() {
		return errInjected
	}
	if !deleting && s.failSave.Load() {
		_ = s.Store.Save(r, w, sess)
		return errInjected
	}
	return s.Store.Save(r, w, sess)
}

func newFaultyStore(t testing.TB) *faultyStore {
	t.Helper()
	inner, err := session.NewCookieStore(testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	return &faultyStore{Store: inner}
}

// serve runs fn on req through the manager and returns the response.
func serve(m *session.Manager, req *http.Request, fn func(s *session.Session)) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := session.FromContext(r.Context())
		fn(s)
	})).ServeHTTP(rec, req)
	return rec
}

func tlsRequest() *http.Request {
	req := httptest.NewRequest(http.MethodGet, "https://example.test/", nil)
	req.TLS = &tls.ConnectionState{}
	return req
}

func TestCookiePrefix(t *testing.T) {
	store, err := session.NewCookieStore(testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  session.Config
		tls  bool
		want string
	}{
		{"ok, plain HTTP: the bare name", session.Config{}, false, "passport"},
		{"ok, TLS: __Host-", session.Config{}, true, "__Host-passport"},
		{"ok, behind TLS (Secure): __Host- on plain HTTP", session.Config{Secure: true}, false, "__Host-passport"},
		{"ok, SameSite=None: always Secure, __Host-", session.Config{SameSite: http.SameSiteNoneMode}, false, "__Host-passport"},
		{"ok, TLS with a Domain: __Secure-", session.Config{Domain: "example.test"}, true, "__Secure-passport"},
		{"ok, TLS with a Path: __Secure-", session.Config{Path: "/app"}, true, "__Secure-passport"},
		{"ok, custom name over TLS", session.Config{Name: "sid"}, true, "__Host-sid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Store = store
			m, err := session.New(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if tt.tls {
				req = tlsRequest()
			}
			if got := m.NameFor(req); got != tt.want {
				t.Errorf("NameFor: got %q; want %q", got, tt.want)
			}
			rec := serve(m, req, func(s *session.Session) { s.Set("k", "v") })
			cs := rec.Result().Cookies()
			if len(cs) != 1 || cs[0].Name != tt.want {
				t.Fatalf("got cookies %v; want one named %q", cs, tt.want)
			}
			if strings.HasPrefix(tt.want, "__") && !cs[0].Secure {
				t.Errorf("got %v; want Secure", cs[0])
			}
			if strings.HasPrefix(tt.want, "__Host-") && (cs[0].Path != "/" || cs[0].Domain != "") {
				t.Errorf("got %v; want Path / and no Domain", cs[0])
			}
			// The cookie comes back under its name.
			next := httptest.NewRequest(http.MethodGet, "/", nil)
			if tt.tls {
				next = tlsRequest()
			}
			next.AddCookie(cs[0])
			var got string
			serve(m, next, func(s *session.Session) { got, _ = s.Get("k") })
			if got != "v" {
				t.Errorf("read back: got %q; want v", got)
			}
		})
	}

	t.Run("nok, over TLS a bare cookie is not read", func(t *testing.T) {
		m := newManager(t, session.Config{Store: store})
		rec := serve(m, httptest.NewRequest(http.MethodGet, "/", nil), func(s *session.Session) { s.Set("user", "carol") })
		planted := rec.Result().Cookies()[0] // a "passport" cookie, as a sibling host could set
		req := tlsRequest()
		req.AddCookie(planted)
		var user string
		var isNew bool
		serve(m, req, func(s *session.Session) { user, _ = s.Get("user"); isNew = s.IsNew() })
		if user != "" || !isNew {
			t.Errorf("got user %q, new %v; want no session", user, isNew)
		}
	})
}

func TestDuplicateCookiesAreNoSession(t *testing.T) {
	var logs bytes.Buffer
	m := newManager(t, session.Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	carol, _ := roundTrip(t, m, nil, func(s *session.Session) { s.Set("user", "carol") })
	alice, _ := roundTrip(t, m, nil, func(s *session.Session) { s.Set("user", "alice") })
	tests := []struct {
		name     string
		cookies  []*http.Cookie
		wantUser string
	}{
		{"ok, carol alone", []*http.Cookie{carol}, "carol"},
		{"ok, alice alone", []*http.Cookie{alice}, "alice"},
		{"nok, carol then alice", []*http.Cookie{carol, alice}, ""},
		{"nok, alice then carol", []*http.Cookie{alice, carol}, ""},
		{"nok, the same cookie twice", []*http.Cookie{alice, alice}, ""},
		{"nok, alice and an empty one", []*http.Cookie{alice, {Name: "passport", Value: ""}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs.Reset()
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			for _, c := range tt.cookies {
				req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
			}
			var user string
			var isNew bool
			rec := serve(m, req, func(s *session.Session) { user, _ = s.Get("user"); isNew = s.IsNew() })
			if user != tt.wantUser {
				t.Errorf("got user %q; want %q", user, tt.wantUser)
			}
			dup := len(tt.cookies) > 1
			if dup && !isNew {
				t.Error("got an existing session; want a new one")
			}
			if got := strings.Contains(logs.String(), "more than one session cookie"); got != dup {
				t.Errorf("warning logged = %v; want %v (%s)", got, dup, logs.String())
			}
			if dup && strings.Contains(logs.String(), alice.Value) {
				t.Error("the log holds a cookie value")
			}
			if c := rec.Result().Cookies(); len(c) != 0 {
				t.Errorf("got Set-Cookie %v; want none", c)
			}
		})
	}
}

func TestFailedSaveSendsNoCookie(t *testing.T) {
	tests := []struct {
		name   string
		before []string // Set-Cookie headers already on the response
	}{
		{"nok, no cookie before", nil},
		{"nok, another cookie before is kept", []string{"theme=dark; Path=/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := newFaultyStore(t)
			m := newManager(t, session.Config{Store: fs})
			fs.failSave.Store(true)
			rec := httptest.NewRecorder()
			for _, h := range tt.before {
				rec.Header().Add("Set-Cookie", h)
			}
			s := m.Bind(rec, httptest.NewRequest(http.MethodGet, "/", nil))
			s.Set("user", "1")
			if err := s.Save(); !errors.Is(err, errInjected) {
				t.Fatalf("got %v; want the injected fault", err)
			}
			if got := rec.Header().Values("Set-Cookie"); strings.Join(got, "|") != strings.Join(tt.before, "|") {
				t.Errorf("got Set-Cookie %q; want %q", got, tt.before)
			}
		})
	}
}

func TestRegenerateFailureChangesNothing(t *testing.T) {
	fs := newFaultyStore(t)
	m := newManager(t, session.Config{Store: fs})
	c, _ := roundTrip(t, m, nil, func(s *session.Session) { s.Set("k", "v") })
	fs.failDelete.Store(true)
	var id1, id2, k string
	var err error
	c2, _ := roundTrip(t, m, c, func(s *session.Session) {
		id1 = s.ID()
		err = s.Regenerate()
		id2, k = s.ID(), func() string { v, _ := s.Get("k"); return v }()
	})
	if !errors.Is(err, errInjected) {
		t.Fatalf("got %v; want the injected fault", err)
	}
	if id1 == "" || id1 != id2 || k != "v" {
		t.Errorf("got ID %q → %q, k %q; want the same ID and k=v", id1, id2, k)
	}
	if c2 != nil {
		t.Errorf("got Set-Cookie %v; want none (nothing changed)", c2)
	}
}

func TestDiscard(t *testing.T) {
	m := newManager(t, session.Config{})
	c, _ := roundTrip(t, m, nil, func(s *session.Session) { s.Set("k", "v") })
	t.Run("ok, nothing saved after Discard", func(t *testing.T) {
		got, _ := roundTrip(t, m, c, func(s *session.Session) {
			s.Set("user", "1")
			s.Discard()
			if v, ok := s.Get("user"); ok {
				t.Errorf("after Discard: got user %q", v)
			}
		})
		if got != nil {
			t.Errorf("got Set-Cookie %v; want none", got)
		}
		var k string
		roundTrip(t, m, c, func(s *session.Session) { k, _ = s.Get("k") })
		if k != "v" {
			t.Errorf("the stored session: got k %q; want v (Discard leaves it alone)", k)
		}
	})
	t.Run("ok, a change after Discard is a new session", func(t *testing.T) {
		got, _ := roundTrip(t, m, c, func(s *session.Session) {
			s.Set("user", "1")
			s.Discard()
			s.AddFlash("error", "later")
		})
		var user string
		var flashes []string
		roundTrip(t, m, got, func(s *session.Session) { user, _ = s.Get("user"); flashes = s.Flashes("error") })
		if user != "" || len(flashes) != 1 {
			t.Errorf("got user %q, flashes %q; want no user and the flash", user, flashes)
		}
	})
}

func TestCSRFSecret(t *testing.T) {
	m := newManager(t, session.Config{})
	var first, again []byte
	c, _ := roundTrip(t, m, nil, func(s *session.Session) {
		var err error
		if first, err = s.CSRFSecret(); err != nil {
			t.Fatal(err)
		}
		if !s.Changed() {
			t.Error("a new secret did not change the session")
		}
	})
	if c == nil || len(first) != 32 {
		t.Fatalf("got cookie %v, secret of %d bytes; want a cookie and 32 bytes", c, len(first))
	}
	c2, _ := roundTrip(t, m, c, func(s *session.Session) { again, _ = s.CSRFSecret() })
	if !bytes.Equal(first, again) || c2 != nil {
		t.Errorf("second request: same secret %v, cookie %v; want the same secret and no cookie", bytes.Equal(first, again), c2)
	}
	for _, tt := range []struct {
		name string
		fn   func(s *session.Session) error
	}{
		{"ok, Regenerate replaces it", func(s *session.Session) error { return s.Regenerate() }},
		{"ok, Destroy replaces it", func(s *session.Session) error { return s.Destroy() }},
		{"ok, Destroy keeping everything replaces it", func(s *session.Session) error { return s.Destroy("*", "_*") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var after []byte
			roundTrip(t, m, c, func(s *session.Session) {
				if err := tt.fn(s); err != nil {
					t.Fatal(err)
				}
				after, _ = s.CSRFSecret()
			})
			if len(after) != 32 || bytes.Equal(after, first) {
				t.Errorf("got the same secret after regeneration; want a new one")
			}
		})
	}
	t.Run("nok, a load fault is reported", func(t *testing.T) {
		fs := newFaultyStore(t)
		fs.failNew.Store(true)
		fm := newManager(t, session.Config{Store: fs})
		s := fm.Bind(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
		if _, err := s.CSRFSecret(); !errors.Is(err, errInjected) {
			t.Errorf("got %v; want the injected fault", err)
		}
	})
}
