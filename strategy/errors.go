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
