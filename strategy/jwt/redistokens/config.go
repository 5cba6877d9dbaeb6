package redistokens

import (
	"errors"
	"time"

	"github.com/gopassport/passport/internal/configerr"
)

// DefaultKeyPrefix starts every key of a Store when Config.KeyPrefix is
// empty.
const DefaultKeyPrefix = "passport:jwt:"

// DefaultTimeout bounds each call to Redis when Config.Timeout is zero.
const DefaultTimeout = 500 * time.Millisecond

// DefaultNotBeforeTTL is how long a subject's not-before time is kept when
// Config.NotBeforeTTL is zero: the default MaxTokenLifetime of the jwt
// strategy, which refuses any token that lives longer, so no token a
// default strategy accepts outlives it, whatever the issuer (whose own
// default AccessTTL is 15 minutes).
const DefaultNotBeforeTTL = 24 * time.Hour

// maxKeyPrefix is the longest Config.KeyPrefix accepted, in bytes.
const maxKeyPrefix = 64

// ErrInvalidConfig is wrapped by the errors that [New] returns for a
// configuration mistake. The error's message names the field.
var ErrInvalidConfig = errors.New("redistokens: invalid config")

// Config configures [New].
type Config struct {
	// KeyPrefix starts the name of every key the store writes: printable
	// ASCII without spaces, at most 64 bytes. The store appends the hash
	// tag "{t}" to it, so that all its keys share one Redis Cluster slot
	// (see the package documentation); a prefix holding a tag of its own,
	// such as "app1:{jwt}:", chooses the slot instead. Optional. Default
	// [DefaultKeyPrefix].
	KeyPrefix string
	// Timeout bounds each call to Redis (context.WithTimeout on the
	// caller's context). The client must honour contexts for it to hold:
	// set redis.Options.ContextTimeoutEnabled (or a ReadTimeout and
	// WriteTimeout no longer than Timeout). Optional. Default
	// [DefaultTimeout].
	Timeout time.Duration
	// NotBeforeTTL is how long a subject's not-before time, set by
	// [Store.RevokeSubject], is kept after the revocation: it must be at
	// least the longest life of an access token the strategy accepts (its
	// MaxTokenLifetime, or the issuers' longest AccessTTL), or an access
	// token issued before the revocation would be accepted again once the
	// time is gone. Optional. Default [DefaultNotBeforeTTL].
	NotBeforeTTL time.Duration
	// Now returns the current time, from which the TTLs of the keys are
	// computed (a record lives until its ExpiresAt by this clock).
	// Optional, for tests. Default time.Now.
	Now func() time.Time
}

// withDefaults validates cfg and fills in its defaults.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.KeyPrefix == "" {
		cfg.KeyPrefix = DefaultKeyPrefix
	}
	if len(cfg.KeyPrefix) > maxKeyPrefix {
		return cfg, configerr.Errorf(ErrInvalidConfig, "redistokens: Config.KeyPrefix is %d bytes long; want at most %d", len(cfg.KeyPrefix), maxKeyPrefix)
	}
	for i := range len(cfg.KeyPrefix) {
		if c := cfg.KeyPrefix[i]; c <= ' ' || c > '~' {
			return cfg, configerr.Errorf(ErrInvalidConfig, "redistokens: Config.KeyPrefix %q: want printable ASCII without spaces", cfg.KeyPrefix)
		}
	}
	switch {
	case cfg.Timeout < 0:
		return cfg, configerr.Errorf(ErrInvalidConfig, "redistokens: Config.Timeout %v is negative", cfg.Timeout)
	case cfg.Timeout == 0:
		cfg.Timeout = DefaultTimeout
	}
	switch {
	case cfg.NotBeforeTTL < 0:
		return cfg, configerr.Errorf(ErrInvalidConfig, "redistokens: Config.NotBeforeTTL %v is negative", cfg.NotBeforeTTL)
	case cfg.NotBeforeTTL == 0:
		cfg.NotBeforeTTL = DefaultNotBeforeTTL
	case cfg.NotBeforeTTL < time.Millisecond:
		return cfg, configerr.Errorf(ErrInvalidConfig, "redistokens: Config.NotBeforeTTL %v is shorter than a millisecond", cfg.NotBeforeTTL)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return cfg, nil
}
