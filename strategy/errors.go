package strategy

import (
	"errors"
	"fmt"
	"net/http"
)

// Sentinel reasons for a fail, set in [Result.Reason] and checked with
// [errors.Is]. They are never shown to the client.
var (
	// ErrMissingCredentials: the request carried no credentials, or an
	// empty one.
	ErrMissingCredentials = errors.New("strategy: missing credentials")
	// ErrMalformedCredentials: the credentials could not be read: a
	// repeated field, an oversized value, a header that does not parse.
	ErrMalformedCredentials = errors.New("strategy: malformed credentials")
	// ErrInvalidCredentials: the credentials were read but are wrong.
	ErrInvalidCredentials = errors.New("strategy: invalid credentials")
	// ErrUserNotFound: no user matches. Verify callbacks return it for an
	// unknown user (strategies turn it into a fail), and a Deserialize that
	// returns it logs the session out silently.
	ErrUserNotFound = errors.New("strategy: user not found")
	// ErrThrottled: too many recent failures; the request was refused
	// without checking the credentials.
	ErrThrottled = errors.New("strategy: too many attempts")
	// ErrInsufficientScope: the credentials are valid but do not grant what
	// the route needs.
	ErrInsufficientScope = errors.New("strategy: insufficient scope")
	// ErrUnavailable: a store the request needs (the sessions, the login
	// throttle, the token state) is unreachable or timed out. It is a
	// fault, returned as an error, never a fail: the root answers it 503
	// with Retry-After instead of 500, lets nobody in and clears no
	// cookie. Stores wrap it around their network errors.
	ErrUnavailable = errors.New("strategy: a store is unavailable")
)

// VerifyFailure maps the error of a verify callback to the fail it stands
// for, so that every strategy answers the app's sentinels alike:
// ErrThrottled → 429, ErrInsufficientScope → 403, ErrMalformedCredentials →
// 400, and ErrInvalidCredentials, ErrMissingCredentials or ErrUserNotFound →
// 0 (read as 401, so that another strategy's explicit status can win).
// reason wraps err, and ErrInvalidCredentials too for an unknown user. ok is
// false for any other error: a fault, to be returned as the strategy's error.
func VerifyFailure(err error) (status int, reason error, ok bool) {
	switch {
	case err == nil:
		return 0, nil, false
	case errors.Is(err, ErrThrottled):
		return http.StatusTooManyRequests, err, true
	case errors.Is(err, ErrInsufficientScope):
		return http.StatusForbidden, err, true
	case errors.Is(err, ErrMalformedCredentials):
		return http.StatusBadRequest, err, true
	case errors.Is(err, ErrInvalidCredentials), errors.Is(err, ErrMissingCredentials):
		return 0, err, true
	case errors.Is(err, ErrUserNotFound):
		return 0, fmt.Errorf("%w: %w", ErrInvalidCredentials, err), true
	}
	return 0, nil, false
}

// WithUserMessage returns an error that wraps err and carries message, a
// text meant for the user. A verify callback (local's Verify, oauth's
// Verify, a strategy's Lookup …) returns it to say why it refused somebody,
// in words the user may read; the strategies of this module then show
// message as the fail's [Info.Message] in place of their generic one. The
// status and [Result.Reason] of the fail are unchanged: err decides them as
// before, and [errors.Is] and [errors.As] see through the wrapper, so wrap
// a sentinel such as [ErrInvalidCredentials].
//
// The error's text is err's alone (message is not in it): put what the
// logs need in err, as in fmt.Errorf("myapp: user %d is suspended: %w",
// id, strategy.ErrInvalidCredentials).
//
// The app vouches that message is safe to show, as [Info.Message] must
// be: a text of its own (it may name what the app knows, such as a
// provider's label), never a secret nor text the client or a provider
// sent. Strategies never put such text there; they only read the message
// back with [UserMessage] from the error of the app's callback.
//
// An empty message adds nothing: WithUserMessage returns err itself. A nil
// err with a message gives an error that matches no sentinel, which a
// strategy treats as a fault (500): a refusal needs its reason.
//
// Say only what the person may know: here the password was checked first,
// so the message tells nobody else that the account exists.
//
//	Verify: func(ctx context.Context, username, password string) (*User, error) {
//		u, err := users.CheckPassword(ctx, username, password)
//		if err != nil {
//			return nil, err // ErrInvalidCredentials, ErrUserNotFound, or a fault
//		}
//		if u.Suspended {
//			return nil, strategy.WithUserMessage(
//				fmt.Errorf("myapp: user %d is suspended: %w", u.ID, strategy.ErrInvalidCredentials),
//				"Your account is suspended. Contact support to restore it.")
//		}
//		return u, nil
//	},
func WithUserMessage(err error, message string) error {
	if message == "" {
		return err
	}
	return &userMessageError{err: err, message: message}
}

// UserMessage returns the message set with [WithUserMessage] anywhere in
// err's chain (through fmt.Errorf's %w and [errors.Join] too); when several
// are, the first that [errors.As] finds, so an outer one wins. ok is false
// when err carries none. Strategies call it on the error of the app's
// verify callback and, when ok, use the message as the fail's
// [Info.Message].
func UserMessage(err error) (message string, ok bool) {
	e, ok := errors.AsType[*userMessageError](err)
	if !ok {
		return "", false
	}
	return e.message, true
}

// userMessageError is the error [WithUserMessage] returns.
type userMessageError struct {
	err     error
	message string
}

// Error returns the wrapped error's text; the user message is not in it.
func (e *userMessageError) Error() string {
	if e.err == nil {
		return "strategy: user message without an error"
	}
	return e.err.Error()
}

// Unwrap returns the wrapped error.
func (e *userMessageError) Unwrap() error { return e.err }

// FailMessages are a strategy's own texts for the fails that
// [VerifyFailure] maps a verify callback's error to.
type FailMessages struct {
	Invalid   string // 0 or 401: wrong or unknown credentials
	Malformed string // 400
	Scope     string // 403
	Throttled string // 429
}

// For returns the message of a fail with status caused by err: the app's
// own when err carries one ([UserMessage]), else the strategy's text for
// that status.
func (m FailMessages) For(status int, err error) string {
	if msg, ok := UserMessage(err); ok {
		return msg
	}
	switch status {
	case http.StatusTooManyRequests:
		return m.Throttled
	case http.StatusForbidden:
		return m.Scope
	case http.StatusBadRequest:
		return m.Malformed
	default:
		return m.Invalid
	}
}

// VerifyResult turns what a strategy's verify callback returned into the
// strategy's answer: a success for the user when err is nil; a fail for an
// error [VerifyFailure] recognises, with the challenge, the message m
// gives for its status ([FailMessages.For]) and a Reason that names the
// strategy ("basic: verify: strategy: invalid credentials"); any other
// error is a fault, returned wrapped as "verify: ...". basic and apikey
// answer with it; a strategy of yours whose callback follows the same
// contract can too.
func VerifyResult[U any](name, challenge string, m FailMessages, user U, err error) (Result[U], error) {
	if err == nil {
		return Success(user, Info{}), nil
	}
	status, reason, ok := VerifyFailure(err)
	if !ok {
		return Result[U]{}, fmt.Errorf("verify: %w", err)
	}
	return Fail[U](challenge, status, m.For(status, err)).WithReason(fmt.Errorf("%s: verify: %w", name, reason)), nil
}

// MissingError is an error of a strategy's parser for credentials that are
// absent: errors.Is(err, [ErrMissingCredentials]) holds. Declare each as a
// constant whose text starts with the package's name, and never put
// request data in it:
//
//	const errNoKey strategy.MissingError = "apikey: no key"
type MissingError string

// Error returns the text.
func (e MissingError) Error() string { return string(e) }

// Unwrap returns [ErrMissingCredentials].
func (e MissingError) Unwrap() error { return ErrMissingCredentials }

// MalformedError is [MissingError] for credentials that cannot be read:
// errors.Is(err, [ErrMalformedCredentials]) holds.
//
//	const errTooLong strategy.MalformedError = "apikey: key too long"
type MalformedError string

// Error returns the text.
func (e MalformedError) Error() string { return string(e) }

// Unwrap returns [ErrMalformedCredentials].
func (e MalformedError) Unwrap() error { return ErrMalformedCredentials }
