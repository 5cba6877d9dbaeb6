package jwt

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// refreshTokenLen is the length of a refresh token: 32 bytes in base64url
// without padding.
const refreshTokenLen = 43

// HashRefreshToken returns the form in which a [Store] keeps a refresh
// token: the hex SHA-256 of the token. A stolen database therefore holds
// no usable token.
func HashRefreshToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// validRefreshToken checks the token's shape before any store is asked.
func validRefreshToken(token string) bool {
	if len(token) != refreshTokenLen {
		return false
	}
	_, err := base64.RawURLEncoding.Strict().DecodeString(token)
	return err == nil
}

// Issue starts a session for subject: it returns an access token and a
// refresh token that starts a new family. It needs a [Store].
func (i *Issuer) Issue(ctx context.Context, subject string, scope ...string) (TokenPair, error) {
	if i.store == nil {
		return TokenPair{}, ErrNoStore
	}
	family, err := randomString(i.rand, 16)
	if err != nil {
		return TokenPair{}, err
	}
	return i.pair(ctx, family, subject, scope)
}

// pair signs an access token and saves a new refresh token of family.
func (i *Issuer) pair(ctx context.Context, family, subject string, scope []string) (TokenPair, error) {
	access, exp, fingerprint, err := i.accessToken(subject, family, scope)
	if err != nil {
		return TokenPair{}, err
	}
	refresh, err := randomString(i.rand, 32)
	if err != nil {
		return TokenPair{}, err
	}
	now := i.now()
	rec := RefreshRecord{
		Hash:      HashRefreshToken(refresh),
		Family:    family,
		Subject:   subject,
		Scope:     append([]string(nil), scope...),
		IssuedAt:  now,
		ExpiresAt: now.Add(i.refreshTTL),
	}
	if err := i.store.SaveRefresh(ctx, rec); err != nil {
		return TokenPair{}, fmt.Errorf("jwt: save refresh token: %w", err)
	}
	return TokenPair{
		AccessToken:      access,
		TokenType:        "Bearer",
		ExpiresIn:        int64(i.accessTTL.Seconds()),
		RefreshToken:     refresh,
		Scope:            strings.Join(scope, " "),
		ExpiresAt:        exp,
		RefreshExpiresAt: rec.ExpiresAt,
		Fingerprint:      fingerprint,
	}, nil
}

// Refresh rotates a refresh token: it marks it used and returns a new
// access token and a new refresh token of the same family, with the same
// subject and scopes.
//
// It returns [ErrRefreshInvalid] for an unknown or malformed token,
// [ErrRefreshExpired], [ErrRefreshRevoked] for a token of a revoked family,
// and [ErrRefreshReused] for a token that was already rotated: then the
// whole family is revoked, including the token it was rotated to, and the
// user must log in again. Other errors are faults of the store.
func (i *Issuer) Refresh(ctx context.Context, refreshToken string) (TokenPair, error) {
	if i.store == nil {
		return TokenPair{}, ErrNoStore
	}
	if !validRefreshToken(refreshToken) {
		return TokenPair{}, ErrRefreshInvalid
	}
	now := i.now()
	rec, err := i.store.UseRefresh(ctx, HashRefreshToken(refreshToken), now)
	switch {
	case errors.Is(err, ErrNotFound):
		return TokenPair{}, ErrRefreshInvalid
	case err != nil:
		return TokenPair{}, fmt.Errorf("jwt: use refresh token: %w", err)
	}
	if !rec.RevokedAt.IsZero() {
		return TokenPair{}, ErrRefreshRevoked
	}
	if !rec.UsedAt.IsZero() {
		if err := i.store.RevokeFamily(ctx, rec.Family, now); err != nil {
			return TokenPair{}, errors.Join(ErrRefreshReused, fmt.Errorf("jwt: revoke family: %w", err))
		}
		return TokenPair{}, ErrRefreshReused
	}
	if !now.Before(rec.ExpiresAt) {
		return TokenPair{}, ErrRefreshExpired
	}
	return i.pair(ctx, rec.Family, rec.Subject, rec.Scope)
}

// Revoke ends the session of a refresh token (logout): its whole family is
// revoked. A malformed or unknown token returns [ErrRefreshInvalid]; an
// already revoked one returns nil. The access tokens issued to the family
// are refused from then on by a strategy whose [Config.Revocations] is the
// same store (their "sid" names the family); [Issuer.RevokeUser] ends
// every login of a user.
func (i *Issuer) Revoke(ctx context.Context, refreshToken string) error {
	return i.revoke(ctx, refreshToken, "")
}

// RevokeFor is [Issuer.Revoke] for a refresh token of subject only: a
// token of another subject is left alone and answered [ErrRefreshInvalid],
// as an unknown one, so that a stolen refresh token cannot log somebody
// else out and the answer does not tell whether it exists.
func (i *Issuer) RevokeFor(ctx context.Context, refreshToken, subject string) error {
	if subject == "" {
		return errors.New("jwt: empty subject")
	}
	return i.revoke(ctx, refreshToken, subject)
}

// revoke revokes the family of refreshToken, when owner is "" or its
// subject.
func (i *Issuer) revoke(ctx context.Context, refreshToken, owner string) error {
	if i.store == nil {
		return ErrNoStore
	}
	if !validRefreshToken(refreshToken) {
		return ErrRefreshInvalid
	}
	rec, err := i.store.GetRefresh(ctx, HashRefreshToken(refreshToken))
	switch {
	case errors.Is(err, ErrNotFound):
		return ErrRefreshInvalid
	case err != nil:
		return fmt.Errorf("jwt: get refresh token: %w", err)
	case owner != "" && rec.Subject != owner:
		return ErrRefreshInvalid
	}
	if !rec.RevokedAt.IsZero() {
		return nil
	}
	if err := i.store.RevokeFamily(ctx, rec.Family, i.now()); err != nil {
		return fmt.Errorf("jwt: revoke family: %w", err)
	}
	return nil
}

// RevokeUser revokes everything issued to subject so far: every refresh
// family, and every access token whose iat is at or before now (in whole
// seconds) for a strategy whose [Config.Revocations] is the same store.
// Use it on a password change, an account lock or "log out everywhere".
// A token issued later in the same second is refused too.
func (i *Issuer) RevokeUser(ctx context.Context, subject string) error {
	if i.store == nil {
		return ErrNoStore
	}
	if subject == "" {
		return errors.New("jwt: empty subject")
	}
	if err := i.store.RevokeSubject(ctx, subject, i.now()); err != nil {
		return fmt.Errorf("jwt: revoke subject: %w", err)
	}
	return nil
}
