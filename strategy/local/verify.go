package local

import (
	"context"
	"errors"
	"fmt"

	"github.com/gopassport/passport/strategy"
)

// VerifyWithHash returns a [VerifyFunc] that looks the user up and checks the
// password against the stored hash with hasher (nil means the defaults).
//
// lookup returns the user and its stored hash (argon2id in PHC format or
// bcrypt). For an unknown username it returns an error wrapping
// [strategy.ErrUserNotFound]; the VerifyFunc then still checks the password
// against a dummy hash ([Hasher.CheckDummy]), so that known and unknown
// usernames take the same time. An empty hash (an account without a
// password, such as a social-login-only one) is wrong credentials, after the
// same dummy check. Any other error of lookup, and a stored hash that cannot
// be parsed, are faults (500).
//
// VerifyWithHash does not rehash. To upgrade old hashes (bcrypt, or argon2id
// with parameters weaker than hasher's) write the VerifyFunc yourself: after
// [Hasher.Check] succeeds, if [Hasher.NeedsRehash] reports true, store
// [Hasher.Hash] of the password in place of the old hash.
func VerifyWithHash[U any](lookup func(ctx context.Context, username string) (user U, hash string, err error), hasher *Hasher) VerifyFunc[U] {
	return func(ctx context.Context, username, password string) (U, error) {
		var zero U
		if lookup == nil {
			return zero, errors.New("local: VerifyWithHash: nil lookup")
		}
		user, hash, err := lookup(ctx, username)
		if err != nil {
			if errors.Is(err, strategy.ErrUserNotFound) || errors.Is(err, strategy.ErrInvalidCredentials) {
				hasher.CheckDummy(password)
			}
			return zero, err
		}
		if hash == "" {
			hasher.CheckDummy(password)
			return zero, fmt.Errorf("local: account has no password: %w", strategy.ErrInvalidCredentials)
		}
		ok, err := hasher.Check(hash, password)
		if err != nil {
			return zero, fmt.Errorf("local: stored hash: %w", err)
		}
		if !ok {
			return zero, fmt.Errorf("local: wrong password: %w", strategy.ErrInvalidCredentials)
		}
		return user, nil
	}
}
