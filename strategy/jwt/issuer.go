package jwt

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	jwtlib "github.com/golang-jwt/jwt/v5"
)

// AccessTokenType is the "typ" header of the access tokens an [Issuer]
// signs (RFC 9068).
const AccessTokenType = "at+jwt"

// IssuerConfig configures [NewIssuer].
type IssuerConfig struct {
	// Issuer is the "iss" claim, usually the app's base URL. Required.
	Issuer string
	// Audience is the "aud" claim. Optional but recommended; give the
	// strategy the same value in [Config.Audience]. No entry may be empty.
	Audience []string
	// Key signs the access tokens. Required. Its Key is an HMAC secret
	// ([]byte, see [GenerateHMACSecret]), an *ecdsa.PrivateKey (ES256 on
	// P-256; see [GenerateECDSAKey]), an ed25519.PrivateKey (EdDSA; see
	// [GenerateEd25519Key]) or an *rsa.PrivateKey (RS256 or PS256).
	// Set an ID when you plan to rotate keys: it becomes the "kid" header.
	Key Key
	// PreviousKeys are keys that signed tokens before a rotation. They are
	// published by [Issuer.MarshalJWKS] and returned by [Issuer.VerificationKeys]
	// (public halves only) so that tokens signed with them stay valid until
	// they expire. Optional.
	PreviousKeys []Key
	// AccessTTL is the lifetime of an access token. Optional. Default 15
	// minutes; it must not be negative. Keep it short: an access token is taken back only by a
	// strategy whose [Config.Revocations] is the Store (logout, reuse
	// detection and [Issuer.RevokeUser]), and it must not exceed the
	// strategy's [Config.MaxTokenLifetime] (a day by default).
	AccessTTL time.Duration
	// RefreshTTL is the lifetime of each refresh token. Optional. Default
	// 30 days; it must not be negative. Every rotation gives the new token a fresh lifetime. It may
	// not be shorter than AccessTTL: the store remembers a revoked login
	// while its refresh tokens live, and must do so while its access
	// tokens do.
	RefreshTTL time.Duration
	// Fingerprint binds every access token to a fingerprint cookie (see
	// [Config.FingerprintCookie]): each token carries the hash of a fresh
	// random value in its "fgp" claim, and [TokenPair.Fingerprint] holds
	// the value, for the app to set with [TokenPair.FingerprintCookie].
	// Optional. Default false. Use it for tokens kept by a browser.
	Fingerprint bool
	// Store keeps refresh tokens and revocations. Optional, but required
	// for [Issuer.Issue] with refresh tokens, [Issuer.Refresh],
	// [Issuer.Revoke] and [Issuer.RevokeUser].
	Store Store
	// Now returns the current time. Optional. Default [time.Now].
	Now func() time.Time
	// Rand is the source of randomness for token IDs and refresh tokens.
	// Optional. Default crypto/rand.
	Rand io.Reader
}

// Issuer signs short-lived access tokens and rotates opaque refresh
// tokens. It is safe for concurrent use. Build it with [NewIssuer].
//
// Access tokens carry sub, iss, aud, iat, exp, a random jti and the scope,
// with the header typ "at+jwt" and the key's kid. Refresh tokens are 256
// random bits in base64url; the store keeps only their SHA-256 hash. Each
// refresh rotates the token; presenting an already-rotated token revokes
// its whole family (see [ErrRefreshReused]).
type Issuer struct {
	iss        string
	aud        jwtlib.ClaimStrings
	method     jwtlib.SigningMethod
	signKey    any
	kid        string
	verify     []Key
	accessTTL  time.Duration
	refreshTTL time.Duration
	store      Store
	now        func() time.Time
	rand       io.Reader
	bind       bool
}

// TokenPair is what [Issuer.Issue] and [Issuer.Refresh] return. Its JSON
// form is an OAuth 2.0 token response (RFC 6749 section 5.1).
type TokenPair struct {
	// AccessToken is the signed JWT.
	AccessToken string `json:"access_token"`
	// TokenType is always "Bearer".
	TokenType string `json:"token_type"`
	// ExpiresIn is the access token's lifetime in seconds.
	ExpiresIn int64 `json:"expires_in"`
	// RefreshToken is the opaque refresh token. Treat it as a password:
	// send it only to the refresh endpoint, and store it only where
	// scripts cannot read it (an HttpOnly cookie scoped to that path).
	RefreshToken string `json:"refresh_token,omitempty"`
	// Scope is the space-separated list of granted scopes.
	Scope string `json:"scope,omitempty"`
	// ExpiresAt is when the access token expires.
	ExpiresAt time.Time `json:"-"`
	// RefreshExpiresAt is when the refresh token expires.
	RefreshExpiresAt time.Time `json:"-"`
	// Fingerprint is the value of the fingerprint cookie the access token
	// is bound to, with [IssuerConfig.Fingerprint]; empty otherwise. It is
	// never part of the JSON: send it only as the cookie.
	Fingerprint string `json:"-"`
}

// FingerprintCookie returns the cookie that carries p.Fingerprint, or nil
// when the access token is not bound: named [FingerprintCookieName],
// HttpOnly, Secure, SameSite=Strict, for the whole site, and a session
// cookie (the token's exp bounds it anyway). Set it with the token
// response.
func (p TokenPair) FingerprintCookie() *http.Cookie {
	if p.Fingerprint == "" {
		return nil
	}
	return &http.Cookie{
		Name:     FingerprintCookieName,
		Value:    p.Fingerprint,
		Path:     "/",
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteStrictMode,
	}
}

// NewIssuer checks cfg and builds an Issuer. Configuration mistakes (no
// Issuer, a key that cannot sign, a negative or contradictory TTL, an
// empty Audience entry, duplicate key IDs) are returned as errors
// wrapping [ErrInvalidConfig] that name the field.
func NewIssuer(cfg IssuerConfig) (*Issuer, error) {
	i, err := newIssuer(cfg)
	if err != nil {
		return nil, invalidConfig(err)
	}
	return i, nil
}

// newIssuer is NewIssuer; every error it returns is a configuration
// mistake.
func newIssuer(cfg IssuerConfig) (*Issuer, error) {
	if cfg.Issuer == "" {
		return nil, errors.New("jwt: IssuerConfig.Issuer is required")
	}
	if slices.Contains(cfg.Audience, "") {
		return nil, errors.New("jwt: IssuerConfig.Audience holds an empty string")
	}
	if cfg.AccessTTL < 0 {
		return nil, fmt.Errorf("jwt: IssuerConfig.AccessTTL %v is negative", cfg.AccessTTL)
	}
	if cfg.RefreshTTL < 0 {
		return nil, fmt.Errorf("jwt: IssuerConfig.RefreshTTL %v is negative", cfg.RefreshTTL)
	}
	alg := cfg.Key.Algorithm
	if alg == "" {
		alg = defaultAlgorithm(cfg.Key.Key)
	}
	if alg == "" {
		return nil, fmt.Errorf("jwt: IssuerConfig.Key: cannot sign with a key of type %T", cfg.Key.Key)
	}
	if err := checkSigningKey(alg, cfg.Key.Key); err != nil {
		return nil, err
	}
	method := signingMethod(alg)
	if method == nil {
		return nil, fmt.Errorf("jwt: unsupported algorithm %q", alg)
	}
	signKey := cfg.Key.Key
	if b, ok := signKey.([]byte); ok {
		signKey = bytes.Clone(b)
	}
	i := &Issuer{
		iss:        cfg.Issuer,
		aud:        slices.Clone(cfg.Audience),
		method:     method,
		signKey:    signKey,
		kid:        cfg.Key.ID,
		accessTTL:  cfg.AccessTTL,
		refreshTTL: cfg.RefreshTTL,
		store:      cfg.Store,
		now:        cfg.Now,
		rand:       cfg.Rand,
		bind:       cfg.Fingerprint,
	}
	if i.accessTTL == 0 {
		i.accessTTL = 15 * time.Minute
	}
	if i.refreshTTL == 0 {
		i.refreshTTL = 30 * 24 * time.Hour
	}
	if i.refreshTTL < i.accessTTL {
		return nil, fmt.Errorf("jwt: IssuerConfig.RefreshTTL (%v) is shorter than AccessTTL (%v)", i.refreshTTL, i.accessTTL)
	}
	if i.now == nil {
		i.now = time.Now
	}
	if i.rand == nil {
		i.rand = rand.Reader
	}
	seen := map[string]bool{cfg.Key.ID: true}
	current, err := verificationKey(Key{ID: cfg.Key.ID, Algorithm: alg, Key: cfg.Key.Key})
	if err != nil {
		return nil, err
	}
	i.verify = append(i.verify, current)
	for _, k := range cfg.PreviousKeys {
		if seen[k.ID] {
			return nil, fmt.Errorf("jwt: duplicate key ID %q", k.ID)
		}
		seen[k.ID] = true
		vk, err := verificationKey(k)
		if err != nil {
			return nil, err
		}
		i.verify = append(i.verify, vk)
	}
	return i, nil
}

// checkSigningKey checks that key can sign with alg.
func checkSigningKey(alg string, key any) error {
	fam := algFamily(alg)
	if fam == famNone {
		return fmt.Errorf("jwt: unsupported algorithm %q", alg)
	}
	var ok bool
	switch k := key.(type) {
	case []byte:
		if err := checkSecret(k); err != nil {
			return err
		}
		ok = fam == famHMAC && len(k) >= minHMACLen(alg)
	case *rsa.PrivateKey:
		ok = fam == famRSA && k != nil && k.N != nil && k.N.BitLen() >= 2048
	case *ecdsa.PrivateKey:
		ok = fam == famECDSA && k != nil && k.Curve == curveOf(alg)
	case ed25519.PrivateKey:
		ok = fam == famEdDSA && len(k) == ed25519.PrivateKeySize
	default:
		return fmt.Errorf("jwt: IssuerConfig.Key must be an HMAC secret or a private key, not %T", key)
	}
	if !ok {
		return fmt.Errorf("jwt: IssuerConfig.Key cannot sign with %s", alg)
	}
	return nil
}

// verificationKey returns the half of k that verifies: the public key, or
// the secret itself for HMAC.
func verificationKey(k Key) (Key, error) {
	pub, _, err := publicKey(k.Key)
	if err != nil {
		return Key{}, fmt.Errorf("jwt: key %q: %w", k.ID, err)
	}
	return Key{ID: k.ID, Algorithm: k.Algorithm, Key: pub}, nil
}

// Algorithm returns the algorithm the issuer signs with, for
// [Config.Algorithms].
func (i *Issuer) Algorithm() string { return i.method.Alg() }

// VerificationKeys returns the keys that verify the issuer's tokens: the
// public halves of the signing key and of the previous keys, or the HMAC
// secret itself. Give them to the strategy as [Config.Keys]. The slice is
// a copy.
func (i *Issuer) VerificationKeys() []Key {
	out := make([]Key, len(i.verify))
	for n, k := range i.verify {
		if b, ok := k.Key.([]byte); ok {
			k.Key = bytes.Clone(b)
		}
		out[n] = k
	}
	return out
}

// AccessToken signs an access token for subject with the given scopes. It
// needs no store. It returns the token and its expiry. The token belongs
// to no login (it has no "sid"), so only [Issuer.RevokeUser] takes it
// back; with [IssuerConfig.Fingerprint], use [Issuer.Issue], which returns
// the fingerprint.
func (i *Issuer) AccessToken(subject string, scope ...string) (string, time.Time, error) {
	tok, exp, _, err := i.accessToken(subject, "", scope)
	return tok, exp, err
}

// accessToken signs an access token of the login family (empty: none),
// and returns its fingerprint when the issuer binds tokens.
func (i *Issuer) accessToken(subject, family string, scope []string) (string, time.Time, string, error) {
	if subject == "" {
		return "", time.Time{}, "", errors.New("jwt: empty subject")
	}
	for _, s := range scope {
		if s == "" || strings.ContainsAny(s, " \"\\") {
			return "", time.Time{}, "", fmt.Errorf("jwt: invalid scope %q", s)
		}
	}
	jti, err := randomString(i.rand, 16)
	if err != nil {
		return "", time.Time{}, "", err
	}
	var fingerprint, fgp string
	if i.bind {
		if fingerprint, err = randomString(i.rand, 32); err != nil {
			return "", time.Time{}, "", err
		}
		fgp = FingerprintHash(fingerprint)
	}
	now := i.now()
	exp := now.Add(i.accessTTL)
	claims := &Claims{
		RegisteredClaims: jwtlib.RegisteredClaims{
			Issuer:    i.iss,
			Subject:   subject,
			Audience:  i.aud,
			IssuedAt:  jwtlib.NewNumericDate(now),
			ExpiresAt: jwtlib.NewNumericDate(exp),
			ID:        jti,
		},
		Scope: strings.Join(scope, " "),
		Sid:   family,
		Fgp:   fgp,
	}
	t := jwtlib.NewWithClaims(i.method, claims)
	t.Header["typ"] = AccessTokenType
	if i.kid != "" {
		t.Header["kid"] = i.kid
	}
	signed, err := t.SignedString(i.signKey)
	if err != nil {
		return "", time.Time{}, "", fmt.Errorf("jwt: sign: %w", err)
	}
	return signed, exp.Truncate(time.Second), fingerprint, nil
}

// randomString returns n random bytes in base64url without padding.
func randomString(r io.Reader, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("jwt: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// publicKeys returns the asymmetric verification keys, for publication.
func (i *Issuer) publicKeys() []Key {
	var out []Key
	for _, k := range i.verify {
		if _, secret := k.Key.([]byte); !secret {
			out = append(out, k)
		}
	}
	return out
}

// MarshalJWKS returns the issuer's public keys as a JWK Set document (RFC 7517),
// for other services to verify its tokens. HMAC secrets are never
// published: for an HMAC issuer the set is empty.
func (i *Issuer) MarshalJWKS() ([]byte, error) {
	return MarshalJWKS(i.publicKeys()...)
}
