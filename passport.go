package passport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
)

// ErrUserNotFound is what a Deserialize returns for a user that no longer
// exists: the session is then logged out silently. It is the same value as
// [strategy.ErrUserNotFound].
var ErrUserNotFound = strategy.ErrUserNotFound

// ErrInvalidConfig is wrapped by the errors of a configuration mistake:
// those [New], [Route.Err] and every Config's Validate return, and the
// values the middleware constructors (XWithConfig, [Route.Middleware],
// [Route.Handler]) and [ErrorHandler] panic with at construction. The
// error's message names the field.
var ErrInvalidConfig = errors.New("passport: invalid config")

// DefaultUnavailableRetryAfter is the Retry-After of a 503 for a store
// that is down, when Config.UnavailableRetryAfter is zero.
const DefaultUnavailableRetryAfter = 5 * time.Second

// Session keys written by the Authenticator.
const (
	// UserKey is the session key under which the serialized user is kept.
	UserKey = session.UserKey
	// ReturnToKey is the session key under which RequireLogin remembers the
	// page a visitor asked for before logging in.
	ReturnToKey = "passport.return_to"
)

// Config configures an [Authenticator].
type Config[U any] struct {
	// Sessions keeps login sessions. Optional: without it only stateless
	// routes (Stateless, or a Callback) can be built, and Session panics.
	Sessions *session.Manager
	// Serialize turns a user into the string kept in the session, usually
	// its ID. Required.
	Serialize func(U) (string, error)
	// Deserialize loads the user from that string. It runs at most once per
	// request, and only when something asks for the user. Returning an
	// error that wraps ErrUserNotFound logs the session out silently; any
	// other error is a fault (500). Required.
	Deserialize func(ctx context.Context, key string) (U, error)
	// KeepOnLogin lists session keys (a trailing "*" matches a prefix) that
	// survive the regeneration at login and at logout, as Passport's
	// keepSessionInfo does on both. Flash messages always survive both;
	// the return-to URL survives login. The CSRF secret never survives: it
	// is replaced at every regeneration. Optional. Default none: like
	// Passport 0.6, anything an anonymous visitor put in the session is
	// dropped when they log in, and anything a user put there is dropped
	// when they log out. No entry may be empty or match UserKey ("*",
	// "passport.*"): the user would survive the logout.
	KeepOnLogin []string
	// Logger receives faults (the errors behind a 500), with the strategy
	// and path, never credentials. Optional. Default slog.Default().
	Logger *slog.Logger
	// Audit receives one record, at Info level, per login, failed login
	// and logout (event, strategy, user key, client IP; a failed login
	// also the escaped username tried, when the strategy gave one), and
	// one at Warn level per session cookie that does not decode
	// ("session.tamper"). Never a password, token, cookie value or session
	// ID. Optional. Default slog.Default(); DisableAudit turns it off.
	// A success on a Stateless route (a bearer token on every API request)
	// is recorded only when Audit is set, so the default logs logins, not
	// traffic.
	Audit *slog.Logger
	// DisableAudit turns the audit records off. Optional. Default false.
	// Setting both Audit and DisableAudit is a configuration error.
	DisableAudit bool
	// UnavailableRetryAfter is the Retry-After of the 503 that answers a
	// request whose store is down (an error wrapping
	// [strategy.ErrUnavailable]). Optional. Default
	// [DefaultUnavailableRetryAfter]. It must not be negative.
	UnavailableRetryAfter time.Duration
	// Revokers end what a user holds besides sessions when
	// [Authenticator.LogoutAll] runs: a strategy/jwt Issuer (its RevokeUser
	// refuses the user's access and refresh tokens). Optional.
	Revokers []UserRevoker
	// Translate turns every flash message the Authenticator writes into
	// the app's words, once, when it is written, with the request's
	// context: the strategies' messages (texts of the catalogue listed by
	// [strategy.Messages]), the route's own (SuccessFlash, FailureFlash,
	// SuccessMessage, FailureMessage, LoginFlash: IDs of the app's
	// catalogue) and RequireLogin's [strategy.MsgPleaseLogIn]. The session
	// keeps the translated text, which the app shows as it is. Give
	// [ErrorHandlerConfig.Translate] the same function, for the messages
	// of the error responses. Optional. Default: the English text.
	Translate strategy.Translator
	// MaxSessions caps the sessions one user has at once, on every
	// instance of the app: a login beyond it ends the user's oldest
	// sessions or is refused, as MaxSessionsPolicy says. It needs a
	// server-side store that lists a user's sessions
	// ([session.UserSessions]: session/sqlstore, session/redisstore); the
	// cookie store cannot count them. Optional. Default 0: no cap. It
	// must not be negative.
	MaxSessions int
	// MaxSessionsPolicy says what a login does when the user already has
	// MaxSessions sessions: [EndOldest] ends the oldest ones once the new
	// session is saved (best effort: a store fault is logged and the
	// login holds), [RefuseNew] refuses the login (a 403, or the store's
	// fault when it cannot count: 503 for a store that is down). Optional.
	// Default EndOldest. Setting it without MaxSessions is a
	// configuration error.
	MaxSessionsPolicy SessionCapPolicy
}

// Authenticator holds named strategies and turns their outcomes into Echo
// responses, logins and sessions. Create one with [New]. It is safe for
// concurrent use, including Use and Unuse while serving.
type Authenticator[U any] struct {
	sessions     *session.Manager
	serialize    func(U) (string, error)
	deserialize  func(context.Context, string) (U, error)
	keepOnLogin  []string
	keepOnLogout []string
	logger       *slog.Logger
	audit        *slog.Logger
	// auditStateless records Stateless successes: only with an explicit
	// Config.Audit, never with the slog.Default() fallback.
	auditStateless bool
	translate      strategy.Translator
	// retryUnavailable is the Retry-After header of a 503 for a store that
	// is down, in seconds.
	retryUnavailable string
	revokers         []UserRevoker
	// maxSessions and maxSessionsPolicy are Config.MaxSessions and
	// Config.MaxSessionsPolicy.
	maxSessions       int
	maxSessionsPolicy SessionCapPolicy

	mu         sync.Mutex // serialises writers of strategies
	strategies atomic.Pointer[map[string]strategy.Strategy[U]]
}

// New returns an Authenticator, or an error wrapping [ErrInvalidConfig]
// that names the field when cfg is incomplete or contradictory: no
// Serialize or Deserialize, Audit with DisableAudit, or a KeepOnLogin
// entry that is empty or keeps the user key (which would keep the user
// logged in through a logout), a negative MaxSessions, or a MaxSessions
// whose store cannot list a user's sessions.
func New[U any](cfg Config[U]) (*Authenticator[U], error) {
	if cfg.Serialize == nil {
		return nil, fmt.Errorf("%w: Config.Serialize is required", ErrInvalidConfig)
	}
	if cfg.Deserialize == nil {
		return nil, fmt.Errorf("%w: Config.Deserialize is required", ErrInvalidConfig)
	}
	if cfg.Audit != nil && cfg.DisableAudit {
		return nil, fmt.Errorf("%w: Config.Audit and Config.DisableAudit are both set", ErrInvalidConfig)
	}
	for _, k := range cfg.KeepOnLogin {
		switch {
		case k == "":
			return nil, fmt.Errorf("%w: Config.KeepOnLogin holds an empty key", ErrInvalidConfig)
		case keepsKey(k, UserKey):
			return nil, fmt.Errorf("%w: Config.KeepOnLogin entry %q keeps %q, so a logout would not log the user out", ErrInvalidConfig, k, UserKey)
		}
	}
	a := &Authenticator[U]{
		sessions:       cfg.Sessions,
		serialize:      cfg.Serialize,
		deserialize:    cfg.Deserialize,
		keepOnLogin:    append([]string{ReturnToKey, session.FlashKeys}, cfg.KeepOnLogin...),
		keepOnLogout:   append([]string{session.FlashKeys}, cfg.KeepOnLogin...),
		logger:         cfg.Logger,
		audit:          cfg.Audit,
		auditStateless: cfg.Audit != nil,
		translate:      cfg.Translate,
		revokers:       append([]UserRevoker(nil), cfg.Revokers...),

		maxSessions:       cfg.MaxSessions,
		maxSessionsPolicy: cfg.MaxSessionsPolicy,
	}
	if err := validateSessionCap(cfg.MaxSessions, cfg.MaxSessionsPolicy, cfg.Sessions); err != nil {
		return nil, err
	}
	for i, r := range cfg.Revokers {
		if r == nil {
			return nil, fmt.Errorf("%w: Config.Revokers[%d] is nil", ErrInvalidConfig, i)
		}
	}
	switch wait := cfg.UnavailableRetryAfter; {
	case wait < 0:
		return nil, fmt.Errorf("%w: Config.UnavailableRetryAfter %v is negative", ErrInvalidConfig, wait)
	case wait == 0:
		a.retryUnavailable = strconv.FormatInt(int64(DefaultUnavailableRetryAfter/time.Second), 10)
	default:
		a.retryUnavailable = strconv.FormatInt(int64((wait+time.Second-1)/time.Second), 10)
	}
	if a.logger == nil {
		a.logger = slog.Default()
	}
	if a.audit == nil && !cfg.DisableAudit {
		a.audit = slog.Default()
	}
	empty := map[string]strategy.Strategy[U]{}
	a.strategies.Store(&empty)
	return a, nil
}

// keepsKey reports whether the KeepOnLogin pattern p (a trailing "*"
// matches a prefix, as [session.Session.Clear] reads it) matches key.
func keepsKey(p, key string) bool {
	if prefix, ok := strings.CutSuffix(p, "*"); ok {
		return strings.HasPrefix(key, prefix)
	}
	return p == key
}

// Use registers s under name, replacing any strategy of that name.
func (a *Authenticator[U]) Use(name string, s strategy.Strategy[U]) error {
	if name == "" {
		return errors.New("passport: Use needs a strategy name")
	}
	if s == nil {
		return fmt.Errorf("passport: Use(%q) with a nil strategy", name)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	old := *a.strategies.Load()
	next := make(map[string]strategy.Strategy[U], len(old)+1)
	for k, v := range old {
		next[k] = v
	}
	next[name] = s
	a.strategies.Store(&next)
	return nil
}

// Unuse removes the strategy called name. Routes built with it answer 500
// until a strategy of that name is registered again.
func (a *Authenticator[U]) Unuse(name string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	old := *a.strategies.Load()
	if _, ok := old[name]; !ok {
		return
	}
	next := make(map[string]strategy.Strategy[U], len(old))
	for k, v := range old {
		if k != name {
			next[k] = v
		}
	}
	a.strategies.Store(&next)
}

// Strategy returns the strategy registered under name.
func (a *Authenticator[U]) Strategy(name string) (strategy.Strategy[U], bool) {
	s, ok := (*a.strategies.Load())[name]
	return s, ok
}

// SessionManager returns the session manager of Config.Sessions, nil when
// there is none (and the Session middleware cannot be built).
func (a *Authenticator[U]) SessionManager() *session.Manager { return a.sessions }
