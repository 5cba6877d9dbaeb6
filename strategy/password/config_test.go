package password_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/password"
)

// TestNewVerifyRefusesBadConfig: a Hasher that cannot make a sound hash
// is refused at construction, not found out at the first rehash.
func TestNewVerifyRefusesBadConfig(t *testing.T) {
	lookup := func(context.Context, string) (string, string, error) { return "", "", strategy.ErrUserNotFound }
	tests := []struct {
		name  string
		cfg   password.VerifyConfig[string]
		field string
	}{
		{"ok, zero value means default", password.VerifyConfig[string]{Lookup: lookup}, ""},
		{"ok, stronger Hasher", password.VerifyConfig[string]{Lookup: lookup, Hasher: &password.Hasher{Memory: 64 * 1024, Iterations: 3}}, ""},
		{"nok, Lookup missing", password.VerifyConfig[string]{}, "Lookup"},
		{"nok, Hasher Memory below 8 KiB per lane", password.VerifyConfig[string]{Lookup: lookup, Hasher: &password.Hasher{Memory: 8, Parallelism: 4}}, "Hasher.Memory"},
		{"nok, Hasher SaltLength too short", password.VerifyConfig[string]{Lookup: lookup, Hasher: &password.Hasher{SaltLength: 4}}, "Hasher.SaltLength"},
		{"nok, Hasher KeyLength too short", password.VerifyConfig[string]{Lookup: lookup, Hasher: &password.Hasher{KeyLength: 8}}, "Hasher.KeyLength"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			verify, err := password.NewVerify(tt.cfg)
			if tt.field == "" {
				if err != nil || verify == nil {
					t.Fatalf("got %v; want a verify callback", err)
				}
				return
			}
			if !errors.Is(err, password.ErrInvalidConfig) {
				t.Fatalf("got %v; want an error wrapping ErrInvalidConfig", err)
			}
			if !strings.HasPrefix(err.Error(), "password: ") || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("got %q; want the package prefix and %s", err, tt.field)
			}
		})
	}
}
