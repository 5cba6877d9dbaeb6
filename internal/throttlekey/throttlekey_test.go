package throttlekey_test

import (
	"strings"
	"testing"
	"time"

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

func TestLimitsMistake(t *testing.T) {
	tests := []struct {
		name string
		l    throttlekey.Limits
		want string // "" for none, else a word the mistake names
	}{
		{"ok, zero", throttlekey.Limits{DefaultMaxDelay: time.Minute}, ""},
		{"nok, AccountLimit", throttlekey.Limits{AccountLimit: -1}, "AccountLimit"},
		{"nok, Timeout", throttlekey.Limits{Timeout: -1}, "Timeout"},
		{"nok, BaseDelay over the default MaxDelay", throttlekey.Limits{BaseDelay: 2 * time.Minute, DefaultMaxDelay: time.Minute}, "BaseDelay"},
		{"ok, BaseDelay under MaxDelay", throttlekey.Limits{BaseDelay: 2 * time.Minute, MaxDelay: time.Hour, DefaultMaxDelay: time.Minute}, ""},
	}
	for _, tt := range tests {
		got := tt.l.Mistake()
		if (got == "") != (tt.want == "") || !strings.Contains(got, tt.want) {
			t.Errorf("%s: Mistake() = %q; want one naming %q", tt.name, got, tt.want)
		}
	}
}

func TestLimitsWithDefaults(t *testing.T) {
	d := throttlekey.Limits{AccountLimit: 10, IPLimit: 100, DeviceLimit: 10, Window: time.Hour, BaseDelay: time.Second, MaxDelay: time.Minute}
	if got := (throttlekey.Limits{}).WithDefaults(d); got != d {
		t.Errorf("zero: %+v; want the defaults", got)
	}
	got := throttlekey.Limits{AccountLimit: 3, MaxDelay: 500 * time.Millisecond}.WithDefaults(d)
	if got.AccountLimit != 3 || got.IPLimit != 100 || got.BaseDelay != 500*time.Millisecond {
		t.Errorf("%+v; want the set fields kept and BaseDelay capped by MaxDelay", got)
	}
}
