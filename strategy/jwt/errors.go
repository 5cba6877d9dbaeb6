package jwt

import (
	"errors"

	"github.com/gopassport/passport/internal/configerr"
)

// Sentinel errors of the issuer and its stores, checked with [errors.Is].
// The strategy never returns them from Authenticate: a rejected token is a
// fail result whose Reason is one of the sentinels of package strategy.
var (
	// ErrRefreshInvalid: the refresh token is malformed or unknown.
	ErrRefreshInvalid = errors.New("jwt: invalid refresh token")
	// ErrRefreshExpired: the refresh token is known but past its expiry.
	ErrRefreshExpired = errors.New("jwt: refresh token expired")
	// ErrRefreshRevoked: the refresh token's family was revoked (logout,
	// reuse detected, or the user's tokens were revoked).
	ErrRefreshRevoked = errors.New("jwt: refresh token revoked")
	// ErrRefreshReused: a refresh token that had already been rotated was
	// presented again. Its whole family has been revoked: either the token
	// was stolen or the client replayed it, and both parties must log in
	// again.
	ErrRefreshReused = errors.New("jwt: refresh token reused")
	// ErrNotFound is returned by a [Store] for a refresh token it does not
	// hold.
	ErrNotFound = errors.New("jwt: not found")
	// ErrNoStore: the [Issuer] was built without a [Store], so it cannot
	// issue refresh tokens or revoke anything.
	ErrNoStore = errors.New("jwt: issuer has no store")
)

// ErrInvalidConfig is wrapped by the errors that [New], [NewIssuer] and
// [NewRemoteKeySet] return for a configuration mistake: a missing or unusable key,
// a negative duration or size, a URL that is not absolute, and so on. The
// error's message names the field.
var ErrInvalidConfig = errors.New("jwt: invalid config")

// invalidConfig marks err, when not nil, as a configuration mistake
// matching ErrInvalidConfig.
func invalidConfig(err error) error { return configerr.Wrap(ErrInvalidConfig, err) }
