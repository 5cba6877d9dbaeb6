package redisthrottle

import "github.com/gopassport/passport/strategy/throttle"

// Keys returns the keys that a counts under, for tests that read the
// records.
func (t *Throttle) Keys(a throttle.Attempt) []string {
	g := t.target(a)
	return append([]string(nil), g.keys[:g.n]...)
}
