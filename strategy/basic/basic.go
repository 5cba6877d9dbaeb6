package basic

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gopassport/passport/internal/configerr"
	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/throttle"
)

// ErrInvalidConfig is wrapped by the errors that [New] returns for a
// configuration mistake. The error's message names the field.
var ErrInvalidConfig = errors.New("basic: invalid config")

// configErrorf returns a configuration mistake matching ErrInvalidConfig.
func configErrorf(format string, args ...any) error {
	return configerr.Errorf(ErrInvalidConfig, format, args...)
}

// DefaultRealm is the realm of the challenge when [Config.Realm] is empty.
const DefaultRealm = "Restricted"

// Limits on decoded credentials. Longer ones are refused with 400 before
// Verify runs, so an attacker cannot make Verify hash megabytes.
const (
	MaxUsernameBytes = 256
	MaxPasswordBytes = 4096
)

// Messages of the fails, meant for the user (Info.Message): texts of the
// catalogue in package strategy, translated where they are shown.
const (
	msgMissing   = strategy.MsgAuthenticationRequired
	msgMalformed = strategy.MsgMalformedCredentials
	msgInvalid   = strategy.MsgInvalidUsernameOrPassword
	msgThrottled = strategy.MsgTooManyAttempts
	msgScope     = strategy.MsgNotAllowed
)

// Config configures the HTTP Basic strategy.
type Config[U any] struct {
	// Realm names the protection space in the challenge; browsers show it
	// in their login dialog. It must be valid UTF-8 without control
	// characters.
	// Optional. Default [DefaultRealm].
	Realm string
	// Verify checks a username and password and returns the user. Required.
	//
	// It returns [strategy.ErrInvalidCredentials] for a wrong password and
	// [strategy.ErrUserNotFound] for an unknown user (both give a 401 fail
	// with the challenge), [strategy.ErrThrottled] to refuse the attempt
	// (429), [strategy.ErrInsufficientScope] for a user who may not use
	// this route (403), or any other error for a fault of the server
	// (database down), which Authenticate returns wrapped and passport
	// answers with a 500. A sentinel wrapped with
	// [strategy.WithUserMessage] keeps its status, and the fail shows the
	// app's message in place of the strategy's ("Invalid username or
	// password.").
	//
	// Verify runs for every request that carries Basic credentials, so it
	// should take the same time for an unknown user as for a wrong password
	// (hash a dummy password) and compare secrets in constant time (see
	// [password.ConstantTimeEqual]). The username and password are valid UTF-8 without control
	// characters, and no longer than [MaxUsernameBytes] and
	// [MaxPasswordBytes]; the password may be empty and may contain colons.
	// Verify must be safe for concurrent use.
	Verify func(ctx context.Context, username, password string) (U, error)
	// Throttle limits repeated wrong passwords per account (the username,
	// trimmed and lower-cased) and per client address, as it does for
	// strategy/local: an attempt it refuses is a 429 fail with Retry-After
	// and [strategy.ErrThrottled], and Verify is not called. Optional.
	// Default nil: no throttling (a Basic client resends its credentials
	// with every request, so an app usually throttles at its edge; give
	// [throttle.NewMemory] to throttle here).
	Throttle throttle.Throttler
}

// Strategy is the HTTP Basic strategy (RFC 7617): it reads the
// "Authorization: Basic base64(username:password)" header and checks the
// credentials with [Config.Verify].
//
//   - No Authorization header, a header of another scheme (so a Bearer
//     token is left to another strategy), or empty credentials: a 401 fail
//     with the challenge and [strategy.ErrMissingCredentials]. Its Status
//     is 0, which means 401 and, as in Passport, lets a 400 from another
//     strategy of the same route win.
//   - Two Authorization headers, bad base64, no colon, credentials too long,
//     invalid UTF-8 or control characters: a 400 fail with
//     [strategy.ErrMalformedCredentials] (and the challenge).
//   - Wrong credentials: a 401 fail with the challenge and
//     [strategy.ErrInvalidCredentials] (also matching
//     [strategy.ErrUserNotFound] when Verify returned it).
//     Its Username (as every fail's after the header was read) is the
//     username tried, for passport's audit of failed logins.
//   - Right credentials: a success with the user.
//   - With a Throttle, an attempt it refuses: a 429 fail with a Retry-After
//     header and [strategy.ErrThrottled], before Verify runs.
//
// The scheme is matched case-insensitively. Every fail carries the
// challenge `Basic realm="<Realm>", charset="UTF-8"`, so that a route that
// accepts several strategies can offer all of their challenges.
//
// Basic sends the password with every request: use it over TLS only. A
// Strategy is safe for concurrent use.
type Strategy[U any] struct {
	verify    func(ctx context.Context, username, password string) (U, error)
	challenge string
	throttle  throttle.Throttler
}

var _ strategy.Strategy[string] = (*Strategy[string])(nil)

// New returns a Basic strategy. It reports an error wrapping
// [ErrInvalidConfig] when Verify is missing or Realm is not valid UTF-8 or
// contains a control character.
func New[U any](cfg Config[U]) (*Strategy[U], error) {
	if cfg.Verify == nil {
		return nil, configErrorf("basic: Config.Verify is required")
	}
	realm := cfg.Realm
	if realm == "" {
		realm = DefaultRealm
	}
	if !utf8.ValidString(realm) {
		return nil, configErrorf("basic: Config.Realm %q is not valid UTF-8", realm)
	}
	if strings.ContainsFunc(realm, isControl) {
		return nil, configErrorf("basic: Config.Realm %q contains a control character", realm)
	}
	return &Strategy[U]{
		verify:    cfg.Verify,
		challenge: "Basic realm=" + quote(realm) + `, charset="UTF-8"`,
		throttle:  cfg.Throttle,
	}, nil
}

// quote makes s an RFC 9110 quoted-string, escaping quotes and backslashes.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := range len(s) {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// Name returns "basic", the name the strategy is usually registered under.
func (s *Strategy[U]) Name() string { return "basic" }

// Challenge returns the WWW-Authenticate value that every fail carries,
// such as `Basic realm="Restricted", charset="UTF-8"`.
func (s *Strategy[U]) Challenge() string { return s.challenge }

// Authenticate reads the Basic credentials of r and checks them. See
// [Strategy] for the outcomes. It returns an error only when Verify
// reported a fault, or the Throttle did.
func (s *Strategy[U]) Authenticate(r *http.Request) (res strategy.Result[U], err error) {
	username, password, err := parseAuthorization(r.Header.Values("Authorization"))
	switch {
	case errors.Is(err, strategy.ErrMissingCredentials):
		return s.fail(0, msgMissing, err), nil
	case err != nil:
		return s.fail(http.StatusBadRequest, msgMalformed, err), nil
	}
	ctx := r.Context()
	if s.throttle == nil {
		res, err = s.verifyResult(s.verify(ctx, username, password))
		if err != nil {
			err = fmt.Errorf("basic: %w", err)
		}
		return withUsername(res, username), err
	}
	res, err = throttle.Guard(ctx, s.throttle, throttle.Attempt{Username: strings.ToLower(strings.TrimSpace(username)), IP: strategy.ClientIP(r)},
		func(wait time.Duration) strategy.Result[U] {
			return s.fail(http.StatusTooManyRequests, msgThrottled, strategy.ErrThrottled).WithHeader("Retry-After", throttle.RetryAfter(wait))
		},
		func() (strategy.Result[U], error) {
			return s.verifyResult(s.verify(ctx, username, password))
		})
	if err != nil {
		err = fmt.Errorf("basic: %w", err)
	}
	return withUsername(res, username), err
}

// withUsername names the username tried on a fail, for the audit log.
func withUsername[U any](res strategy.Result[U], username string) strategy.Result[U] {
	if res.Kind != strategy.KindFail {
		return res
	}
	return res.WithUsername(username)
}

// verifyResult maps Verify's answer to a result: a user is a success, a
// verify refusal a fail, anything else a fault.
func (s *Strategy[U]) verifyResult(user U, err error) (strategy.Result[U], error) {
	return strategy.VerifyResult("basic", s.challenge, verifyMessages(), user, err)
}

func (s *Strategy[U]) fail(status int, msg string, reason error) strategy.Result[U] {
	return strategy.Fail[U](s.challenge, status, msg).WithReason(reason)
}

// verifyMessages are the texts of the fails a Verify error maps to.
func verifyMessages() strategy.FailMessages {
	return strategy.FailMessages{Invalid: msgInvalid, Malformed: msgMalformed, Scope: msgScope, Throttled: msgThrottled}
}
