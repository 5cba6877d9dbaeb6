package throttlekey

import (
	"fmt"
	"time"
)

// Limits are the policy fields that every throttle's Config shares with
// throttle.MemoryConfig, plus the store's Timeout.
type Limits struct {
	AccountLimit, IPLimit, DeviceLimit int
	Window, BaseDelay, MaxDelay        time.Duration
	Timeout                            time.Duration
	// DefaultMaxDelay is the MaxDelay a zero one means.
	DefaultMaxDelay time.Duration
}

// Mistake returns the first configuration mistake of l, worded after
// "Config." and without a package name, or "".
func (l Limits) Mistake() string {
	for _, f := range []struct {
		name string
		v    int
	}{{"AccountLimit", l.AccountLimit}, {"IPLimit", l.IPLimit}, {"DeviceLimit", l.DeviceLimit}} {
		if f.v < 0 {
			return fmt.Sprintf("Config.%s %d is negative", f.name, f.v)
		}
	}
	for _, f := range []struct {
		name string
		v    time.Duration
	}{{"Window", l.Window}, {"BaseDelay", l.BaseDelay}, {"MaxDelay", l.MaxDelay}, {"Timeout", l.Timeout}} {
		if f.v < 0 {
			return fmt.Sprintf("Config.%s %v is negative", f.name, f.v)
		}
	}
	maxDelay := l.MaxDelay
	if maxDelay == 0 {
		maxDelay = l.DefaultMaxDelay
	}
	if l.BaseDelay > maxDelay {
		return fmt.Sprintf("Config.BaseDelay %v is longer than MaxDelay %v", l.BaseDelay, maxDelay)
	}
	return ""
}
