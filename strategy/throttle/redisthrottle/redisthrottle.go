package redisthrottle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/internal/configerr"
	"github.com/gopassport/passport/internal/redisopt"
	"github.com/gopassport/passport/internal/throttlekey"
	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/throttle"
)

// Defaults of [Config] that [throttle.MemoryConfig] does not have; the
// limits and delays default to throttle's (throttle.DefaultAccountLimit
// and the rest).
const (
	DefaultKeyPrefix = "passport:throttle:"
	DefaultTimeout   = 500 * time.Millisecond
	// MaxKeyPrefixBytes is the longest KeyPrefix accepted.
	MaxKeyPrefixBytes = 64
)

// ErrInvalidConfig is wrapped by the errors that [New] returns for a
// configuration mistake.
var ErrInvalidConfig = errors.New("redisthrottle: invalid config")

// Config configures a [Throttle]. Every field is optional; zero means the
// default. The limits and delays are those of [throttle.MemoryConfig], with
// the same defaults and the same mistakes refused.
type Config struct {
	// AccountLimit is how many failures an account may have in a window
	// before it is locked. Optional. Default 10
	// ([throttle.DefaultAccountLimit]).
	AccountLimit int
	// IPLimit is how many failures a client address may have in a window
	// before it is locked, whatever the accounts; IPv6 addresses count per
	// /64 network. Optional. Default 100 ([throttle.DefaultIPLimit]).
	IPLimit int
	// DeviceLimit is how many failures one device cookie
	// ([throttle.Attempt.Device]) may have in a window before that device
	// alone is locked. Optional. Default 10 ([throttle.DefaultDeviceLimit]).
	DeviceLimit int
	// Window is how long failures are remembered, from the first failure
	// of a series; after a lock, until Window after the lock ends. It is
	// also how long an attempt allowed but never reported stays in flight.
	// Optional. Default 15 minutes.
	Window time.Duration
	// BaseDelay is the first lock, when a limit is reached; each further
	// failure doubles it. Optional. Default 1 second, or MaxDelay when that
	// is shorter. When set, it must not be longer than MaxDelay.
	BaseDelay time.Duration
	// MaxDelay caps a lock. Optional. Default 15 minutes.
	MaxDelay time.Duration
	// KeyPrefix starts every key the Throttle writes: printable ASCII, no
	// spaces and no braces (the keys' hash tag follows it), at most 64
	// bytes. Instances that share budgets use the same prefix. Optional.
	// Default "passport:throttle:".
	KeyPrefix string
	// Timeout bounds every call to Redis (one per Allow, one per Done).
	// Optional. Default 500 ms.
	Timeout time.Duration
	// FailOpen lets attempts through while Redis is unavailable: Allow
	// then allows the attempt and Done drops its outcome, each logging
	// "redisthrottle: Redis unavailable, failing open" at Error level with
	// the cause. Optional. Default false: Allow and Done return an error
	// wrapping [strategy.ErrUnavailable], and the login answers 503. Only a
	// Redis that is down, slow or refusing fails open; a fault (a key of
	// another type under the prefix, a server that does not run scripts)
	// never does.
	FailOpen bool
	// Logger receives the FailOpen log lines. Optional. Default
	// slog.Default() at the time of the line.
	Logger *slog.Logger
	// Now is the clock. Optional. Default: Redis's own clock (TIME, inside
	// the scripts), so that instances whose clocks differ agree. Tests set
	// a fake one, whose time is then sent with every call.
	Now func() time.Time
}

// Throttle is a [throttle.Throttler] that keeps its counts in Redis, so that
// every instance of the app shares one budget per account, address and
// device. The policy is [throttle.Memory]'s; see the package documentation
// for the keys, the scripts and the failure modes. A Throttle is safe for
// concurrent use.
type Throttle struct {
	client redis.UniversalClient
	allow  *redis.Script
	done   *redis.Script

	timeout  time.Duration
	failOpen bool
	logger   *slog.Logger
	now      func() time.Time

	accountPrefix, ipPrefix, devicePrefix string
	// The scripts' arguments, boxed once.
	window, base, maxDelay             any
	accountLimit, ipLimit, deviceLimit any
}

var _ throttle.Throttler = (*Throttle)(nil)

// New returns a Throttle on client for cfg, with the defaults filled in.
// It returns an error wrapping [ErrInvalidConfig] that names the field for
// a negative limit, duration or Timeout, a BaseDelay longer than MaxDelay,
// or a KeyPrefix that is not printable ASCII without spaces and braces of
// at most 64 bytes; and for a nil client, or a client whose options leave
// ContextTimeoutEnabled off (go-redis then ignores the context's deadline
// on the socket, and Timeout could not bound a stalled server). New sends
// nothing to Redis.
func New(client redis.UniversalClient, cfg Config) (*Throttle, error) {
	if client == nil {
		return nil, configerr.Errorf(ErrInvalidConfig, "redisthrottle: the client is nil")
	}
	if redisopt.IgnoresDeadlines(client) {
		return nil, configerr.Errorf(ErrInvalidConfig, "redisthrottle: the client's options leave ContextTimeoutEnabled off, so Config.Timeout could not bound a call; set it to true")
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	l := cfg.limits().WithDefaults(throttlekey.Limits{
		AccountLimit: throttle.DefaultAccountLimit, IPLimit: throttle.DefaultIPLimit, DeviceLimit: throttle.DefaultDeviceLimit,
		Window: throttle.DefaultWindow, BaseDelay: throttle.DefaultBaseDelay, MaxDelay: throttle.DefaultMaxDelay,
	})
	cfg.AccountLimit, cfg.IPLimit, cfg.DeviceLimit = l.AccountLimit, l.IPLimit, l.DeviceLimit
	cfg.Window, cfg.BaseDelay, cfg.MaxDelay = l.Window, l.BaseDelay, l.MaxDelay
	if cfg.KeyPrefix == "" {
		cfg.KeyPrefix = DefaultKeyPrefix
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	return &Throttle{
		client:        client,
		allow:         redis.NewScript(allowSrc),
		done:          redis.NewScript(doneSrc),
		timeout:       cfg.Timeout,
		failOpen:      cfg.FailOpen,
		logger:        cfg.Logger,
		now:           cfg.Now,
		accountPrefix: recordPrefix(cfg.KeyPrefix, kindAccount),
		ipPrefix:      recordPrefix(cfg.KeyPrefix, kindIP),
		devicePrefix:  recordPrefix(cfg.KeyPrefix, kindDevice),
		window:        millis(cfg.Window),
		base:          millis(cfg.BaseDelay),
		maxDelay:      millis(cfg.MaxDelay),
		accountLimit:  int64(cfg.AccountLimit),
		ipLimit:       int64(cfg.IPLimit),
		deviceLimit:   int64(cfg.DeviceLimit),
	}, nil
}

// limits returns the policy fields of cfg, which the throttles share.
func (cfg Config) limits() throttlekey.Limits {
	return throttlekey.Limits{
		AccountLimit: cfg.AccountLimit, IPLimit: cfg.IPLimit, DeviceLimit: cfg.DeviceLimit,
		Window: cfg.Window, BaseDelay: cfg.BaseDelay, MaxDelay: cfg.MaxDelay, Timeout: cfg.Timeout,
		DefaultMaxDelay: throttle.DefaultMaxDelay,
	}
}

// validate returns the configuration mistake in cfg, if any.
func (cfg Config) validate() error {
	if m := cfg.limits().Mistake(); m != "" {
		return configerr.Errorf(ErrInvalidConfig, "redisthrottle: %s", m)
	}
	if len(cfg.KeyPrefix) > MaxKeyPrefixBytes {
		return configerr.Errorf(ErrInvalidConfig, "redisthrottle: Config.KeyPrefix is %d bytes, longer than %d", len(cfg.KeyPrefix), MaxKeyPrefixBytes)
	}
	if i := strings.IndexFunc(cfg.KeyPrefix, func(r rune) bool { return r <= ' ' || r > '~' || r == '{' || r == '}' }); i >= 0 {
		return configerr.Errorf(ErrInvalidConfig, "redisthrottle: Config.KeyPrefix %q holds %q at byte %d; want printable ASCII without spaces and braces", cfg.KeyPrefix, cfg.KeyPrefix[i:i+1], i)
	}
	return nil
}

// Allow refuses the attempt while its account or its address is locked
// (its device, for an attempt with a Device), or has as many attempts in
// flight as it has failures left; otherwise it reserves the attempt as in
// flight on every record it counts against. It is one script call (EVALSHA)
// bounded by Config.Timeout, none for an attempt with neither Username nor
// IP. When Redis is unavailable it returns an error wrapping
// [strategy.ErrUnavailable], or allows the attempt under Config.FailOpen.
func (t *Throttle) Allow(ctx context.Context, a throttle.Attempt) (time.Duration, error) {
	g := t.target(a)
	if g.n == 0 {
		return 0, nil
	}
	args := make([]any, 0, 5)
	args = append(args, t.clock(), t.window, t.base)
	args = append(args, g.limits[:g.n]...)
	cctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	wait, err := t.allow.Run(cctx, t.client, g.keys[:g.n], args...).Int64()
	if err != nil {
		return 0, t.failed(ctx, "allow", err)
	}
	return time.Duration(wait) * time.Millisecond, nil
}

// Done reports the outcome of an attempt that Allow allowed: it releases
// the reservation, counts a failure against the account and the address
// (the device, for an attempt with a Device), or forgets the account's (the
// device's) failures after a success; an aborted attempt counts nothing. It
// is one script call (EVALSHA) bounded by Config.Timeout. It returns an
// error for an unknown verdict, and when Redis is unavailable an error
// wrapping [strategy.ErrUnavailable], or nil under Config.FailOpen (the
// outcome is then lost).
func (t *Throttle) Done(ctx context.Context, a throttle.Attempt, outcome throttle.Verdict) error {
	var verdict string
	switch outcome {
	case throttle.VerdictFailure:
		verdict = "f"
	case throttle.VerdictSuccess:
		verdict = "s"
	case throttle.VerdictAborted:
		verdict = "a"
	default:
		return fmt.Errorf("redisthrottle: unknown throttle verdict %d", outcome)
	}
	g := t.target(a)
	if g.n == 0 {
		return nil
	}
	args := make([]any, 0, 8)
	args = append(args, t.clock(), verdict, t.window, t.base, t.maxDelay, kindsArg(g))
	args = append(args, g.limits[:g.n]...)
	cctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	if err := t.done.Run(cctx, t.client, g.keys[:g.n], args...).Err(); err != nil {
		return t.failed(ctx, "done", err)
	}
	return nil
}

// clock returns the scripts' first argument: the fake time in
// milliseconds, or "" for the server's clock.
func (t *Throttle) clock() any {
	if t.now == nil {
		return ""
	}
	return t.now().UnixMilli()
}

// kindsArg returns the kinds of g's records, one letter each.
func kindsArg(g target) string {
	switch {
	case g.n == 1 && g.kinds[0] == kindAccount:
		return "a"
	case g.n == 1 && g.kinds[0] == kindIP:
		return "i"
	case g.n == 1:
		return "d"
	default:
		return "ai" // the only pair: an account and its address
	}
}

// failed turns an error of a script call into Allow's or Done's: the
// caller's own cancellation as it is (the client went away; a deadline of
// the caller's that a slow Redis ran out is an outage like Timeout); a fault (a reply that is no outage)
// as it is; an outage wrapping strategy.ErrUnavailable, or nil when failing
// open.
func (t *Throttle) failed(ctx context.Context, op string, err error) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return fmt.Errorf("redisthrottle: %s: %w", op, err)
	}
	if isFault(err) {
		return fmt.Errorf("redisthrottle: %s: %w", op, err)
	}
	if t.failOpen {
		logger := t.logger
		if logger == nil {
			logger = slog.Default()
		}
		logger.LogAttrs(ctx, slog.LevelError, "redisthrottle: Redis unavailable, failing open",
			slog.String("op", op), slog.Any("err", err))
		return nil
	}
	return fmt.Errorf("redisthrottle: %s: %w: %w", op, strategy.ErrUnavailable, err)
}

// isFault reports whether err is a reply of Redis that no retry would
// change: a key of another type under the prefix (WRONGTYPE), or an ERR
// reply (a script error, a proxy without EVALSHA), except the "max number
// of clients" refusal. Every other error is an outage: the network, a
// timeout, a closed or exhausted pool, and the refusals of a server that
// is loading, read-only, out of memory, busy, down or unauthenticated.
func isFault(err error) bool {
	var rerr redis.Error
	if !errors.As(err, &rerr) {
		return false
	}
	if redis.IsMaxClientsError(err) {
		return false
	}
	msg := rerr.Error()
	return strings.HasPrefix(msg, "WRONGTYPE") || strings.HasPrefix(msg, "ERR")
}
