package local

import (
	"context"
	"time"
)

// Attempt names a login attempt for a [Throttler]: the account and the
// client address it came from.
type Attempt struct {
	// Username is the username as [NormalizeUsername] returns it (trimmed,
	// lower-cased). Never empty.
	Username string
	// IP is the client's address as [strategy.ClientIP] returns it. It may
	// be empty when the address is unknown; then only the account counts.
	IP string
}

// Outcome is how an attempt that a [Throttler] allowed ended.
type Outcome uint8

// The outcomes reported to [Throttler.Done].
const (
	// OutcomeFailure: the credentials were wrong. The throttler counts a
	// failure against the account and against the client address.
	OutcomeFailure Outcome = iota + 1
	// OutcomeSuccess: the credentials were right. The throttler forgets the
	// account's failures, not the address's (one right password must not
	// clear the failures an address made on other accounts).
	OutcomeSuccess
	// OutcomeAborted: the credentials could not be checked (Verify failed
	// with a fault or panicked). Nothing is counted.
	OutcomeAborted
)

// String returns "failure", "success", "aborted" or "unknown".
func (o Outcome) String() string {
	switch o {
	case OutcomeFailure:
		return "failure"
	case OutcomeSuccess:
		return "success"
	case OutcomeAborted:
		return "aborted"
	default:
		return "unknown"
	}
}

// Throttler limits login attempts per account and per client address. The
// [Strategy] asks Allow before checking the credentials and, when the
// attempt was allowed, reports its outcome with Done exactly once.
//
// The interface says nothing of how counts are kept, so that a shared store
// (such as Redis, for more than one instance of the app) can implement it as
// well as [MemoryThrottle] does in memory. Implementations must be safe for
// concurrent use. An error from either method is a fault: the login answers
// 500, it is never let through unthrottled.
type Throttler interface {
	// Allow reports whether the attempt may check its credentials now. A
	// positive retryAfter refuses it: it is how long the client should wait,
	// sent as the Retry-After header. When it returns 0 and a nil error the
	// attempt is allowed, and an implementation may count it as in flight,
	// so that concurrent requests cannot all slip through before their
	// failures are counted.
	Allow(ctx context.Context, a Attempt) (retryAfter time.Duration, err error)
	// Done reports the outcome of an attempt that Allow allowed. ctx is not
	// cancelled when the client goes away.
	Done(ctx context.Context, a Attempt, outcome Outcome) error
}
