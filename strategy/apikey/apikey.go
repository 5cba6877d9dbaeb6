package apikey

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gopassport/passport/internal/configerr"
	"github.com/gopassport/passport/internal/httpsyntax"
	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/throttle"
)

// ErrInvalidConfig is wrapped by the errors that [New] returns for a
// configuration mistake. The error's message names the field.
var ErrInvalidConfig = errors.New("apikey: invalid config")

// configErrorf returns a configuration mistake matching ErrInvalidConfig.
func configErrorf(format string, args ...any) error {
	return configerr.Errorf(ErrInvalidConfig, format, args...)
}

// Defaults of [Config].
const (
	// DefaultHeader is the header read when [Config.Header] is empty.
	DefaultHeader = "X-API-Key"
	// DefaultChallengeScheme is the auth-scheme of the default challenge
	// when [Config.Scheme] is empty. No scheme for API keys is registered
	// with IANA; "ApiKey" is the one Elasticsearch and several API gateways
	// use for "Authorization: ApiKey <key>", and it tells a client plainly
	// what is missing.
	DefaultChallengeScheme = "ApiKey"
	// DefaultRealm is the realm of the default challenge.
	DefaultRealm = "api"
	// DefaultMaxKeyBytes is the longest key read when [Config.MaxKeyBytes]
	// is 0.
	DefaultMaxKeyBytes = 512
)

// Messages of the fails, meant for the user (Info.Message): texts of the
// catalogue in package strategy, translated where they are shown. A fail
// names no username: a key is a secret, and the audit log must not get it.
const (
	msgMissing   = strategy.MsgAPIKeyRequired
	msgMalformed = strategy.MsgMalformedAPIKey
	msgInvalid   = strategy.MsgInvalidAPIKey
	msgThrottled = strategy.MsgTooManyAttempts
	msgScope     = strategy.MsgNotAllowed
)

// Config configures the API key strategy. The key is looked for in the
// Header, then (when Scheme is set) in the Authorization header, then (when
// QueryParam is set) in the query; the first source that holds a non-empty
// value is used.
type Config[U any] struct {
	// Header is the request header that carries the key. Optional. Default
	// [DefaultHeader]. It must be a valid header name other than
	// Authorization (use Scheme for that).
	Header string
	// DisableHeader turns the Header source off, for an API that takes the
	// key only from Authorization or the query. Optional. Setting it
	// together with Header is a configuration error.
	DisableHeader bool
	// Scheme, when set, also reads the key from "Authorization: <Scheme>
	// <key>", the scheme matched case-insensitively; "ApiKey" and "Bearer"
	// are common. An Authorization header of another scheme is left to
	// other strategies. Optional. Default "": Authorization is not read.
	Scheme string
	// QueryParam, when set, also reads the key from this query parameter,
	// such as "api_key", made of letters, digits and "-._~". Optional and
	// off by default, because a key in the URL leaks: URLs are written to
	// access logs (ours, proxies', CDNs'), browser history and bookmarks,
	// and are sent to other sites in the Referer header. Turn it on only for
	// clients that cannot set headers (webhook senders, some feed readers),
	// and prefer keys that can be rotated easily for them.
	QueryParam string
	// Verify looks the key up and returns its user. Required.
	//
	// It returns [strategy.ErrInvalidCredentials] or
	// [strategy.ErrUserNotFound] for an unknown or revoked key (a 401 fail
	// whose Reason matches [strategy.ErrInvalidCredentials]),
	// [strategy.ErrThrottled] to refuse the attempt (429),
	// [strategy.ErrInsufficientScope] for a key that may not use this route
	// (403), or any other error for a fault of the server (database down),
	// which Authenticate returns wrapped and passport answers with a 500.
	// A sentinel wrapped with [strategy.WithUserMessage] keeps its status,
	// and the fail shows the app's message in place of the strategy's
	// ("Invalid API key.").
	//
	// Store keys hashed and look them up by [Hash]: a stolen database then
	// holds no usable key. The key Verify gets is at most MaxKeyBytes long
	// and made of visible ASCII characters. Verify must be safe for
	// concurrent use.
	Verify func(ctx context.Context, key string) (U, error)
	// Challenge is the WWW-Authenticate value that every fail carries, so
	// that a client without a key learns how to send one and a route that
	// accepts several strategies can offer every challenge. It must not
	// contain control characters. Optional. Default `ApiKey realm="api"`,
	// or `<Scheme> realm="api"` when Scheme is set.
	Challenge string
	// MaxKeyBytes is the longest key accepted; a longer one is a 400 fail,
	// refused before Verify runs. Optional. Default [DefaultMaxKeyBytes].
	MaxKeyBytes int
	// Throttle limits repeated unknown keys per client address (an API key
	// names no account, so [throttle.Attempt.Username] is empty): an
	// attempt it refuses is a 429 fail with Retry-After and
	// [strategy.ErrThrottled], and Verify is not called. The same
	// [throttle.Throttler] strategy/local and strategy/basic take. Optional.
	// Default nil: no throttling (random keys are too long to guess, so
	// this mostly spares the database a flood of lookups).
	Throttle throttle.Throttler
}

// Strategy authenticates a request by an API key. The outcomes:
//
//   - No key in any configured source (or only empty ones): a 401 fail
//     with the challenge and [strategy.ErrMissingCredentials]. Its Status
//     is 0, which means 401 and, as in Passport, lets a 400 from another
//     strategy of the same route win.
//   - A repeated header or query parameter, a key longer than MaxKeyBytes,
//     a key with characters other than visible ASCII: a 400 fail with
//     [strategy.ErrMalformedCredentials], before Verify runs.
//   - An unknown key: a 401 fail with the challenge and
//     [strategy.ErrInvalidCredentials].
//   - A known key: a success with the user.
//   - With a Throttle, an attempt it refuses: a 429 fail with a Retry-After
//     header and [strategy.ErrThrottled], before Verify runs.
//
// A Strategy is safe for concurrent use.
type Strategy[U any] struct {
	header      string // "" when disabled
	scheme      string
	queryParam  string
	verify      func(ctx context.Context, key string) (U, error)
	challenge   string
	maxKeyBytes int
	throttle    throttle.Throttler
}

var _ strategy.Strategy[string] = (*Strategy[string])(nil)

// New returns an API key strategy. It reports an error wrapping
// [ErrInvalidConfig] when Verify is missing, a header name or scheme is
// not a valid token, Header is set with DisableHeader, QueryParam holds a
// character a query would split or escape, the challenge holds a control
// character, MaxKeyBytes is negative, or no source is left to read the key
// from.
func New[U any](cfg Config[U]) (*Strategy[U], error) {
	if cfg.Verify == nil {
		return nil, configErrorf("apikey: Config.Verify is required")
	}
	s := &Strategy[U]{
		scheme:      cfg.Scheme,
		queryParam:  cfg.QueryParam,
		verify:      cfg.Verify,
		challenge:   cfg.Challenge,
		maxKeyBytes: cfg.MaxKeyBytes,
		throttle:    cfg.Throttle,
	}
	if cfg.DisableHeader && cfg.Header != "" {
		return nil, configErrorf("apikey: Config.Header %q is set together with Config.DisableHeader", cfg.Header)
	}
	if !cfg.DisableHeader {
		s.header = cfg.Header
		if s.header == "" {
			s.header = DefaultHeader
		}
		if !httpsyntax.IsToken(s.header) {
			return nil, configErrorf("apikey: Config.Header %q is not a valid header name", s.header)
		}
		if strings.EqualFold(s.header, "Authorization") {
			return nil, configErrorf("apikey: Config.Header is Authorization; set Config.Scheme instead")
		}
	}
	if s.scheme != "" && !httpsyntax.IsToken(s.scheme) {
		return nil, configErrorf("apikey: Config.Scheme %q is not a valid auth-scheme", s.scheme)
	}
	if s.queryParam != "" && url.QueryEscape(s.queryParam) != s.queryParam {
		return nil, configErrorf("apikey: Config.QueryParam %q holds characters a query string escapes or splits on", s.queryParam)
	}
	if s.header == "" && s.scheme == "" && s.queryParam == "" {
		return nil, configErrorf("apikey: no source for the key: the header is disabled and neither Config.Scheme nor Config.QueryParam is set")
	}
	if s.maxKeyBytes < 0 {
		return nil, configErrorf("apikey: Config.MaxKeyBytes %d is negative", s.maxKeyBytes)
	}
	if s.maxKeyBytes == 0 {
		s.maxKeyBytes = DefaultMaxKeyBytes
	}
	if s.challenge == "" {
		scheme := DefaultChallengeScheme
		if s.scheme != "" {
			scheme = s.scheme
		}
		s.challenge = scheme + ` realm="` + DefaultRealm + `"`
	}
	if strings.ContainsFunc(s.challenge, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return nil, configErrorf("apikey: Config.Challenge %q contains a control character", s.challenge)
	}
	return s, nil
}

// Name returns "apikey", the name the strategy is usually registered under.
func (s *Strategy[U]) Name() string { return "apikey" }

// Challenge returns the WWW-Authenticate value that every fail carries.
func (s *Strategy[U]) Challenge() string { return s.challenge }

// Authenticate reads the key from r and looks it up. See [Strategy] for the
// outcomes. It returns an error only when Verify reported a fault, or the
// Throttle did.
func (s *Strategy[U]) Authenticate(r *http.Request) (res strategy.Result[U], err error) {
	key, err := s.extract(r)
	switch {
	case errors.Is(err, strategy.ErrMissingCredentials):
		return s.fail(0, msgMissing, err), nil
	case err != nil:
		return s.fail(http.StatusBadRequest, msgMalformed, err), nil
	}
	ctx := r.Context()
	if s.throttle == nil {
		res, err = s.verifyResult(s.verify(ctx, key))
		if err != nil {
			err = fmt.Errorf("apikey: %w", err)
		}
		return res, err
	}
	res, err = throttle.Guard(ctx, s.throttle, throttle.Attempt{IP: strategy.ClientIP(r)},
		func(wait time.Duration) strategy.Result[U] {
			return s.fail(http.StatusTooManyRequests, msgThrottled, strategy.ErrThrottled).WithHeader("Retry-After", throttle.RetryAfter(wait))
		},
		func() (strategy.Result[U], error) {
			return s.verifyResult(s.verify(ctx, key))
		})
	if err != nil {
		err = fmt.Errorf("apikey: %w", err)
	}
	return res, err
}

// verifyResult maps Verify's answer to a result: a user is a success, a
// verify refusal a fail, anything else a fault.
func (s *Strategy[U]) verifyResult(user U, err error) (strategy.Result[U], error) {
	return strategy.VerifyResult("apikey", s.challenge, verifyMessages(), user, err)
}

func (s *Strategy[U]) fail(status int, msg string, reason error) strategy.Result[U] {
	return strategy.Fail[U](s.challenge, status, msg).WithReason(reason)
}

// verifyMessages are the texts of the fails a Verify error maps to.
func verifyMessages() strategy.FailMessages {
	return strategy.FailMessages{Invalid: msgInvalid, Malformed: msgMalformed, Scope: msgScope, Throttled: msgThrottled}
}
