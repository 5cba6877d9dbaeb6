package main

import (
	"context"
	"fmt"

	"github.com/gopassport/passport/strategy"
)

// verify is the local strategy's Verify: the user with this email
// (case-insensitive) and this password. An unknown email costs one dummy
// hash check, as a known one costs one real check, so the response time
// does not tell which emails are registered. A user created by social
// sign-in has no password (an empty hash): every password is wrong for
// it, after the same dummy check. A hash weaker than the
// current parameters (or a bcrypt one) is replaced after a successful
// check, while the password is at hand.
func (a *app) verify(ctx context.Context, email, password string) (*User, error) {
	usr, hash, found, err := a.users.byEmail(ctx, email)
	if err != nil {
		return nil, err
	}
	if !found {
		a.hashes.Add(1)
		a.hasher.CheckDummy(password)
		return nil, strategy.ErrUserNotFound
	}
	if hash == "" {
		a.hashes.Add(1)
		a.hasher.CheckDummy(password)
		return nil, fmt.Errorf("demo: user %d has no password: %w", usr.ID, strategy.ErrInvalidCredentials)
	}
	a.hashes.Add(1)
	ok, err := a.hasher.Check(hash, password)
	if err != nil {
		return nil, fmt.Errorf("demo: checking the password of user %d: %w", usr.ID, err)
	}
	if !ok {
		return nil, strategy.ErrInvalidCredentials
	}
	if a.hasher.NeedsRehash(hash) {
		a.rehash(ctx, usr.ID, password)
	}
	return usr, nil
}

// rehash stores a fresh hash of password. A failure is logged, not
// returned: the password was right, the old hash still works.
func (a *app) rehash(ctx context.Context, id int64, password string) {
	a.hashes.Add(1)
	fresh, err := a.hasher.Hash(password)
	if err == nil {
		err = a.users.setHash(ctx, id, fresh)
	}
	if err != nil {
		a.logger.ErrorContext(ctx, "demo: rehashing a password failed", "user", id, "err", err)
	}
}

// hashPassword hashes a new password.
func (a *app) hashPassword(password string) (string, error) {
	a.hashes.Add(1)
	return a.hasher.Hash(password)
}
