package sqlthrottle_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/gopassport/passport/strategy/throttle"
	"github.com/gopassport/passport/strategy/throttle/sqlthrottle"
)

// FuzzKeys: whatever a client sends as its username, address or device
// cookie ID, every record's key fits the key column (64 bytes), holds no
// username or device ID in clear, and addresses of one IPv6 /64 share a
// key.
func FuzzKeys(f *testing.F) {
	for _, s := range [][3]string{
		{"alice", "192.0.2.1", ""},
		{"alice@example.com", "2001:db8::1", "device"},
		{"", "::ffff:192.0.2.1", ""},
		{"bob", "fe80::1%eth0", "d"},
		{"", "not an address", ""},
		{"x'); DROP TABLE t; --", strings.Repeat("9", 300), ""},
	} {
		f.Add(s[0], s[1], s[2])
	}
	db := sqliteFixture(f).connect(f)
	th := newThrottle(f, db, sqlthrottle.Config{CleanupInterval: -1})
	f.Fuzz(func(t *testing.T, username, ip, device string) {
		a := throttle.Attempt{Username: username, IP: ip, Device: device}
		recs := th.Records(a)
		want := 0
		switch {
		case device != "" && username != "":
			want = 1
		default:
			if username != "" {
				want++
			}
			if ip != "" {
				want++
			}
		}
		if len(recs) != want {
			t.Fatalf("%+v: got %d records; want %d", a, len(recs), want)
		}
		for _, r := range recs {
			if len(r[1]) > 64 || r[1] == "" {
				t.Errorf("%+v: key %q of %d bytes; want 1 to 64", a, r[1], len(r[1]))
			}
			if r[0] != "i" && len(username) > 4 && strings.Contains(r[1], username) {
				t.Errorf("%+v: key %q holds the username in clear", a, r[1])
			}
		}
		if addr, err := netip.ParseAddr(ip); err == nil && addr.Unmap().Is6() && username == "" {
			p, _ := addr.WithZone("").Prefix(64)
			other := p.Addr().Next()
			if got := th.Records(throttle.Attempt{IP: other.String()}); got[0] != recs[0] {
				t.Errorf("%s and %s: keys %v and %v; want one per /64", ip, other, recs[0], got[0])
			}
		}
	})
}
