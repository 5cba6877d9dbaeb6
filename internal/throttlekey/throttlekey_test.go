package throttlekey_test

import (
	"strings"
	"testing"

	"github.com/gopassport/passport/internal/throttlekey"
)

func TestAddress(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"192.0.2.7", "192.0.2.7", true},
		{"::ffff:192.0.2.7", "192.0.2.7", true},
		{"2001:db8::1", "2001:db8::/64", true},
		{"2001:db8::2%eth0", "2001:db8::/64", true},
		{"not an address", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		if got, ok := throttlekey.Address(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("Address(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestHashed(t *testing.T) {
	a, b := throttlekey.Hashed("p:", "ada@example.com", ""), throttlekey.Hashed("p:", "ada@example.com", "dev")
	if !strings.HasPrefix(a, "p:") || len(a) != 2+43 || a == b || strings.Contains(a, "ada") {
		t.Errorf("Hashed: %q, %q; want distinct 43-byte digests after the prefix, the name not in clear", a, b)
	}
}
