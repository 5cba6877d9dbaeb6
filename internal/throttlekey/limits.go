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

// WithDefaults returns l with its zero fields taken from d; a zero
// BaseDelay becomes d.BaseDelay or MaxDelay, whichever is shorter.
// Timeout and DefaultMaxDelay are left as they are.
func (l Limits) WithDefaults(d Limits) Limits {
	if l.AccountLimit == 0 {
		l.AccountLimit = d.AccountLimit
	}
	if l.IPLimit == 0 {
		l.IPLimit = d.IPLimit
	}
	if l.DeviceLimit == 0 {
		l.DeviceLimit = d.DeviceLimit
	}
	if l.Window == 0 {
		l.Window = d.Window
	}
	if l.MaxDelay == 0 {
		l.MaxDelay = d.MaxDelay
	}
	if l.BaseDelay == 0 {
		l.BaseDelay = min(d.BaseDelay, l.MaxDelay)
	}
	return l
}
