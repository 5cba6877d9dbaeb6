package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/password"
)

// User is an account of the API.
type User struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	hash  string // argon2id, PHC format
}

// seedUser is an account created at start, with its password in clear.
type seedUser struct {
	ID, Name, Email, Password string
}

// userStore holds the users in memory. It is filled once by newUserStore
// and only read afterwards, so it is safe for concurrent use without a
// lock.
type userStore struct {
	byID    map[string]*User
	byEmail map[string]*User // keyed by normalizeEmail
}

// newUserStore hashes the seeds' passwords with hasher (nil: the defaults).
func newUserStore(seeds []seedUser, hasher *password.Hasher) (*userStore, error) {
	s := &userStore{byID: make(map[string]*User, len(seeds)), byEmail: make(map[string]*User, len(seeds))}
	for _, su := range seeds {
		email := normalizeEmail(su.Email)
		if su.ID == "" || email == "" || su.Password == "" {
			return nil, fmt.Errorf("api: user %q needs an ID, an email and a password", su.Email)
		}
		if s.byID[su.ID] != nil || s.byEmail[email] != nil {
			return nil, fmt.Errorf("api: duplicate user %q", su.Email)
		}
		hash, err := hasher.Hash(su.Password)
		if err != nil {
			return nil, fmt.Errorf("api: hashing the password of %q: %w", su.Email, err)
		}
		u := &User{ID: su.ID, Name: su.Name, Email: su.Email, hash: hash}
		s.byID[u.ID] = u
		s.byEmail[email] = u
	}
	return s, nil
}

// normalizeEmail is the form emails are looked up by.
func normalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// lookupHash is the local strategy's lookup: the user of an email and the
// stored hash, or strategy.ErrUserNotFound.
func (s *userStore) lookupHash(_ context.Context, email string) (*User, string, error) {
	u, ok := s.byEmail[normalizeEmail(email)]
	if !ok {
		return nil, "", strategy.ErrUserNotFound
	}
	return u, u.hash, nil
}

// byIDErr returns the user of id, or an error wrapping
// strategy.ErrUserNotFound: a token or a session of a deleted user is
// refused.
func (s *userStore) byIDErr(_ context.Context, id string) (*User, error) {
	u, ok := s.byID[id]
	if !ok {
		return nil, fmt.Errorf("api: user %q: %w", id, strategy.ErrUserNotFound)
	}
	return u, nil
}
