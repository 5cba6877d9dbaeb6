package local_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/local"
	"github.com/gopassport/passport/strategy/throttle"
)

// TestNewRefusesBadConfig: New refuses a Config value that can only be a
// mistake with an error wrapping ErrInvalidConfig that names the field;
// zero values are the documented defaults.
func TestNewRefusesBadConfig(t *testing.T) {
	v := newVerifier()
	devices, err := throttle.NewDeviceCookies(throttle.DeviceCookieConfig{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		cfg   local.Config[string]
		field string // "" when New must succeed
	}{
		{"ok, zero value means default", local.Config[string]{Verify: v.verify}, ""},
		{"ok, throttle off", local.Config[string]{Verify: v.verify, DisableThrottle: true}, ""},
		{"nok, Verify missing", local.Config[string]{}, "Verify"},
		{"nok, MaxUsernameBytes negative", local.Config[string]{Verify: v.verify, MaxUsernameBytes: -1}, "MaxUsernameBytes"},
		{"nok, MaxPasswordBytes negative", local.Config[string]{Verify: v.verify, MaxPasswordBytes: -1}, "MaxPasswordBytes"},
		{"nok, MaxBodyBytes negative", local.Config[string]{Verify: v.verify, MaxBodyBytes: -1}, "MaxBodyBytes"},
		{"nok, UsernameField same as PasswordField", local.Config[string]{Verify: v.verify, UsernameField: "password"}, "UsernameField"},
		{"nok, DisableThrottle with Throttle", local.Config[string]{Verify: v.verify, DisableThrottle: true, Throttle: throttle.NewMemory(throttle.MemoryConfig{})}, "DisableThrottle"},
		{"nok, DisableThrottle with DeviceCookies", local.Config[string]{Verify: v.verify, DisableThrottle: true, DeviceCookies: devices}, "DeviceCookies"},
		{"nok, DisableDeviceCookies with DeviceCookies", local.Config[string]{Verify: v.verify, DisableDeviceCookies: true, DeviceCookies: devices}, "DisableDeviceCookies"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := local.New(tt.cfg)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("got %v; want no error", err)
				}
				// The defaults: the username and password fields.
				res, err := s.Authenticate(rawRequest(http.MethodPost, "/login", "application/x-www-form-urlencoded", "username=alice&password=s3cret"))
				if err != nil || res.Kind != strategy.KindSuccess {
					t.Fatalf("got %q, %v; want a success", res.Kind, err)
				}
				return
			}
			if !errors.Is(err, local.ErrInvalidConfig) {
				t.Fatalf("got %v; want an error wrapping ErrInvalidConfig", err)
			}
			if !strings.HasPrefix(err.Error(), "local: ") || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("got %q; want the package prefix and %s", err, tt.field)
			}
			if s != nil {
				t.Errorf("got a Strategy %v; want nil", s)
			}
		})
	}
}
