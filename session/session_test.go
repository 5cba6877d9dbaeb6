package session_test

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/sessions"

	"github.com/gopassport/passport/session"
)

func testKey(b byte) []byte { return bytes.Repeat([]byte{b}, 32) }

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newManager(t testing.TB, cfg session.Config) *session.Manager {
	t.Helper()
	if cfg.Store == nil {
		store, err := session.NewCookieStore(testKey(1))
		if err != nil {
			t.Fatal(err)
		}
		cfg.Store = store
	}
	m, err := session.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// roundTrip runs fn on a request carrying cookie (if any) and returns the
// response's session cookie (nil when none was set).
func roundTrip(t testing.TB, m *session.Manager, cookie *http.Cookie, fn func(s *session.Session)) (*http.Cookie, *httptest.ResponseRecorder) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	rec := httptest.NewRecorder()
	m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, ok := session.FromContext(r.Context())
		if !ok {
			t.Fatal("no session in the context")
		}
		fn(s)
	})).ServeHTTP(rec, req)
	// The last Set-Cookie of a name wins, as in browsers.
	var last *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == m.Name() {
			last = c
		}
	}
	return last, rec
}

func TestCookieDefaults(t *testing.T) {
	m := newManager(t, session.Config{})
	c, _ := roundTrip(t, m, nil, func(s *session.Session) { s.Set("k", "v") })
	if c == nil {
		t.Fatal("no cookie")
	}
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure || c.MaxAge != 86400 {
		t.Errorf("got %+v; want HttpOnly, Lax, Path /, not Secure over plain HTTP, 24h", c)
	}
	// Over TLS the cookie is Secure.
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.TLS = &tls.ConnectionState{}
	rec := httptest.NewRecorder()
	s := m.Bind(rec, req)
	s.Set("k", "v")
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	if got := rec.Result().Cookies()[0]; !got.Secure {
		t.Errorf("over TLS: got %+v; want Secure", got)
	}
}

func TestHostPrefix(t *testing.T) {
	m := newManager(t, session.Config{HostPrefix: true, Name: "sid"})
	c, _ := roundTrip(t, m, nil, func(s *session.Session) { s.Set("k", "v") })
	if c == nil || c.Name != "__Host-sid" || !c.Secure || c.Path != "/" || c.Domain != "" {
		t.Errorf("got %+v; want __Host-sid, Secure, Path /, no Domain", c)
	}
	store, _ := session.NewCookieStore(testKey(1))
	if _, err := session.New(session.Config{Store: store, HostPrefix: true, Domain: "example.test"}); err == nil {
		t.Error("__Host- with a Domain: got no error")
	}
}

func TestNewCookieStoreKeys(t *testing.T) {
	tests := []struct {
		name    string
		keys    [][]byte
		wantErr bool
	}{
		{"nok, no key", nil, true},
		{"nok, short key", [][]byte{[]byte("short")}, true},
		{"nok, second key short", [][]byte{testKey(1), make([]byte, 16)}, true},
		{"ok, 32 bytes", [][]byte{testKey(1)}, false},
		{"ok, 64 bytes", [][]byte{bytes.Repeat([]byte{2}, 64)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := session.NewCookieStore(tt.keys...)
			if (err != nil) != tt.wantErr {
				t.Errorf("got err %v; want error %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, session.ErrKeyTooShort) {
				t.Errorf("got %v; want ErrKeyTooShort", err)
			}
		})
	}
}

func TestKeyRotation(t *testing.T) {
	oldStore, _ := session.NewCookieStore(testKey(1))
	old := newManager(t, session.Config{Store: oldStore})
	c, _ := roundTrip(t, old, nil, func(s *session.Session) { s.Set("k", "v") })

	rotated, _ := session.NewCookieStore(testKey(2), testKey(1))
	m := newManager(t, session.Config{Store: rotated})
	var got string
	roundTrip(t, m, c, func(s *session.Session) { got, _ = s.Get("k") })
	if got != "v" {
		t.Errorf("old cookie after rotation: got %q; want v", got)
	}
	// New cookies are sealed with the new key: the old-key-only store cannot read them.
	c2, _ := roundTrip(t, m, nil, func(s *session.Session) { s.Set("k", "new") })
	got = ""
	roundTrip(t, old, c2, func(s *session.Session) { got, _ = s.Get("k") })
	if got != "" {
		t.Errorf("new cookie under the retired key alone: got %q; want nothing", got)
	}
}

func TestSavedOnlyWhenChanged(t *testing.T) {
	m := newManager(t, session.Config{})
	c, _ := roundTrip(t, m, nil, func(s *session.Session) { s.Set("k", "v") })
	tests := []struct {
		name string
		fn   func(s *session.Session)
		want bool
	}{
		{"ok, read only", func(s *session.Session) { s.Get("k") }, false},
		{"ok, same value", func(s *session.Session) { s.Set("k", "v") }, false},
		{"ok, untouched", func(s *session.Session) {}, false},
		{"ok, new value", func(s *session.Session) { s.Set("k", "w") }, true},
		{"ok, flash", func(s *session.Session) { s.AddFlash("info", "hi") }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := roundTrip(t, m, c, tt.fn)
			if (got != nil) != tt.want {
				t.Errorf("Set-Cookie sent = %v; want %v", got != nil, tt.want)
			}
		})
	}
	// An anonymous visitor who stores nothing gets no cookie.
	if got, _ := roundTrip(t, m, nil, func(s *session.Session) { s.Get("k"); s.Flashes("error") }); got != nil {
		t.Errorf("anonymous read: got a cookie %v", got)
	}
}

func TestFlashes(t *testing.T) {
	m := newManager(t, session.Config{})
	c, _ := roundTrip(t, m, nil, func(s *session.Session) {
		s.AddFlash("error", "one")
		s.AddFlash("error", "two")
		s.AddFlash("info", "three")
	})
	var errs, infos []string
	c2, _ := roundTrip(t, m, c, func(s *session.Session) { errs = s.Flashes("error"); infos = s.Flashes("info") })
	if !reflect.DeepEqual(errs, []string{"one", "two"}) || !reflect.DeepEqual(infos, []string{"three"}) {
		t.Errorf("got %q %q; want [one two] [three]", errs, infos)
	}
	roundTrip(t, m, c2, func(s *session.Session) { errs = s.Flashes("error") })
	if errs != nil {
		t.Errorf("flashes shown twice: %q", errs)
	}
}

func TestTimeouts(t *testing.T) {
	clk := &clock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	m := newManager(t, session.Config{IdleTimeout: 30 * time.Minute, AbsoluteTimeout: 8 * time.Hour, Now: clk.now})
	start := clk.t
	fresh := func() *http.Cookie {
		clk.t = start
		c, _ := roundTrip(t, m, nil, func(s *session.Session) { s.Set("user", "1") })
		return c
	}
	tests := []struct {
		name  string
		steps []time.Duration // request times after start, each refreshing the cookie
		want  string
	}{
		{"ok, within idle", []time.Duration{29 * time.Minute}, "1"},
		{"nok, idle exceeded", []time.Duration{31 * time.Minute}, ""},
		{"ok, active keeps it alive", []time.Duration{20 * time.Minute, 40 * time.Minute, 60 * time.Minute}, "1"},
		{"nok, absolute exceeded however active", func() []time.Duration {
			var d []time.Duration
			for i := time.Duration(1); i <= 17; i++ {
				d = append(d, i*29*time.Minute)
			}
			return d
		}(), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fresh()
			var got string
			for _, at := range tt.steps {
				clk.t = start.Add(at)
				nc, _ := roundTrip(t, m, c, func(s *session.Session) { got, _ = s.Get("user") })
				if nc != nil {
					c = nc
				}
			}
			if got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

func TestRegenerateAndDestroy(t *testing.T) {
	m := newManager(t, session.Config{})
	var id1, id2 string
	c, _ := roundTrip(t, m, nil, func(s *session.Session) { s.Set("k", "v") })
	c2, _ := roundTrip(t, m, c, func(s *session.Session) {
		id1 = s.ID()
		if err := s.Regenerate(); err != nil {
			t.Fatal(err)
		}
	})
	roundTrip(t, m, c2, func(s *session.Session) {
		id2 = s.ID()
		if v, _ := s.Get("k"); v != "v" {
			t.Errorf("Regenerate lost a value: got %q", v)
		}
	})
	if id1 == "" || id1 == id2 {
		t.Errorf("IDs %q → %q; want a new one", id1, id2)
	}
	c3, _ := roundTrip(t, m, c2, func(s *session.Session) {
		s.AddFlash("info", "bye")
		if err := s.Destroy(session.FlashKeys); err != nil {
			t.Fatal(err)
		}
	})
	roundTrip(t, m, c3, func(s *session.Session) {
		if v, ok := s.Get("k"); ok {
			t.Errorf("Destroy kept %q", v)
		}
		if f := s.Flashes("info"); len(f) != 1 {
			t.Errorf("Destroy dropped the flash: %q", f)
		}
	})
	// Destroy with nothing kept expires the cookie.
	c4, _ := roundTrip(t, m, c2, func(s *session.Session) { _ = s.Destroy() })
	if c4 == nil || c4.MaxAge >= 0 {
		t.Errorf("Destroy: got %v; want an expired cookie", c4)
	}
}

func TestCookieTooLarge(t *testing.T) {
	m := newManager(t, session.Config{})
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	s := m.Bind(httptest.NewRecorder(), req)
	s.Set("big", strings.Repeat("x", 5000))
	if err := s.Save(); !errors.Is(err, session.ErrCookieTooLarge) {
		t.Errorf("got %v; want ErrCookieTooLarge", err)
	}
}

func TestValuesRoundTrip(t *testing.T) {
	in := map[any]any{
		"s": "str", "b": []byte{0, 1}, "t": true, "f": false, "n": 42, "i": int64(-7), "d": 1.5,
		"l": []string{"a", ""}, "a": []any{"x", "y"}, "": "",
	}
	data, err := session.EncodeValues(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := session.DecodeValues(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Errorf("got %#v; want %#v", out, in)
	}
	for _, bad := range []map[any]any{{1: "int key"}, {"k": struct{}{}}, {"k": []any{1}}} {
		if _, err := session.EncodeValues(bad); !errors.Is(err, session.ErrUnsupportedValue) {
			t.Errorf("EncodeValues(%v): got %v; want ErrUnsupportedValue", bad, err)
		}
	}
}

func FuzzDecodeValues(f *testing.F) {
	seed, _ := session.EncodeValues(map[any]any{"passport.user": "42", "_flash.error": []string{"x"}, "_created": int64(1)})
	f.Add(seed)
	f.Add([]byte{1, 255, 255, 255, 255, 15})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := session.DecodeValues(data)
		if err != nil {
			return
		}
		again, err := session.EncodeValues(v)
		if err != nil {
			t.Fatalf("decoded values do not encode: %v", err)
		}
		v2, err := session.DecodeValues(again)
		if err != nil || len(v) != len(v2) {
			t.Fatalf("round trip changed %#v into %#v (%v)", v, v2, err)
		}
		for k, x := range v {
			// %#v, not DeepEqual: NaN is a value the codec must keep too.
			if fmt.Sprintf("%#v", x) != fmt.Sprintf("%#v", v2[k]) {
				t.Fatalf("round trip changed %q: %#v into %#v", k, x, v2[k])
			}
		}
	})
}

func FuzzOpenCookie(f *testing.F) {
	codec, err := session.NewCodec(testKey(1))
	if err != nil {
		f.Fatal(err)
	}
	good, _ := codec.Seal("passport", []byte("hello"))
	f.Add("passport", good)
	f.Add("passport", "")
	f.Add("other", good)
	f.Add("passport", good[:len(good)-2])
	f.Fuzz(func(t *testing.T, name, value string) {
		data, err := codec.Open(name, value, time.Hour)
		if err != nil {
			if !errors.Is(err, session.ErrInvalidCookie) {
				t.Fatalf("got %v; want ErrInvalidCookie", err)
			}
			return
		}
		// Only values this key sealed open: the seed's, or one sealed in an
		// earlier run with the same test key (kept in the corpus), and all
		// of them sealed "hello" under the name "passport". AES-GCM
		// forgeries are not found by a fuzzer.
		if name != "passport" || string(data) != "hello" {
			t.Fatalf("forged value opened: %q %q → %q", name, value, data)
		}
	})
}

func BenchmarkCodecOpen(b *testing.B) {
	codec, _ := session.NewCodec(testKey(1))
	data, _ := session.EncodeValues(map[any]any{"passport.user": "42", "_created": int64(1), "_seen": int64(1)})
	v, _ := codec.Seal("passport", data)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := codec.Open("passport", v, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEmptiedThenRefilled: a session emptied and saved is deleted; what the
// same request adds afterwards lands in a new session, not lost.
func TestEmptiedThenRefilled(t *testing.T) {
	m := newManager(t, session.Config{})
	c, _ := roundTrip(t, m, nil, func(s *session.Session) { s.Set("k", "v") })
	c2, _ := roundTrip(t, m, c, func(s *session.Session) {
		s.Delete("k")
		if err := s.Save(); err != nil {
			t.Fatal(err)
		}
		s.AddFlash("error", "still here")
		if err := s.Save(); err != nil {
			t.Fatal(err)
		}
	})
	var got []string
	roundTrip(t, m, c2, func(s *session.Session) { got = s.Flashes("error") })
	if len(got) != 1 || got[0] != "still here" {
		t.Errorf("got %q; want the flash added after the session was emptied", got)
	}
}

// TestOneSpellingPerCookie: a sealed value has exactly one spelling. A
// changed last character that touches only base64's unused bits, or a line
// break inside, does not open.
func TestOneSpellingPerCookie(t *testing.T) {
	codec, err := session.NewCodec(testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	for n := range 6 {
		good, err := codec.Seal("passport", bytes.Repeat([]byte("x"), n))
		if err != nil {
			t.Fatal(err)
		}
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
		for _, c := range alphabet {
			if byte(c) == good[len(good)-1] {
				continue
			}
			bad := good[:len(good)-1] + string(c)
			if _, err := codec.Open("passport", bad, 0); err == nil {
				t.Errorf("len %d: changed last character %q → %q opened", n, good[len(good)-1], c)
			}
		}
		if _, err := codec.Open("passport", good[:10]+"\n"+good[10:], 0); err == nil {
			t.Errorf("len %d: a line break inside opened", n)
		}
	}
}

// TestExpiresAt reads a session's end from the Manager's timestamps.
func TestExpiresAt(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	vals := func(created, seen time.Time) map[any]any {
		return map[any]any{"_created": created.Unix(), "_seen": seen.Unix()}
	}
	tests := []struct {
		name           string
		values         map[any]any
		idle, absolute time.Duration
		want           time.Time
		ok             bool
	}{
		{"ok, absolute only", vals(t0, t0.Add(time.Hour)), 0, 24 * time.Hour, t0.Add(24 * time.Hour), true},
		{"ok, idle first", vals(t0, t0.Add(time.Hour)), 30 * time.Minute, 24 * time.Hour, t0.Add(90 * time.Minute), true},
		{"ok, absolute first", vals(t0, t0.Add(23*time.Hour+50*time.Minute)), 30 * time.Minute, 24 * time.Hour, t0.Add(24 * time.Hour), true},
		{"nok, no timestamps", map[any]any{"x": "y"}, 0, time.Hour, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := session.ExpiresAt(tt.values, tt.idle, tt.absolute)
			if ok != tt.ok || !got.Equal(tt.want) {
				t.Errorf("ExpiresAt = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
	if h := session.Handle("some-session-id"); len(h) != 22 || h == session.Handle("other-id") {
		t.Errorf("Handle = %q; want 22 base64url characters, distinct per ID", h)
	}
}

// lifetimeStore records what the Manager told it.
type lifetimeStore struct {
	sessions.Store
	idle, absolute time.Duration
}

func (s *lifetimeStore) SetLifetimes(idle, absolute time.Duration) {
	s.idle, s.absolute = idle, absolute
}

// TestNewTellsTheStoreItsLifetimes checks that New hands a server-side
// store the Manager's timeouts, the defaults filled in.
func TestNewTellsTheStoreItsLifetimes(t *testing.T) {
	cs, err := session.NewCookieStore(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	st := &lifetimeStore{Store: cs}
	if _, err := session.New(session.Config{Store: st, IdleTimeout: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if st.idle != time.Hour || st.absolute <= time.Hour {
		t.Errorf("SetLifetimes(%v, %v); want the idle hour and the default absolute timeout", st.idle, st.absolute)
	}
}

// TestTouchInterval: a read-only request re-saves the session only once
// the last activity is TouchInterval old; the setting is validated.
func TestTouchInterval(t *testing.T) {
	clk := &clock{t: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)}
	tests := []struct {
		name  string
		touch time.Duration
		after time.Duration
		saves bool
	}{
		{"ok, default: a minute", 0, 61 * time.Second, true},
		{"ok, default: not before a minute", 0, 59 * time.Second, false},
		{"ok, 5 minutes: not after 2", 5 * time.Minute, 2 * time.Minute, false},
		{"ok, 5 minutes: after 5", 5 * time.Minute, 5*time.Minute + time.Second, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk.t = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
			m := newManager(t, session.Config{IdleTimeout: time.Hour, TouchInterval: tt.touch, Now: clk.now})
			c, _ := roundTrip(t, m, nil, func(s *session.Session) { s.Set("user", "1") })
			clk.t = clk.t.Add(tt.after)
			nc, _ := roundTrip(t, m, c, func(s *session.Session) { _, _ = s.Get("user") })
			if (nc != nil) != tt.saves {
				t.Errorf("re-saved: %v; want %v", nc != nil, tt.saves)
			}
		})
	}
	for _, bad := range []time.Duration{-time.Second, 31 * time.Minute} {
		cs, _ := session.NewCookieStore(testKey(1))
		if _, err := session.New(session.Config{Store: cs, IdleTimeout: time.Hour, TouchInterval: bad}); !errors.Is(err, session.ErrInvalidConfig) {
			t.Errorf("TouchInterval %v: %v; want ErrInvalidConfig", bad, err)
		}
	}
}

// countingWatcher counts the changes it hears of.
type countingWatcher struct{ n int }

func (w *countingWatcher) SessionChanged(*session.Session) { w.n++ }

// TestOnChange: the watcher hears of the first change only, at once when
// the session already changed, and never for a session only read.
func TestOnChange(t *testing.T) {
	m := newManager(t, session.Config{})
	c, _ := roundTrip(t, m, nil, func(s *session.Session) { s.Set("k", "v") })
	tests := []struct {
		name string
		fn   func(s *session.Session, w *countingWatcher)
		want int
	}{
		{"ok, read only", func(s *session.Session, w *countingWatcher) { s.OnChange(w); _, _ = s.Get("k") }, 0},
		{"ok, two changes, one call", func(s *session.Session, w *countingWatcher) {
			s.OnChange(w)
			s.Set("a", "1")
			s.Set("b", "2")
		}, 1},
		{"ok, already changed", func(s *session.Session, w *countingWatcher) { s.Set("a", "1"); s.OnChange(w) }, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &countingWatcher{}
			roundTrip(t, m, c, func(s *session.Session) { tt.fn(s, w) })
			if w.n != tt.want {
				t.Errorf("SessionChanged called %d times; want %d", w.n, tt.want)
			}
		})
	}
}
