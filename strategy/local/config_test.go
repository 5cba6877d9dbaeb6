package local_test

import (
	"context"
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

// TestNewHashVerifyRefusesBadConfig: a Hasher that cannot make a sound hash
// is refused at construction, not found out at the first rehash.
func TestNewHashVerifyRefusesBadConfig(t *testing.T) {
	lookup := func(context.Context, string) (string, string, error) { return "", "", strategy.ErrUserNotFound }
	tests := []struct {
		name  string
		cfg   local.HashVerifyConfig[string]
		field string
	}{
		{"ok, zero value means default", local.HashVerifyConfig[string]{Lookup: lookup}, ""},
		{"ok, stronger Hasher", local.HashVerifyConfig[string]{Lookup: lookup, Hasher: &local.Hasher{Memory: 64 * 1024, Iterations: 3}}, ""},
		{"nok, Lookup missing", local.HashVerifyConfig[string]{}, "Lookup"},
		{"nok, Hasher Memory below 8 KiB per lane", local.HashVerifyConfig[string]{Lookup: lookup, Hasher: &local.Hasher{Memory: 8, Parallelism: 4}}, "Hasher.Memory"},
		{"nok, Hasher SaltLength too short", local.HashVerifyConfig[string]{Lookup: lookup, Hasher: &local.Hasher{SaltLength: 4}}, "Hasher.SaltLength"},
		{"nok, Hasher KeyLength too short", local.HashVerifyConfig[string]{Lookup: lookup, Hasher: &local.Hasher{KeyLength: 8}}, "Hasher.KeyLength"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			verify, err := local.NewHashVerify(tt.cfg)
			if tt.field == "" {
				if err != nil || verify == nil {
					t.Fatalf("got %v; want a VerifyFunc", err)
				}
				return
			}
			if !errors.Is(err, local.ErrInvalidConfig) {
				t.Fatalf("got %v; want an error wrapping ErrInvalidConfig", err)
			}
			if !strings.HasPrefix(err.Error(), "local: ") || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("got %q; want the package prefix and %s", err, tt.field)
			}
		})
	}
}
