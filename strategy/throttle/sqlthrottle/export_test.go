package sqlthrottle

import "github.com/gopassport/passport/strategy/throttle"

// Records returns the primary keys (kind, key) that a counts under, for
// tests that read the rows.
func (t *Throttle) Records(a throttle.Attempt) [][2]string {
	g := t.target(a)
	out := make([][2]string, g.n)
	for k := range g.n {
		out[k] = [2]string{g.kinds[k], g.keys[k]}
	}
	return out
}
