package strategy

import "errors"

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
