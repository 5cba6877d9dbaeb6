package basic_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/basic"
)

// TestNewRefusesBadConfig: New refuses a Config value that can only be a
// mistake with an error wrapping ErrInvalidConfig that names the field;
// the zero Realm is the default.
func TestNewRefusesBadConfig(t *testing.T) {
	verify := basic.StaticUsers(map[string]string{"alice": "s3cret"})
	tests := []struct {
		name  string
		cfg   basic.Config[string]
		field string // "" when New must succeed
	}{
		{"ok, zero value means default", basic.Config[string]{Verify: verify}, ""},
		{"ok, non-ASCII realm", basic.Config[string]{Verify: verify, Realm: "Zone réservée"}, ""},
		{"nok, Verify missing", basic.Config[string]{}, "Config.Verify"},
		{"nok, Realm with CRLF", basic.Config[string]{Verify: verify, Realm: "x\r\nSet-Cookie: a=b"}, "Config.Realm"},
		{"nok, Realm not UTF-8", basic.Config[string]{Verify: verify, Realm: "caf\xe9"}, "Config.Realm"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := basic.New(tt.cfg)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("got %v; want no error", err)
				}
				r := httptest.NewRequest(http.MethodGet, "/", nil)
				res, err := s.Authenticate(r)
				if err != nil || res.Kind != strategy.KindFail || !strings.HasPrefix(s.Challenge(), "Basic realm=") {
					t.Fatalf("got %q, %v, challenge %q; want a fail with a Basic challenge", res.Kind, err, s.Challenge())
				}
				return
			}
			if !errors.Is(err, basic.ErrInvalidConfig) {
				t.Fatalf("got %v; want an error wrapping ErrInvalidConfig", err)
			}
			if !strings.HasPrefix(err.Error(), "basic: ") || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("got %q; want the package prefix and %s", err, tt.field)
			}
		})
	}
}

// TestNewDefaultRealm: the zero Realm gives DefaultRealm's challenge.
func TestNewDefaultRealm(t *testing.T) {
	s, err := basic.New(basic.Config[string]{Verify: basic.StaticUsers(nil)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Challenge(), `Basic realm="`+basic.DefaultRealm+`", charset="UTF-8"`; got != want {
		t.Errorf("got %q; want %q", got, want)
	}
}
