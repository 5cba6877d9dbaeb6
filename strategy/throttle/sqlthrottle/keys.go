package sqlthrottle

import (
	"time"

	"github.com/gopassport/passport/internal/throttlekey"
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
		g.add(kindDevice, throttlekey.Hashed("", a.Username, a.Device), t.deviceLimit)
		return g
	}
	if a.Username != "" {
		g.add(kindAccount, throttlekey.Hashed("", a.Username, ""), t.accountLimit)
	}
	if a.IP != "" {
		if k, ok := throttlekey.Address(a.IP); ok {
			g.add(kindIP, k, t.ipLimit)
		} else {
			g.add(kindIP, throttlekey.Hashed("h:", a.IP, ""), t.ipLimit)
		}
	}
	return g
}

func (g *target) add(kind, key string, limit int64) {
	g.kinds[g.n], g.keys[g.n], g.limits[g.n] = kind, key, limit
	g.n++
}

// millis returns d in whole milliseconds, rounded up: the records count in
// milliseconds.
func millis(d time.Duration) int64 {
	return int64((d + time.Millisecond - 1) / time.Millisecond)
}
