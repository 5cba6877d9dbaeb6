package session_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gopassport/passport/session"
)

// TestNewRefusesBadConfig: a value that can only be a mistake fails New
// with an error wrapping ErrInvalidConfig that names the field; zero
// values are the documented defaults.
func TestNewRefusesBadConfig(t *testing.T) {
	store, err := session.NewCookieStore(testKey(1))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		cfg   session.Config
		field string // "" when New must succeed
	}{
		{"ok, zero value means default", session.Config{Store: store}, ""},
		{"ok, negative IdleTimeout disables it", session.Config{Store: store, IdleTimeout: -1}, ""},
		{"ok, IdleTimeout equal to AbsoluteTimeout", session.Config{Store: store, IdleTimeout: time.Hour, AbsoluteTimeout: time.Hour}, ""},
		{"ok, Domain with a leading dot", session.Config{Store: store, Domain: ".example.com"}, ""},
		{"ok, SameSite=None (forces Secure)", session.Config{Store: store, SameSite: http.SameSiteNoneMode}, ""},
		{"nok, Store missing", session.Config{}, "Store"},
		{"nok, Name with a space", session.Config{Store: store, Name: "my session"}, "Name"},
		{"nok, Name with '='", session.Config{Store: store, Name: "a=b"}, "Name"},
		{"nok, Name with a separator", session.Config{Store: store, Name: "sid/1"}, "Name"},
		{"nok, Name with a non-ASCII letter", session.Config{Store: store, Name: "séance"}, "Name"},
		{"nok, Name with a prefix of its own", session.Config{Store: store, Name: "__Host-sid"}, "Name"},
		{"nok, Path not starting with /", session.Config{Store: store, Path: "app"}, "Path"},
		{"nok, Path with ';'", session.Config{Store: store, Path: "/app;Domain=evil.test"}, "Path"},
		{"nok, Domain is a URL", session.Config{Store: store, Domain: "https://example.com"}, "Domain"},
		{"nok, Domain with a port", session.Config{Store: store, Domain: "example.com:8080"}, "Domain"},
		{"nok, HostPrefix with a Domain", session.Config{Store: store, HostPrefix: true, Domain: "example.com"}, "HostPrefix"},
		{"nok, HostPrefix with a Path", session.Config{Store: store, HostPrefix: true, Path: "/app"}, "HostPrefix"},
		{"nok, SameSite unknown", session.Config{Store: store, SameSite: http.SameSite(9)}, "SameSite"},
		{"nok, AbsoluteTimeout negative", session.Config{Store: store, AbsoluteTimeout: -time.Hour}, "AbsoluteTimeout"},
		{"nok, IdleTimeout longer than AbsoluteTimeout", session.Config{Store: store, IdleTimeout: 2 * time.Hour, AbsoluteTimeout: time.Hour}, "IdleTimeout"},
		{"nok, IdleTimeout longer than the default AbsoluteTimeout", session.Config{Store: store, IdleTimeout: 48 * time.Hour}, "IdleTimeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := session.New(tt.cfg)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("got %v; want no error", err)
				}
				if m == nil {
					t.Fatal("got a nil Manager")
				}
				return
			}
			if !errors.Is(err, session.ErrInvalidConfig) {
				t.Fatalf("got %v; want an error wrapping ErrInvalidConfig", err)
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Errorf("got %q; want it to name %s", err, tt.field)
			}
			if !strings.HasPrefix(err.Error(), "session: ") {
				t.Errorf("got %q; want the package prefix", err)
			}
		})
	}
}

// TestNewZeroConfigDefaults: the zero values give the documented cookie:
// "passport", Path /, HttpOnly, SameSite=Lax, Max-Age of 24 hours.
func TestNewZeroConfigDefaults(t *testing.T) {
	m := newManager(t, session.Config{})
	rec := serve(m, httptest.NewRequest(http.MethodGet, "/", nil), func(s *session.Session) { s.Set("k", "v") })
	cs := rec.Result().Cookies()
	if len(cs) != 1 {
		t.Fatalf("got cookies %v; want one", cs)
	}
	c := cs[0]
	if c.Name != "passport" || c.Path != "/" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.MaxAge != 24*60*60 {
		t.Errorf("got %v; want passport, Path /, HttpOnly, SameSite=Lax, Max-Age 86400", c)
	}
}

// TestNewCookieStoreRefusesShortKeys: a missing or short key is
// ErrKeyTooShort, which is a configuration mistake like New's.
func TestNewCookieStoreRefusesShortKeys(t *testing.T) {
	tests := []struct {
		name string
		keys [][]byte
		ok   bool
	}{
		{"ok, one key of 32 bytes", [][]byte{testKey(1)}, true},
		{"ok, rotation", [][]byte{testKey(2), testKey(1)}, true},
		{"nok, no key", nil, false},
		{"nok, key of 31 bytes", [][]byte{testKey(1)[:31]}, false},
		{"nok, short old key", [][]byte{testKey(1), []byte("old")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := session.NewCookieStore(tt.keys...)
			if tt.ok {
				if err != nil {
					t.Fatalf("got %v; want no error", err)
				}
				return
			}
			if !errors.Is(err, session.ErrKeyTooShort) || !errors.Is(err, session.ErrInvalidConfig) {
				t.Fatalf("got %v; want ErrKeyTooShort and ErrInvalidConfig", err)
			}
		})
	}
}
