package throttle

import (
	"context"
	"strconv"
	"time"
)

// Attempt names a login attempt for a [Throttler]: the account, the
// client address it came from and, for a browser that logged in to this
// account before, its device.
type Attempt struct {
	// Username is the account the attempt is for, in the canonical form
	// the strategy looks accounts up under (strategy/local's
	// CanonicalUsername, for example), so that "Alice" and "ａｌｉｃｅ" share
	// one budget. It is empty when the credentials name no account (an API
	// key); then only the address counts.
	Username string
	// IP is the client's address as [strategy.ClientIP] returns it. It may
	// be empty when the address is unknown; then only the account counts.
	IP string
	// Device is the ID of a device cookie that [DeviceCookies.Device]
	// verified for Username: the client logged in to this account before.
	// Empty for an untrusted client. A [Memory] throttle counts an attempt
	// with a Device against that device's own budget only, so the
	// account-wide lock that untrusted clients cause does not refuse it.
	Device string
}

// Verdict is how an attempt that a [Throttler] allowed ended.
type Verdict uint8

// The verdicts reported to [Throttler.Done].
const (
	// VerdictFailure: the credentials were wrong. The throttler counts a
	// failure against the account and against the client address (against
	// the device alone for an attempt with a Device).
	VerdictFailure Verdict = iota + 1
	// VerdictSuccess: the credentials were right. The throttler forgets the
	// account's failures, not the address's (one right password must not
	// clear the failures an address made on other accounts); for an attempt
	// with a Device, the device's failures only.
	VerdictSuccess
	// VerdictAborted: the credentials could not be checked (Verify failed
	// with a fault or panicked). Nothing is counted.
	VerdictAborted
)

// String returns "failure", "success", "aborted" or "unknown".
func (o Verdict) String() string {
	switch o {
	case VerdictFailure:
		return "failure"
	case VerdictSuccess:
		return "success"
	case VerdictAborted:
		return "aborted"
	default:
		return "unknown"
	}
}

// Throttler limits login attempts per account and per client address. A
// strategy asks Allow before checking the credentials and, when the
// attempt was allowed, reports its outcome with Done exactly once.
//
// The interface says nothing of how counts are kept, so that a shared store
// (such as Redis, for more than one instance of the app) can implement it as
// well as [Memory] does in memory. Implementations must be safe for
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
	Done(ctx context.Context, a Attempt, outcome Verdict) error
}

// RetryAfter returns the value of a Retry-After header for a wait: whole
// seconds, rounded up, at least 1.
func RetryAfter(wait time.Duration) string {
	secs := int64((wait + time.Second - 1) / time.Second)
	return strconv.FormatInt(max(secs, 1), 10)
}
