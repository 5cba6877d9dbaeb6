package sqlthrottle

import (
	"crypto/sha256"
	"encoding/base64"
	"net/netip"
	"time"

	"github.com/gopassport/passport/strategy/throttle"
)

// Record kinds, the first column of the primary key: a success forgets an
// account's or a device's failures, never an address's.
const (
	kindAccount = "a"
	kindIP      = "i"
	kindDevice  = "d"
)

// target is what an attempt counts against: one or two records, each with
// its limit, in primary-key order (kind "a" sorts before "i"), the order
// in which a transaction locks them.
type target struct {
	kinds  [2]string
	keys   [2]string
	limits [2]int64
	n      int
}

// target returns the records of a: the device's for an attempt with a
// Device (and a Username); else the account's (when there is a Username)
// and the address's (when IP is set). It mirrors throttle.Memory and
// redisthrottle's target (unexported there, so mirrored here).
func (t *Throttle) target(a throttle.Attempt) target {
	var g target
	if a.Device != "" && a.Username != "" {
		g.add(kindDevice, hashedKey("", a.Username, a.Device), t.deviceLimit)
		return g
	}
	if a.Username != "" {
		g.add(kindAccount, hashedKey("", a.Username, ""), t.accountLimit)
	}
	if a.IP != "" {
		if k, ok := ipKey(a.IP); ok {
			g.add(kindIP, k, t.ipLimit)
		} else {
			g.add(kindIP, hashedKey("h:", a.IP, ""), t.ipLimit)
		}
	}
	return g
}

func (g *target) add(kind, key string, limit int64) {
	g.kinds[g.n], g.keys[g.n], g.limits[g.n] = kind, key, limit
	g.n++
}

// hashedKey returns prefix followed by the SHA-256 (base64url, 43 bytes)
// of name, and of NUL and device when device is not empty: usernames are
// often e-mail addresses, which stay out of the table (and of its backups)
// in clear, and the key's length is fixed.
func hashedKey(prefix, name, device string) string {
	h := sha256.New()
	h.Write([]byte(name))
	if device != "" {
		h.Write([]byte{0})
		h.Write([]byte(device))
	}
	var sum [sha256.Size]byte
	buf := make([]byte, 0, len(prefix)+base64.RawURLEncoding.EncodedLen(sha256.Size))
	buf = append(buf, prefix...)
	buf = base64.RawURLEncoding.AppendEncode(buf, h.Sum(sum[:0]))
	return string(buf)
}

// ipKey returns the key an address counts under, as throttle.Memory does:
// the address itself, or its /64 network for IPv6. ok is false for a value
// that is not an address (it is then hashed, so that no client value of
// any length or content becomes a key in clear).
func ipKey(ip string) (key string, ok bool) {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return "", false
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is4() {
		return addr.String(), true
	}
	p, err := addr.Prefix(64)
	if err != nil {
		return addr.String(), true
	}
	return p.String(), true
}

// millis returns d in whole milliseconds, rounded up: the records count in
// milliseconds.
func millis(d time.Duration) int64 {
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}
