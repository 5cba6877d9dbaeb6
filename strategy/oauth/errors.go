package oauth

import "errors"

// ErrInvalidConfig is wrapped by the error [New] returns for a Config it
// cannot use.
var ErrInvalidConfig = errors.New("oauth: invalid config")

// Reasons of a fail, set in [strategy.Result.Reason] together with the
// matching sentinel of package strategy, and checked with [errors.Is].
// They are logged, never shown to the client.
var (
	// ErrNoHandshake: a callback arrived while no sign-in with this
	// provider was in progress in the session: no begin, a begin in another
	// browser, or a callback replayed after the first one consumed the
	// handshake.
	ErrNoHandshake = errors.New("oauth: no sign-in in progress")
	// ErrStateMismatch: the callback's state is missing or differs from
	// the one sent at the begin.
	ErrStateMismatch = errors.New("oauth: state missing or mismatched")
	// ErrProviderMismatch: the stored handshake was started with another
	// provider.
	ErrProviderMismatch = errors.New("oauth: handshake belongs to another provider")
	// ErrExpired: the callback came later than Config.MaxAge after the
	// begin.
	ErrExpired = errors.New("oauth: sign-in took too long")
	// ErrDenied: the provider answered with an error parameter, such as
	// error=access_denied when the user refused consent. Its description is
	// never reflected.
	ErrDenied = errors.New("oauth: the provider refused the sign-in")
	// ErrExchange: the code exchange at the token endpoint failed: an
	// error status, a timeout, a body that does not parse, no access token.
	ErrExchange = errors.New("oauth: code exchange failed")
	// ErrIDToken: the OpenID Connect ID token is missing or fails
	// verification (signature, issuer, audience, expiry, nonce), or the
	// provider's keys could not be fetched.
	ErrIDToken = errors.New("oauth: invalid ID token")
	// ErrProfile: fetching the user's profile failed, or it named no
	// subject.
	ErrProfile = errors.New("oauth: fetching the profile failed")
	// ErrUnavailable comes with ErrExchange, ErrProfile or ErrIDToken when
	// the fault is the provider's, not the sign-in's: its token, userinfo
	// or discovery endpoint did not answer in time or could not be reached
	// (the fail's status is 503), or answered with a 5xx or a response that
	// does not parse (502). The message stays the generic one.
	ErrUnavailable = errors.New("oauth: the provider is unavailable")
)
