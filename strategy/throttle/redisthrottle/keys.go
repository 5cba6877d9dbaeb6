package redisthrottle

import (
	"crypto/sha256"
	"encoding/base64"
	"net/netip"
	"time"

	"github.com/gopassport/passport/strategy/throttle"
)

// hashTag puts every record of a Throttle in one hash slot: a script
// touches an attempt's account and address records together, and Redis
// Cluster runs a script only on keys of one slot.
const hashTag = "{t}"

// Record kinds, as passed to the Done script: a success forgets an account's
// or a device's failures, never an address's.
const (
	kindAccount = 'a'
	kindIP      = 'i'
	kindDevice  = 'd'
)

// target is what an attempt counts against: one or two records, each with
// its limit.
type target struct {
	keys   [2]string
	limits [2]any // boxed once in New
	kinds  [2]byte
	n      int
}

// target returns the records of a: the device's for an attempt with a
// Device (and a Username); else the account's (when there is a Username)
// and the address's (when IP is set). It mirrors throttle.Memory.
func (t *Throttle) target(a throttle.Attempt) target {
	var g target
	if a.Device != "" && a.Username != "" {
		g.add(t.hashedKey(t.devicePrefix, a.Username, a.Device), t.deviceLimit, kindDevice)
		return g
	}
	if a.Username != "" {
		g.add(t.hashedKey(t.accountPrefix, a.Username, ""), t.accountLimit, kindAccount)
	}
	if a.IP != "" {
		if k, ok := ipKey(a.IP); ok {
			g.add(t.ipPrefix+k, t.ipLimit, kindIP)
		} else {
			g.add(t.hashedKey(t.ipPrefix+"h:", a.IP, ""), t.ipLimit, kindIP)
		}
	}
	return g
}

func (g *target) add(key string, limit any, kind byte) {
	g.keys[g.n], g.limits[g.n], g.kinds[g.n] = key, limit, kind
	g.n++
}

// hashedKey returns prefix followed by the SHA-256 (base64url) of name, and
// of device when not empty: usernames are often e-mail addresses, which
// stay out of the key space (and of Redis's dumps) in clear, and the key's
// length is fixed.
func (t *Throttle) hashedKey(prefix, name, device string) string {
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
// the address itself, or its /64 network for IPv6, where one client
// commonly holds a whole /64. ok is false for a value that is not an
// address (Memory counts it as it is; here it is hashed, so that no client
// value of any length or content becomes a key in clear).
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

// recordPrefix returns the prefix of one kind of record.
func recordPrefix(keyPrefix string, kind byte) string {
	return keyPrefix + hashTag + ":" + string(rune(kind)) + ":"
}

// millis returns d in whole milliseconds, rounded up: the scripts count in
// milliseconds.
func millis(d time.Duration) int64 {
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}
