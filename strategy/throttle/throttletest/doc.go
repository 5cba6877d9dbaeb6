// Package throttletest is the kit every throttle.Throttler of this module
// runs (throttle.Memory, redisthrottle, sqlthrottle), and a third party's
// can: [Policy] drives throttle.Memory's policy cases through the
// Throttler on a fake clock ([Clock]), so that a login is locked, delayed
// and released the same way whichever store counts it; [Exact] checks that
// two instances sharing a store count concurrent failures exactly.
//
//	func TestPolicy(t *testing.T) {
//		throttletest.Policy(t, func(t *testing.T, l throttletest.Limits, now func() time.Time) throttle.Throttler {
//			return mythrottle.New(mythrottle.Config{AccountLimit: l.AccountLimit, IPLimit: l.IPLimit,
//				DeviceLimit: l.DeviceLimit, Window: l.Window, BaseDelay: l.BaseDelay, MaxDelay: l.MaxDelay, Now: now})
//		})
//	}
package throttletest
