package local

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/throttle"
)

// Defaults of [Config].
const (
	DefaultUsernameField     = "username"
	DefaultPasswordField     = "password"
	DefaultMaxUsernameBytes  = 256
	DefaultMaxPasswordBytes  = 4096
	DefaultMaxBodyBytes      = 64 << 10
	DefaultFailureMessage    = strategy.MsgIncorrectCredentials
	DefaultBadRequestMessage = strategy.MsgMissingCredentials
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
// password.Verify does that.
//
// ctx is the request's context; username is the canonical form of what the
// client sent ([Config.Canonicalize]: [CanonicalUsername] by default, so
// "ＡＬＩＣＥ " arrives as "alice"): look the account up under that form,
// the one it was registered under. A VerifyFunc is called concurrently.
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
	// Throttle limits repeated failures per account, per client address and
	// per device. Optional. Default: a [throttle.Memory] with the default
	// limits (10 failures per account and 100 per address within 15
	// minutes, then growing delays up to 15 minutes; see
	// [throttle.Memory]), made by New for this strategy. An app with more
	// than one instance gives a shared one.
	Throttle throttle.Throttler
	// DisableThrottle turns throttling off, which leaves password guessing
	// unlimited: for a strategy behind a throttle of the app's own.
	// Optional. Setting it together with Throttle or DeviceCookies is a
	// configuration error.
	DisableThrottle bool
	// DeviceCookies issues a signed device cookie on every successful login
	// (a Set-Cookie header on the success result) and counts an attempt
	// that carries a valid one for its account against that device's own
	// budget, so that an attacker who keeps the account locked for unknown
	// clients does not lock its owner out (OWASP's device cookies).
	// Optional. Default, when throttling is on: [throttle.NewDeviceCookies]
	// with a random key made by New, valid for the life of the process;
	// give one with a stable Key for cookies that survive restarts and work
	// across instances.
	DeviceCookies *throttle.DeviceCookies
	// DisableDeviceCookies turns device cookies off: every attempt is then
	// an unknown client's. Optional. Setting it together with DeviceCookies
	// is a configuration error.
	DisableDeviceCookies bool
	// Canonicalize maps the username the client sent to the form accounts
	// are looked up and throttled under; Verify gets that form. A username
	// it refuses is a 400 fail with [strategy.ErrMalformedCredentials]
	// before Verify runs. Use the same function at registration. Optional.
	// Default [CanonicalUsername] (PRECIS UsernameCaseMapped, no format or
	// bidi characters); use [CanonicalEmail] for e-mail addresses.
	Canonicalize CanonicalizeFunc
	// MaxUsernameBytes is the longest username accepted, in bytes; a longer
	// one is a 400 fail before Verify runs. Optional. Default 256. This and
	// the two limits below must not be negative.
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
	// Default [strategy.MsgIncorrectCredentials]. A message that Verify's
	// error carries ([strategy.WithUserMessage]) takes its place. Like
	// every message, it is translated where it is shown (see
	// [strategy.Translator]).
	FailureMessage string
	// BadRequestMessage is the message of the 400 fail for missing or empty
	// credentials. Optional. Default [strategy.MsgMissingCredentials].
	BadRequestMessage string
	// ThrottledMessage is the message of the 429 fail for an attempt the
	// Throttle refused. Optional. Default [strategy.MsgTooManyAttempts].
	ThrottledMessage string
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
//   - fail 400, reason [strategy.ErrMalformedCredentials] and
//     [ErrInvalidIdentifier]: Canonicalize refused the username (a bidi
//     override, a zero-width character, a space inside it).
//   - fail 429, reason [strategy.ErrThrottled], with a Retry-After header:
//     the throttle refused the attempt. Verify is not called, so the right
//     password during a lock gets the same answer as a wrong one. The
//     message is ThrottledMessage.
//   - fail 401, reason [strategy.ErrInvalidCredentials] (and
//     [strategy.ErrUserNotFound] when Verify said so): wrong credentials.
//     The message is FailureMessage, or the one Verify's error carries
//     ([strategy.UserMessage]).
//   - error: Verify or the throttle failed (a 500).
//
// A success carries a Set-Cookie header with a new device cookie when
// device cookies are on (the default); passport sends it with the login's
// response, a plain net/http app copies [strategy.Result.Header].
//
// The body is read at most once and put back in r.Body, so a handler can
// still read it or call [http.Request.ParseForm]; a form that the app parsed
// before (r.PostForm or r.MultipartForm set) is read from there.
//
// A Strategy is safe for concurrent use.
type Strategy[U any] struct {
	cfg     Config[U]
	devices *throttle.DeviceCookies // nil: off
}

var (
	_ strategy.Strategy[struct{}] = (*Strategy[struct{}])(nil)
	_ strategy.Namer              = (*Strategy[struct{}])(nil)
)

// New returns a Strategy for cfg, with the defaults filled in: a
// [throttle.Memory] and device cookies with a random key unless turned off.
// It returns an error wrapping [ErrInvalidConfig] that names the field
// when Verify is nil, a limit is negative, both fields have the same name,
// a Disable flag is set together with what it disables, or DeviceCookies
// are given with throttling off (they only choose a throttle budget), and
// an error when the device cookie key cannot be generated.
func New[U any](cfg Config[U]) (*Strategy[U], error) {
	if cfg.Verify == nil {
		return nil, fmt.Errorf("%w: Verify is required", ErrInvalidConfig)
	}
	if cfg.DisableThrottle && cfg.Throttle != nil {
		return nil, fmt.Errorf("%w: both Throttle and DisableThrottle are set", ErrInvalidConfig)
	}
	if cfg.DisableDeviceCookies && cfg.DeviceCookies != nil {
		return nil, fmt.Errorf("%w: both DeviceCookies and DisableDeviceCookies are set", ErrInvalidConfig)
	}
	if cfg.DisableThrottle && cfg.DeviceCookies != nil {
		return nil, fmt.Errorf("%w: DeviceCookies is set but DisableThrottle turns off the throttle they are for", ErrInvalidConfig)
	}
	for _, l := range []struct {
		field string
		v     int64
	}{
		{"MaxUsernameBytes", int64(cfg.MaxUsernameBytes)},
		{"MaxPasswordBytes", int64(cfg.MaxPasswordBytes)},
		{"MaxBodyBytes", cfg.MaxBodyBytes},
	} {
		if l.v < 0 {
			return nil, fmt.Errorf("%w: %s %d is negative", ErrInvalidConfig, l.field, l.v)
		}
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
	if cfg.ThrottledMessage == "" {
		cfg.ThrottledMessage = strategy.MsgTooManyAttempts
	}
	if cfg.Canonicalize == nil {
		cfg.Canonicalize = CanonicalUsername
	}
	if cfg.Throttle == nil && !cfg.DisableThrottle {
		cfg.Throttle = throttle.NewMemory(throttle.MemoryConfig{})
	}
	s := &Strategy[U]{cfg: cfg, devices: cfg.DeviceCookies}
	if s.devices == nil && cfg.Throttle != nil && !cfg.DisableDeviceCookies {
		d, err := throttle.NewDeviceCookies(throttle.DeviceCookieConfig{})
		if err != nil {
			return nil, fmt.Errorf("local: %w", err)
		}
		s.devices = d
	}
	return s, nil
}

// Name returns "local", the name the strategy is usually registered under.
func (s *Strategy[U]) Name() string { return "local" }

// Authenticate reads the credentials from r's body, canonicalises the
// username, asks the throttle (if any) whether this account, client
// address or known device may try now, calls Verify and reports the
// outcome. See [Strategy] for the outcomes.
func (s *Strategy[U]) Authenticate(r *http.Request) (res strategy.Result[U], err error) {
	c, cerr := readCredentials(r, s.cfg.UsernameField, s.cfg.PasswordField, s.cfg.MaxBodyBytes)
	if cerr == nil {
		cerr = s.check(c)
	}
	if cerr != nil {
		return s.credentialsFail(cerr), nil
	}
	username, kerr := s.cfg.Canonicalize(c.username)
	if kerr == nil && username == "" {
		kerr = fmt.Errorf("%w: empty canonical form", ErrInvalidIdentifier)
	}
	if kerr != nil {
		return s.credentialsFail(fmt.Errorf("local: %s: %w: %w", s.cfg.UsernameField, strategy.ErrMalformedCredentials, kerr)).WithUsername(c.username), nil
	}

	ctx := r.Context()
	outcome := throttle.VerdictAborted
	if t := s.cfg.Throttle; t != nil {
		att := throttle.Attempt{Username: username, IP: strategy.ClientIP(r)}
		if s.devices != nil {
			att.Device, _ = s.devices.Device(r, username)
		}
		wait, terr := t.Allow(ctx, att)
		if terr != nil {
			return strategy.Result[U]{}, fmt.Errorf("local: throttle: %w", terr)
		}
		if wait > 0 {
			return s.throttled(wait).WithUsername(username), nil
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

	user, verr := s.cfg.Verify(ctx, username, c.password)
	switch {
	case verr == nil:
		outcome = throttle.VerdictSuccess
		res := strategy.Success(user, strategy.Info{})
		if s.devices != nil {
			cookie, err := s.devices.Issue(r, username)
			if err != nil {
				return strategy.Result[U]{}, fmt.Errorf("local: %w", err)
			}
			res = res.WithHeader("Set-Cookie", cookie.String())
		}
		return res, nil
	case errors.Is(verr, strategy.ErrInvalidCredentials):
		outcome = throttle.VerdictFailure
		return s.wrongCredentials(verr, verr).WithUsername(username), nil
	case errors.Is(verr, strategy.ErrUserNotFound):
		outcome = throttle.VerdictFailure
		return s.wrongCredentials(fmt.Errorf("%w (%w)", strategy.ErrInvalidCredentials, verr), verr).WithUsername(username), nil
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
		return strategy.Fail[U]("", http.StatusRequestEntityTooLarge, strategy.MsgRequestTooLarge).WithReason(err)
	}
	if errors.Is(err, strategy.ErrMissingCredentials) {
		return strategy.Fail[U]("", http.StatusBadRequest, s.cfg.BadRequestMessage).WithReason(err)
	}
	return strategy.Fail[U]("", http.StatusBadRequest, strategy.MsgMalformedCredentials).WithReason(err)
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

// throttled is the 429 fail for an attempt the throttle refused, with
// ThrottledMessage and a Retry-After of wait rounded up to whole seconds.
func (s *Strategy[U]) throttled(wait time.Duration) strategy.Result[U] {
	return strategy.Fail[U]("", http.StatusTooManyRequests, s.cfg.ThrottledMessage).
		WithReason(strategy.ErrThrottled).
		WithHeader("Retry-After", throttle.RetryAfter(wait))
}

// NormalizeUsername returns username trimmed of surrounding white space and
// lower-cased. The strategy no longer uses it: it throttles and looks
// accounts up under [Config.Canonicalize]'s form, which also folds widths,
// normalises and refuses format and bidi characters.
func NormalizeUsername(username string) string {
	return strings.ToLower(strings.TrimSpace(username))
}
