package local

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gopassport/passport/strategy"
)

// Defaults of [Config].
const (
	DefaultUsernameField     = "username"
	DefaultPasswordField     = "password"
	DefaultMaxUsernameBytes  = 256
	DefaultMaxPasswordBytes  = 4096
	DefaultMaxBodyBytes      = 64 << 10
	DefaultFailureMessage    = "Incorrect credentials."
	DefaultBadRequestMessage = "Missing credentials"
)

// Messages of the fails that cannot be configured.
const (
	malformedMessage = "Malformed credentials"
	tooLargeMessage  = "Request body too large"
	throttledMessage = "Too many attempts. Try again later."
)

// ErrInvalidConfig is wrapped by the errors that [New] returns for a
// configuration mistake.
var ErrInvalidConfig = errors.New("local: invalid config")

// VerifyFunc checks a username and a password and returns the user they
// belong to.
//
// Wrong credentials are reported by an error that wraps
// [strategy.ErrInvalidCredentials] (wrong password) or
// [strategy.ErrUserNotFound] (no such user): the strategy turns both into the
// same 401 fail, with [Config.FailureMessage]. To tell the user why in
// words of the app's (a suspended account), wrap the sentinel with
// [strategy.WithUserMessage]: the fail's message is then that text. Any
// other error is a fault (a database that is down) and becomes a 500. To avoid telling apart known and unknown usernames by the
// response time, an unknown username should still cost one password check;
// [VerifyWithHash] does that.
//
// ctx is the request's context; username is passed as the client sent it
// (not trimmed nor lower-cased). A VerifyFunc is called concurrently.
type VerifyFunc[U any] func(ctx context.Context, username, password string) (U, error)

// Config configures a [Strategy]. Only Verify is required.
type Config[U any] struct {
	// UsernameField is the name of the form field or JSON member that holds
	// the username, such as "email". Optional. Default "username".
	UsernameField string
	// PasswordField is the name of the form field or JSON member that holds
	// the password. Optional. Default "password".
	PasswordField string
	// Verify checks the credentials. Required. See [VerifyFunc] for the
	// errors it may return.
	Verify VerifyFunc[U]
	// Throttle limits repeated failures per account and per client address.
	// Optional. Default nil: no throttling. [NewMemoryThrottle] is a
	// single-instance implementation.
	Throttle Throttler
	// MaxUsernameBytes is the longest username accepted, in bytes; a longer
	// one is a 400 fail before Verify runs. Optional. Default 256.
	MaxUsernameBytes int
	// MaxPasswordBytes is the longest password accepted, in bytes; a longer
	// one is a 400 fail before Verify (and any hashing) runs, so a huge
	// password cannot make the server hash megabytes. Optional. Default 4096.
	MaxPasswordBytes int
	// MaxBodyBytes is the most the strategy reads of a request body (form,
	// multipart or JSON); a larger body is a 413 fail. Optional. Default
	// 64 KiB.
	MaxBodyBytes int64
	// FailureMessage is the message of the 401 fail for wrong credentials.
	// It is the same for an unknown user and a wrong password. Optional.
	// Default "Incorrect credentials.". A message that Verify's error
	// carries ([strategy.WithUserMessage]) takes its place.
	FailureMessage string
	// BadRequestMessage is the message of the 400 fail for missing or empty
	// credentials. Optional. Default "Missing credentials".
	BadRequestMessage string
}

// Strategy authenticates a username and a password sent in the body of a
// POST, PUT or PATCH request, as an application/x-www-form-urlencoded or
// multipart/form-data form or as an application/json object. It never reads
// credentials from the URL.
//
// The outcomes are:
//
//   - success: Verify accepted the credentials.
//   - fail 400, reason [strategy.ErrMissingCredentials]: no username or no
//     password, or an empty one (a username made only of spaces is empty).
//   - fail 400, reason [strategy.ErrMalformedCredentials]: a field given
//     twice, a JSON value that is not a string, a body that does not parse,
//     a username or password over its limit, a username that is not valid
//     UTF-8 or holds control characters (NUL included).
//   - fail 413, reason [strategy.ErrMalformedCredentials]: the body is larger
//     than MaxBodyBytes or than a limit the app set with
//     [http.MaxBytesReader].
//   - fail 429, reason [strategy.ErrThrottled], with a Retry-After header:
//     the Throttler refused the attempt. Verify is not called, so the right
//     password during a lock gets the same answer as a wrong one.
//   - fail 401, reason [strategy.ErrInvalidCredentials] (and
//     [strategy.ErrUserNotFound] when Verify said so): wrong credentials.
//     The message is FailureMessage, or the one Verify's error carries
//     ([strategy.UserMessage]).
//   - error: Verify or the Throttler failed (a 500).
//
// The body is read at most once and put back in r.Body, so a handler can
// still read it or call [http.Request.ParseForm]; a form that the app parsed
// before (r.PostForm or r.MultipartForm set) is read from there.
//
// A Strategy is safe for concurrent use.
type Strategy[U any] struct {
	cfg Config[U]
}

var (
	_ strategy.Strategy[struct{}] = (*Strategy[struct{}])(nil)
	_ strategy.Namer              = (*Strategy[struct{}])(nil)
)

// New returns a Strategy for cfg, with the defaults filled in. It returns an
// error wrapping [ErrInvalidConfig] when Verify is nil, a limit is negative
// or both fields have the same name.
func New[U any](cfg Config[U]) (*Strategy[U], error) {
	if cfg.Verify == nil {
		return nil, fmt.Errorf("%w: Verify is required", ErrInvalidConfig)
	}
	if cfg.MaxUsernameBytes < 0 || cfg.MaxPasswordBytes < 0 || cfg.MaxBodyBytes < 0 {
		return nil, fmt.Errorf("%w: negative limit", ErrInvalidConfig)
	}
	if cfg.UsernameField == "" {
		cfg.UsernameField = DefaultUsernameField
	}
	if cfg.PasswordField == "" {
		cfg.PasswordField = DefaultPasswordField
	}
	if cfg.UsernameField == cfg.PasswordField {
		return nil, fmt.Errorf("%w: UsernameField and PasswordField are both %q", ErrInvalidConfig, cfg.UsernameField)
	}
	if cfg.MaxUsernameBytes == 0 {
		cfg.MaxUsernameBytes = DefaultMaxUsernameBytes
	}
	if cfg.MaxPasswordBytes == 0 {
		cfg.MaxPasswordBytes = DefaultMaxPasswordBytes
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.FailureMessage == "" {
		cfg.FailureMessage = DefaultFailureMessage
	}
	if cfg.BadRequestMessage == "" {
		cfg.BadRequestMessage = DefaultBadRequestMessage
	}
	return &Strategy[U]{cfg: cfg}, nil
}

// Name returns "local", the name the strategy is usually registered under.
func (s *Strategy[U]) Name() string { return "local" }

// Authenticate reads the credentials from r's body, asks the Throttler (if
// any) whether this account and client address may try now, calls Verify
// and reports the outcome. See [Strategy] for the outcomes.
func (s *Strategy[U]) Authenticate(r *http.Request) (res strategy.Result[U], err error) {
	c, cerr := readCredentials(r, s.cfg.UsernameField, s.cfg.PasswordField, s.cfg.MaxBodyBytes)
	if cerr == nil {
		cerr = s.check(c)
	}
	if cerr != nil {
		return s.credentialsFail(cerr), nil
	}

	ctx := r.Context()
	outcome := OutcomeAborted
	if t := s.cfg.Throttle; t != nil {
		att := Attempt{Username: NormalizeUsername(c.username), IP: strategy.ClientIP(r)}
		wait, terr := t.Allow(ctx, att)
		if terr != nil {
			return strategy.Result[U]{}, fmt.Errorf("local: throttle: %w", terr)
		}
		if wait > 0 {
			return throttled[U](wait), nil
		}
		// The attempt is reserved: report how it ended, even if Verify
		// panics, and even if the client has gone away.
		defer func() {
			derr := t.Done(context.WithoutCancel(ctx), att, outcome)
			if derr != nil && err == nil {
				res, err = strategy.Result[U]{}, fmt.Errorf("local: throttle: %w", derr)
			}
		}()
	}

	user, verr := s.cfg.Verify(ctx, c.username, c.password)
	switch {
	case verr == nil:
		outcome = OutcomeSuccess
		return strategy.Success(user, strategy.Info{}), nil
	case errors.Is(verr, strategy.ErrInvalidCredentials):
		outcome = OutcomeFailure
		return s.wrongCredentials(verr, verr), nil
	case errors.Is(verr, strategy.ErrUserNotFound):
		outcome = OutcomeFailure
		return s.wrongCredentials(fmt.Errorf("%w (%w)", strategy.ErrInvalidCredentials, verr), verr), nil
	default:
		return strategy.Result[U]{}, fmt.Errorf("local: verify: %w", verr)
	}
}

// check validates credentials that were read: present, within the limits,
// and a username that is printable UTF-8.
func (s *Strategy[U]) check(c credentials) error {
	switch {
	case strings.TrimSpace(c.username) == "":
		return fmt.Errorf("local: empty %s: %w", s.cfg.UsernameField, strategy.ErrMissingCredentials)
	case c.password == "":
		return fmt.Errorf("local: empty %s: %w", s.cfg.PasswordField, strategy.ErrMissingCredentials)
	case len(c.username) > s.cfg.MaxUsernameBytes:
		return fmt.Errorf("local: %s too long: %w", s.cfg.UsernameField, strategy.ErrMalformedCredentials)
	case len(c.password) > s.cfg.MaxPasswordBytes:
		return fmt.Errorf("local: %s too long: %w", s.cfg.PasswordField, strategy.ErrMalformedCredentials)
	}
	return checkUsername(c.username)
}

// credentialsFail turns an error of readCredentials or check into a fail.
func (s *Strategy[U]) credentialsFail(err error) strategy.Result[U] {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return strategy.Fail[U]("", http.StatusRequestEntityTooLarge, tooLargeMessage).WithReason(err)
	}
	if errors.Is(err, strategy.ErrMissingCredentials) {
		return strategy.Fail[U]("", http.StatusBadRequest, s.cfg.BadRequestMessage).WithReason(err)
	}
	return strategy.Fail[U]("", http.StatusBadRequest, malformedMessage).WithReason(err)
}

// wrongCredentials is the 401 fail for credentials that Verify refused
// with verr: its message is the one verr carries ([strategy.UserMessage]),
// else FailureMessage.
func (s *Strategy[U]) wrongCredentials(reason, verr error) strategy.Result[U] {
	msg, ok := strategy.UserMessage(verr)
	if !ok {
		msg = s.cfg.FailureMessage
	}
	return strategy.Fail[U]("", http.StatusUnauthorized, msg).WithReason(reason)
}

// throttled is the 429 fail for an attempt the Throttler refused, with a
// Retry-After of wait rounded up to whole seconds.
func throttled[U any](wait time.Duration) strategy.Result[U] {
	return strategy.Fail[U]("", http.StatusTooManyRequests, throttledMessage).
		WithReason(strategy.ErrThrottled).
		WithHeader("Retry-After", strconv.FormatInt(retryAfterSeconds(wait), 10))
}

// retryAfterSeconds rounds wait up to whole seconds, at least 1.
func retryAfterSeconds(wait time.Duration) int64 {
	secs := int64(math.Ceil(wait.Seconds()))
	if secs < 1 {
		return 1
	}
	return secs
}

// NormalizeUsername returns the form of username that throttling counts
// failures under: trimmed of surrounding white space and lower-cased, so
// "Alice " and "alice" share one counter. Verify still sees the username as
// sent.
func NormalizeUsername(username string) string {
	return strings.ToLower(strings.TrimSpace(username))
}
