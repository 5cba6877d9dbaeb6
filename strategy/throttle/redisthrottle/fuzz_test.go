package redisthrottle_test

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/strategy/throttle"
	"github.com/gopassport/passport/strategy/throttle/redisthrottle"
)

// FuzzKeys: whatever a client sends as its username, address or device
// cookie ID, every key starts with the prefix and the hash tag {t} (one
// hash slot, so the scripts run on Cluster), holds no username or device ID
// in clear, and is of bounded length; addresses of one IPv6 /64 share a
// key.
func FuzzKeys(f *testing.F) {
	for _, s := range [][3]string{
		{"alice", "192.0.2.1", ""},
		{"alice@example.com", "2001:db8::1", "device"},
		{"{x}", "{y}", "}{"},
		{"", "::ffff:192.0.2.1", ""},
		{"bob", "fe80::1%eth0", "d"},
		{"", "not an address", ""},
	} {
		f.Add(s[0], s[1], s[2])
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	defer c.Close()
	const prefix = "fuzz:"
	th, err := redisthrottle.New(c, redisthrottle.Config{KeyPrefix: prefix})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, username, ip, device string) {
		a := throttle.Attempt{Username: username, IP: ip, Device: device}
		keys := th.Keys(a)
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
		if len(keys) != want {
			t.Fatalf("%+v: got %d keys %q; want %d", a, len(keys), keys, want)
		}
		for _, k := range keys {
			if !strings.HasPrefix(k, prefix+"{t}:") {
				t.Fatalf("%+v: key %q does not start with %q", a, k, prefix+"{t}:")
			}
			if len(k) > len(prefix)+64 {
				t.Fatalf("%+v: key %q is %d bytes", a, k, len(k))
			}
			if strings.HasPrefix(k, prefix+"{t}:a:") || strings.HasPrefix(k, prefix+"{t}:d:") || strings.HasPrefix(k, prefix+"{t}:i:h:") {
				if len(k) != len(prefix+"{t}:a:")+43 && len(k) != len(prefix+"{t}:i:h:")+43 {
					t.Fatalf("%+v: hashed key %q has length %d", a, k, len(k))
				}
			}
		}
		if addr, err := netip.ParseAddr(ip); err == nil && addr.Unmap().Is6() {
			b := addr.Unmap().As16()
			b[15] ^= 0xff
			b[8] ^= 0x01
			sibling := netip.AddrFrom16(b).String()
			if got, want := th.Keys(throttle.Attempt{IP: sibling}), th.Keys(throttle.Attempt{IP: ip}); got[0] != want[0] {
				t.Fatalf("%s and %s (one /64): keys %q and %q", ip, sibling, got[0], want[0])
			}
		}
	})
}
