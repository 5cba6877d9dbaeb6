package local

import (
	"github.com/gopassport/passport/strategy/throttle"
)

// The throttling types live in package [throttle], which strategy/basic and
// strategy/apikey share; these aliases keep the names this package has
// always had.
type (
	// Throttler is [throttle.Throttler].
	Throttler = throttle.Throttler
	// Attempt is [throttle.Attempt].
	Attempt = throttle.Attempt
	// Outcome is [throttle.Outcome].
	Outcome = throttle.Outcome
	// MemoryThrottle is [throttle.Memory].
	MemoryThrottle = throttle.Memory
	// MemoryThrottleConfig is [throttle.MemoryConfig].
	MemoryThrottleConfig = throttle.MemoryConfig
)

// The outcomes reported to [Throttler.Done]; see [throttle.Outcome].
const (
	OutcomeFailure = throttle.OutcomeFailure
	OutcomeSuccess = throttle.OutcomeSuccess
	OutcomeAborted = throttle.OutcomeAborted
)

// Defaults of [MemoryThrottleConfig]; see package [throttle].
const (
	DefaultAccountLimit = throttle.DefaultAccountLimit
	DefaultIPLimit      = throttle.DefaultIPLimit
	DefaultDeviceLimit  = throttle.DefaultDeviceLimit
	DefaultWindow       = throttle.DefaultWindow
	DefaultBaseDelay    = throttle.DefaultBaseDelay
	DefaultMaxDelay     = throttle.DefaultMaxDelay
	DefaultMaxEntries   = throttle.DefaultMaxEntries
)

// NewMemoryThrottle is [throttle.NewMemory].
func NewMemoryThrottle(cfg MemoryThrottleConfig) *MemoryThrottle {
	return throttle.NewMemory(cfg)
}
