package jwt

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	jwtlib "github.com/golang-jwt/jwt/v5"

	"github.com/gopassport/passport/internal/httpsyntax"
)

// RevocationChecker tells whether the access tokens of a subject were
// revoked. [Store] implements it; the strategy consults it when
// [Config.Revocations] is set.
type RevocationChecker interface {
	// NotBefore returns the time before which every token of subject is
	// revoked, or the zero time when none is. It must be safe for
	// concurrent use.
	NotBefore(ctx context.Context, subject string) (time.Time, error)
}

// FamilyChecker tells whether a login, the family of refresh tokens that
// an access token's "sid" claim names, was revoked (by [Issuer.Revoke] at
// logout, or because a rotated refresh token was presented again). [Store]
// implements it. When [Config.Revocations] implements it too, the strategy
// refuses every access token of a revoked family, at once.
type FamilyChecker interface {
	// FamilyRevoked reports whether family was revoked; an unknown family
	// is not. It must be safe for concurrent use.
	FamilyRevoked(ctx context.Context, family string) (bool, error)
}

// SessionIDer is implemented by claims that name the login they belong to
// (the "sid" claim). [Claims] implements it; the strategy reads it for
// [FamilyChecker].
type SessionIDer interface {
	SessionID() string
}

// Fingerprinter is implemented by claims that carry the hash of a
// fingerprint cookie (the "fgp" claim, see [Config.FingerprintCookie]).
// [Claims] implements it.
type Fingerprinter interface {
	FingerprintHash() string
}

// Config configures [New]. C is the claims type, a pointer such as
// *Claims or *MyClaims (which embeds [jwtlib.RegisteredClaims]).
type Config[U any, C jwtlib.Claims] struct {
	// Extractor finds the token in the request. Optional. Default
	// [Bearer]().
	Extractor Extractor
	// Algorithms is the allow-list of signature algorithms, such as
	// []string{"EdDSA"} or []string{"HS256"}. Required. "none" (in any
	// spelling) and unknown names are refused by New. Tokens whose "alg"
	// is not listed are refused before any key is looked up.
	Algorithms []string
	// Keys are the verification keys. Either Keys or RemoteKeys (or both) is
	// required. Key IDs must be unique; see [Key] for the lookup rules.
	// Keys are looked up first; a kid they do not hold goes to RemoteKeys.
	Keys []Key
	// RemoteKeys is a remote key set (see [NewRemoteKeySet]). Optional. The strategy
	// does not close it.
	RemoteKeys *RemoteKeySet
	// Issuer is the expected "iss" claim. Optional but recommended: when
	// set, tokens without it or with another value are refused.
	Issuer string
	// Audience lists the accepted "aud" values; a token must name at least
	// one of them. Optional but recommended: when set, tokens without "aud"
	// are refused. An empty string in it is a configuration error.
	Audience []string
	// Leeway is the clock skew allowed when checking exp, nbf and iat.
	// Optional. Default 0. It must not be negative.
	Leeway time.Duration
	// AllowNoExpiry accepts tokens without an "exp" claim. Optional.
	// Default false: exp is required, because a token that never expires
	// cannot be taken back.
	AllowNoExpiry bool
	// TokenTypes lists the accepted values of the "typ" header, compared
	// case-insensitively and with an optional "application/" prefix (RFC
	// 7515 section 4.1.9). An empty string in the list accepts tokens
	// without typ. Optional. Default {"at+jwt", "JWT"}: the RFC 9068
	// access-token type and the generic one most libraries write. Set
	// {"at+jwt"} when all your tokens come from [Issuer] or an RFC 9068
	// server, so that no other kind of JWT (an ID token, a refresh JWT)
	// passes as an access token.
	TokenTypes []string
	// MaxTokenBytes is the size above which a token is refused before it
	// is decoded. Optional. Default 8192. It must not be negative.
	MaxTokenBytes int
	// NewClaims returns a fresh claims value for each request. Optional
	// when C is *Claims, *jwtlib.RegisteredClaims or jwtlib.MapClaims;
	// required otherwise.
	NewClaims func() C
	// Verify maps valid claims to the app's user. Required. It is called
	// only for a token whose signature, type, times, issuer, audience,
	// revocation and scopes were all checked. Return an error wrapping
	// [strategy.ErrUserNotFound] or [strategy.ErrInvalidCredentials] to
	// refuse the token (401), [strategy.ErrInsufficientScope] for a 403;
	// any other error is a fault (500). A sentinel wrapped with
	// [strategy.WithUserMessage] gives the fail's Info.Message that text;
	// the challenge's error_description stays a fixed one.
	Verify func(ctx context.Context, claims C) (U, error)
	// Realm is the realm of the WWW-Authenticate challenge. Optional.
	// Default "api". It must not contain quotes, backslashes or control
	// characters.
	Realm string
	// RequiredScopes lists scopes that every token must grant (all of
	// them). Optional. When set, C must implement [Scoper]; tokens that
	// lack one get a 403 insufficient_scope.
	RequiredScopes []string
	// Revocations is consulted for every valid token: a token whose "iat"
	// is at or before the subject's not-before time (compared in whole
	// seconds) is refused, as is a token without iat for a subject that
	// has one. Optional. Use the [Store] of your [Issuer].
	Revocations RevocationChecker
	// MaxTokenLifetime caps how long a token may live: a token whose exp
	// is more than MaxTokenLifetime after its iat, or (with or without iat)
	// more than MaxTokenLifetime plus Leeway after now, is refused (401
	// "token lifetime too long"). Optional. Default 24 hours; a negative
	// value turns the cap off. It bounds what a leaked signing key or a
	// misconfigured issuer can mint, and how long a revoked login's access
	// tokens must be remembered. A token without exp (AllowNoExpiry) is
	// not capped.
	MaxTokenLifetime time.Duration
	// FingerprintCookie binds tokens kept by a browser to it, as the OWASP
	// JWT cheat sheet's fingerprint: when set, a token must carry the
	// hex SHA-256 of the value of this cookie in its "fgp" claim, and the
	// request must carry the cookie (once); otherwise it fails with 401
	// "fingerprint mismatch". A token stolen from the page's script or
	// storage is then useless without the HttpOnly cookie. Optional.
	// Default "": no binding. Use [FingerprintCookieName] with an [Issuer]
	// whose [IssuerConfig.Fingerprint] is set; C must implement
	// [Fingerprinter].
	FingerprintCookie string
	// Now returns the current time. Optional. Default [time.Now]; set it in
	// tests.
	Now func() time.Time
}

// New builds a JWT strategy from cfg. Configuration mistakes (no
// algorithms, "none", a key that fits none of the algorithms, a public key
// given as an HMAC secret, a missing Verify, a negative Leeway or
// MaxTokenBytes, an empty Audience entry) are returned as errors wrapping
// [ErrInvalidConfig] that name the field.
func New[U any, C jwtlib.Claims](cfg Config[U, C]) (*Strategy[U, C], error) {
	s, err := newStrategy(cfg)
	if err != nil {
		return nil, invalidConfig(err)
	}
	return s, nil
}

// newStrategy is New; every error it returns is a configuration mistake.
func newStrategy[U any, C jwtlib.Claims](cfg Config[U, C]) (*Strategy[U, C], error) {
	if cfg.Verify == nil {
		return nil, errors.New("jwt: Config.Verify is required")
	}
	if cfg.Leeway < 0 {
		return nil, fmt.Errorf("jwt: Config.Leeway %v is negative", cfg.Leeway)
	}
	if cfg.MaxTokenBytes < 0 {
		return nil, fmt.Errorf("jwt: Config.MaxTokenBytes %d is negative", cfg.MaxTokenBytes)
	}
	if slices.Contains(cfg.Audience, "") {
		return nil, errors.New("jwt: Config.Audience holds an empty string, which no token names")
	}
	if err := checkAlgorithms(cfg.Algorithms); err != nil {
		return nil, err
	}
	if len(cfg.Keys) == 0 && cfg.RemoteKeys == nil {
		return nil, errors.New("jwt: Config.Keys or Config.RemoteKeys is required")
	}
	s := &Strategy[U, C]{
		extract:   cfg.Extractor,
		algs:      slices.Clone(cfg.Algorithms),
		keys:      make(map[string]*verifyKey, len(cfg.Keys)),
		jwks:      cfg.RemoteKeys,
		maxBytes:  cfg.MaxTokenBytes,
		verify:    cfg.Verify,
		scopes:    slices.Clone(cfg.RequiredScopes),
		revoked:   cfg.Revocations,
		maxLife:   cfg.MaxTokenLifetime,
		leeway:    cfg.Leeway,
		now:       cfg.Now,
		fgpCookie: cfg.FingerprintCookie,
	}
	if fc, ok := cfg.Revocations.(FamilyChecker); ok {
		s.families = fc
	}
	if s.maxLife == 0 {
		s.maxLife = DefaultMaxTokenLifetime
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.extract == nil {
		s.extract = Bearer()
	}
	if s.maxBytes == 0 {
		s.maxBytes = 8 << 10
	}
	for _, k := range cfg.Keys {
		if _, dup := s.keys[k.ID]; dup {
			return nil, fmt.Errorf("jwt: duplicate key ID %q", k.ID)
		}
		vk, err := newVerifyKey(k, s.algs)
		if err != nil {
			return nil, err
		}
		s.keys[k.ID] = vk
	}
	if cfg.RemoteKeys != nil {
		remote := false
		for _, a := range s.algs {
			if algFamily(a) != famHMAC {
				remote = true
			}
		}
		if !remote {
			return nil, errors.New("jwt: a JWK Set needs an asymmetric algorithm in Config.Algorithms")
		}
	}

	s.newClaims = cfg.NewClaims
	if s.newClaims == nil {
		s.newClaims = defaultNewClaims[C]()
		if s.newClaims == nil {
			var zero C
			return nil, fmt.Errorf("jwt: Config.NewClaims is required for claims of type %T", zero)
		}
	}
	if s.fgpCookie != "" {
		if !httpsyntax.IsToken(s.fgpCookie) {
			return nil, fmt.Errorf("jwt: invalid Config.FingerprintCookie %q", s.fgpCookie)
		}
		if _, ok := any(s.newClaims()).(Fingerprinter); !ok {
			var zero C
			return nil, fmt.Errorf("jwt: FingerprintCookie needs claims that implement Fingerprinter; %T does not", zero)
		}
	}
	if len(s.scopes) > 0 {
		if _, ok := any(s.newClaims()).(Scoper); !ok {
			var zero C
			return nil, fmt.Errorf("jwt: RequiredScopes needs claims that implement Scoper; %T does not", zero)
		}
	}

	types := cfg.TokenTypes
	if len(types) == 0 {
		types = []string{"at+jwt", "JWT"}
	}
	for _, t := range types {
		if t == "" {
			s.acceptNoT = true
			continue
		}
		s.types = append(s.types, trimMediaType(t))
	}

	realm := cfg.Realm
	if realm == "" {
		realm = "api"
	}
	if !validQuoted(realm) {
		return nil, errors.New("jwt: Config.Realm must not contain quotes, backslashes or control characters")
	}
	for _, sc := range s.scopes {
		if sc == "" || strings.ContainsAny(sc, " \"\\") || !validQuoted(sc) {
			return nil, fmt.Errorf("jwt: invalid required scope %q", sc)
		}
	}
	s.challenge = `Bearer realm="` + realm + `"`
	s.challengeBase = s.challenge + `, error="`

	opts := []jwtlib.ParserOption{
		jwtlib.WithValidMethods(s.algs),
		// Strict base64: a segment whose unused trailing bits are not
		// zero is refused, so that a token has one spelling only (a
		// signature with other trailing bits would verify too).
		jwtlib.WithStrictDecoding(),
		jwtlib.WithLeeway(cfg.Leeway),
		jwtlib.WithIssuedAt(),
	}
	if !cfg.AllowNoExpiry {
		opts = append(opts, jwtlib.WithExpirationRequired())
	}
	if cfg.Issuer != "" {
		opts = append(opts, jwtlib.WithIssuer(cfg.Issuer))
	}
	if len(cfg.Audience) > 0 {
		opts = append(opts, jwtlib.WithAudience(cfg.Audience...))
	}
	if cfg.Now != nil {
		opts = append(opts, jwtlib.WithTimeFunc(cfg.Now))
	}
	s.parser = jwtlib.NewParser(opts...)
	s.validator = jwtlib.NewValidator(opts...)
	return s, nil
}

// defaultNewClaims returns a constructor for the claims types the package
// knows, or nil.
func defaultNewClaims[C jwtlib.Claims]() func() C {
	if f, ok := any(func() *Claims { return new(Claims) }).(func() C); ok {
		return f
	}
	if f, ok := any(func() *jwtlib.RegisteredClaims { return new(jwtlib.RegisteredClaims) }).(func() C); ok {
		return f
	}
	if f, ok := any(func() jwtlib.MapClaims { return jwtlib.MapClaims{} }).(func() C); ok {
		return f
	}
	return nil
}
