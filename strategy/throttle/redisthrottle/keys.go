package redisthrottle

import (
	"time"

	"github.com/gopassport/passport/internal/throttlekey"
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
		g.add(throttlekey.Hashed(t.devicePrefix, a.Username, a.Device), t.deviceLimit, kindDevice)
		return g
	}
	if a.Username != "" {
		g.add(throttlekey.Hashed(t.accountPrefix, a.Username, ""), t.accountLimit, kindAccount)
	}
	if a.IP != "" {
		if k, ok := throttlekey.Address(a.IP); ok {
			g.add(t.ipPrefix+k, t.ipLimit, kindIP)
		} else {
			g.add(throttlekey.Hashed(t.ipPrefix+"h:", a.IP, ""), t.ipLimit, kindIP)
		}
	}
	return g
}

func (g *target) add(key string, limit any, kind byte) {
	g.keys[g.n], g.limits[g.n], g.kinds[g.n] = key, limit, kind
	g.n++
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
