package throttletest_test

import (
	"testing"
	"time"

	"github.com/gopassport/passport/strategy/throttle"
	"github.com/gopassport/passport/strategy/throttle/throttletest"
)

// The kit on throttle.Memory, whose policy it states.
func TestPolicyOnMemory(t *testing.T) {
	throttletest.Policy(t, func(t *testing.T, l throttletest.Limits, now func() time.Time) throttle.Throttler {
		return throttle.NewMemory(throttle.MemoryConfig{
			AccountLimit: l.AccountLimit, IPLimit: l.IPLimit, DeviceLimit: l.DeviceLimit,
			Window: l.Window, BaseDelay: l.BaseDelay, MaxDelay: l.MaxDelay, Now: now,
		})
	})
}

// A throttler runs the kit from its own test, with the case's limits and
// clock. (An example cannot run a test: this one shows the test function.)
func ExamplePolicy() {
	_ = func(t *testing.T) { // func TestPolicy(t *testing.T)
		throttletest.Policy(t, func(t *testing.T, l throttletest.Limits, now func() time.Time) throttle.Throttler {
			return throttle.NewMemory(throttle.MemoryConfig{AccountLimit: l.AccountLimit, Now: now})
		})
	}
}

// Exact on one Memory shared by two "instances" (one process): the
// baseline every shared store must match.
func TestExactOnMemory(t *testing.T) {
	throttletest.Exact(t, func(t *testing.T, l throttletest.Limits) (throttle.Throttler, throttle.Throttler) {
		m := throttle.NewMemory(throttle.MemoryConfig{AccountLimit: l.AccountLimit, IPLimit: l.IPLimit, BaseDelay: l.BaseDelay, MaxDelay: l.MaxDelay})
		return m, m
	})
}
