package password

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/gopassport/passport/strategy"
)

// ErrInvalidConfig is wrapped by the errors that [NewVerify] returns for a
// configuration mistake. The error's message names the field.
var ErrInvalidConfig = errors.New("password: invalid config")

// LookupFunc returns the user a username names and its stored password
// hash (argon2id in PHC format or bcrypt). For an unknown username it
// returns an error wrapping [strategy.ErrUserNotFound]. ctx is the
// request's context.
type LookupFunc[U any] func(ctx context.Context, username string) (user U, hash string, err error)

// RehashFunc stores newHash as user's password hash, in place of the old
// one that [Hasher.NeedsRehash] reported. ctx is the request's context.
type RehashFunc[U any] func(ctx context.Context, user U, newHash string) error

// VerifyConfig configures [NewVerify].
type VerifyConfig[U any] struct {
	// Lookup finds the user and its stored hash. Required.
	Lookup LookupFunc[U]
	// Hasher checks the password and makes new hashes. Optional. Default
	// nil: the defaults of [Hasher].
	Hasher *Hasher
	// Rehash, when set, is called after a successful check of a hash that
	// [Hasher.NeedsRehash] reports (a bcrypt hash, argon2id with weaker
	// parameters than Hasher's), with a new hash of the password, which is
	// at hand only now. A failing Rehash, or a failing Hash, does not fail
	// the login (the password was right and the old hash still works): it
	// is logged with Logger, and the next login tries again. Optional.
	// Default nil: hashes are never upgraded.
	Rehash RehashFunc[U]
	// Logger receives the errors of Rehash. Optional. Default
	// [slog.Default].
	Logger *slog.Logger
}

// NewVerify returns a verify callback, for strategy/local's and
// strategy/basic's Config.Verify, that looks the user up, checks the
// password against the stored hash and, when the hash is outdated and
// Rehash is set, stores a new one. It returns an error wrapping
// [ErrInvalidConfig] when Lookup is nil or the Hasher's parameters cannot
// make a sound hash (see [Hasher.Hash]), which would otherwise surface
// only as a failing rehash in the log.
//
// For an unknown username (Lookup's error wraps [strategy.ErrUserNotFound]
// or [strategy.ErrInvalidCredentials]) the callback still checks the
// password against a dummy hash ([Hasher.CheckDummy]), so that known and
// unknown usernames take the same time. An empty hash (an account without a
// password, such as a social-login-only one) is wrong credentials, after the
// same dummy check. Any other error of Lookup, and a stored hash that
// cannot be parsed, are faults (500).
func NewVerify[U any](cfg VerifyConfig[U]) (func(ctx context.Context, username, password string) (U, error), error) {
	if cfg.Lookup == nil {
		return nil, fmt.Errorf("%w: VerifyConfig.Lookup is required", ErrInvalidConfig)
	}
	if err := cfg.Hasher.params().validate(); err != nil {
		return nil, fmt.Errorf("%w: VerifyConfig.%s", ErrInvalidConfig, strings.TrimPrefix(err.Error(), "password: "))
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg.verify, nil
}

// Verify returns a verify callback, for strategy/local's and
// strategy/basic's Config.Verify, that looks the user up and checks the
// password against the stored hash with hasher (nil means the defaults),
// without rehashing: it is [NewVerify] with Lookup and Hasher only.
// To upgrade old hashes on login give [VerifyConfig.Rehash] to
// [NewVerify].
//
// lookup returns the user and its stored hash, and an error wrapping
// [strategy.ErrUserNotFound] for an unknown username; see [NewVerify]
// for the rest. A nil lookup makes every call a fault.
func Verify[U any](lookup LookupFunc[U], hasher *Hasher) func(ctx context.Context, username, password string) (U, error) {
	if lookup == nil {
		return func(context.Context, string, string) (U, error) {
			var zero U
			return zero, errors.New("password: Verify: nil lookup")
		}
	}
	cfg := VerifyConfig[U]{Lookup: lookup, Hasher: hasher, Logger: slog.Default()}
	return cfg.verify
}

// verify is the verify callback of cfg, whose defaults are filled in.
func (cfg VerifyConfig[U]) verify(ctx context.Context, username, password string) (U, error) {
	var zero U
	hasher := cfg.Hasher
	user, hash, err := cfg.Lookup(ctx, username)
	if err != nil {
		if errors.Is(err, strategy.ErrUserNotFound) || errors.Is(err, strategy.ErrInvalidCredentials) {
			hasher.CheckDummy(password)
		}
		return zero, err
	}
	if hash == "" {
		hasher.CheckDummy(password)
		return zero, fmt.Errorf("password: account has no password: %w", strategy.ErrInvalidCredentials)
	}
	ok, err := hasher.Check(hash, password)
	if err != nil {
		return zero, fmt.Errorf("password: stored hash: %w", err)
	}
	if !ok {
		return zero, fmt.Errorf("password: wrong password: %w", strategy.ErrInvalidCredentials)
	}
	if cfg.Rehash != nil && hasher.NeedsRehash(hash) {
		cfg.rehash(ctx, user, password)
	}
	return user, nil
}

// rehash stores a new hash of password for user, logging a failure.
func (cfg VerifyConfig[U]) rehash(ctx context.Context, user U, password string) {
	fresh, err := cfg.Hasher.Hash(password)
	if err == nil {
		err = cfg.Rehash(ctx, user, fresh)
	}
	if err != nil {
		cfg.Logger.ErrorContext(ctx, "password: rehashing a password failed; the old hash stays", "err", err)
	}
}
