package throttle

import (
	"errors"
	"fmt"
	"time"
)

// Defaults of [MemoryConfig].
const (
	DefaultAccountLimit = 10
	DefaultIPLimit      = 100
	DefaultDeviceLimit  = 10
	DefaultWindow       = 15 * time.Minute
	DefaultBaseDelay    = time.Second
	DefaultMaxDelay     = 15 * time.Minute
	DefaultMaxEntries   = 100_000
)

// ErrInvalidConfig is wrapped by the errors of a configuration mistake:
// the value [NewMemory] panics with, and the errors of [NewDeviceCookies]
// (through [ErrInvalidDeviceConfig]).
var ErrInvalidConfig = errors.New("throttle: invalid config")

// MemoryConfig configures a [Memory]. Every field is optional; zero means
// the default. A negative limit, duration or size is a configuration
// mistake (see [NewMemory]): a throttle that is on always has limits.
type MemoryConfig struct {
	// AccountLimit is how many failures an account may have in a window
	// before it is locked. Optional. Default 10: the 11th wrong attempt
	// within 15 minutes is refused.
	AccountLimit int
	// IPLimit is how many failures a client address may have in a window
	// before it is locked, whatever the accounts. It is far higher than
	// AccountLimit because many users can share an address (a NAT, an
	// office). IPv6 addresses count per /64 network. Optional. Default 100.
	IPLimit int
	// DeviceLimit is how many failures one device cookie (a browser that
	// logged in to the account before, see [Attempt.Device]) may have in a
	// window before that device alone is locked. Optional. Default 10.
	DeviceLimit int
	// Window is how long failures are remembered, from the first failure
	// of a series; after a lock, until Window after the lock ends.
	// Optional. Default 15 minutes.
	Window time.Duration
	// BaseDelay is the first lock, when a limit is reached; each further
	// failure doubles it. Optional. Default 1 second, or MaxDelay when that
	// is shorter. When set, it must not be longer than MaxDelay.
	BaseDelay time.Duration
	// MaxDelay caps a lock: no lock is longer, and none is permanent.
	// Optional. Default 15 minutes.
	MaxDelay time.Duration
	// MaxEntries bounds the number of accounts and addresses tracked. When
	// the table is full, expired entries are dropped, then one of a few
	// sampled entries is evicted, preferring entries that are not locked and
	// have the fewest failures. Optional. Default 100 000.
	MaxEntries int
	// Now is the clock. Optional. Default time.Now; tests set a fake one.
	Now func() time.Time
}

// Validate returns an error wrapping [ErrInvalidConfig] that names the
// field when cfg holds a mistake [NewMemory] refuses, else nil.
func (cfg MemoryConfig) Validate() error {
	for _, f := range []struct {
		name string
		v    int
	}{
		{"AccountLimit", cfg.AccountLimit},
		{"IPLimit", cfg.IPLimit},
		{"DeviceLimit", cfg.DeviceLimit},
		{"MaxEntries", cfg.MaxEntries},
	} {
		if f.v < 0 {
			return fmt.Errorf("%w: MemoryConfig.%s %d is negative", ErrInvalidConfig, f.name, f.v)
		}
	}
	for _, f := range []struct {
		name string
		v    time.Duration
	}{
		{"Window", cfg.Window},
		{"BaseDelay", cfg.BaseDelay},
		{"MaxDelay", cfg.MaxDelay},
	} {
		if f.v < 0 {
			return fmt.Errorf("%w: MemoryConfig.%s %v is negative", ErrInvalidConfig, f.name, f.v)
		}
	}
	maxDelay := cfg.MaxDelay
	if maxDelay == 0 {
		maxDelay = DefaultMaxDelay
	}
	if cfg.BaseDelay > maxDelay {
		return fmt.Errorf("%w: MemoryConfig.BaseDelay %v is longer than MaxDelay %v", ErrInvalidConfig, cfg.BaseDelay, maxDelay)
	}
	return nil
}
