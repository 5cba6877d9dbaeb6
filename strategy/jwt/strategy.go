package jwt

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	jwtlib "github.com/golang-jwt/jwt/v5"

	"github.com/gopassport/passport/internal/httpsyntax"
	"github.com/gopassport/passport/strategy"
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

// Strategy authenticates requests that carry a JWT access token. Build it
// with [New]. It is safe for concurrent use.
type Strategy[U any, C jwtlib.Claims] struct {
	extract   Extractor
	parser    *jwtlib.Parser
	algs      []string
	keys      map[string]*verifyKey
	jwks      *RemoteKeySet
	validator *jwtlib.Validator
	types     []string
	acceptNoT bool
	maxBytes  int
	newClaims func() C
	verify    func(context.Context, C) (U, error)
	scopes    []string
	revoked   RevocationChecker
	families  FamilyChecker
	maxLife   time.Duration
	leeway    time.Duration
	fgpCookie string
	now       func() time.Time

	challenge     string // `Bearer realm="api"`
	challengeBase string // `Bearer realm="api", error=`
}

var _ strategy.Strategy[string] = (*Strategy[string, *Claims])(nil)
var _ strategy.Namer = (*Strategy[string, *Claims])(nil)

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

// parse is golang-jwt's ParseWithClaims, step by step, with our key lookup
// and a pooled HMAC: golang-jwt decodes the token (ParseUnverified), the
// algorithm must be on the allow-list, the key is found (header rules,
// kid, family), the signature verified, and the claims validated by
// golang-jwt's Validator with the options of New. Errors wrap golang-jwt's
// sentinels as ParseWithClaims does.
func (s *Strategy[U, C]) parse(ctx context.Context, tok string, claims C) (*jwtlib.Token, error) {
	token, parts, err := s.parser.ParseUnverified(tok, claims)
	if err != nil {
		// golang-jwt does not know RFC 9864's "Ed25519": it stops after
		// decoding the header and claims, before the signature.
		if token == nil || token.Method != nil || parts == nil || !errors.Is(err, jwtlib.ErrTokenUnverifiable) ||
			token.Header["alg"] != algEd25519 {
			return token, err
		}
		token.Method = ed25519Method{}
		if token.Signature, err = s.parser.DecodeSegment(parts[2]); err != nil {
			return token, fmt.Errorf("jwt: could not base64 decode signature: %w: %w", jwtlib.ErrTokenMalformed, err)
		}
	} else if token.Method.Alg() == algEd25519 {
		token.Method = ed25519Method{} // whatever else registered the name
	}
	if err := checkNumericDates(s.parser, parts[1]); err != nil {
		return token, err
	}
	alg := token.Method.Alg()
	if !slices.Contains(s.algs, alg) {
		return token, fmt.Errorf("jwt: signing method %s is not allowed: %w", alg, jwtlib.ErrTokenSignatureInvalid)
	}
	key, vk, err := s.lookupKey(ctx, token)
	if err != nil {
		return token, fmt.Errorf("jwt: finding the key: %w: %w", jwtlib.ErrTokenUnverifiable, err)
	}
	// The signing input is the token up to its last dot: header "." claims.
	signing := tok[:len(parts[0])+1+len(parts[1])]
	switch have := key.(type) {
	case jwtlib.VerificationKeySet:
		// A JWK Set without kid: the first key that verifies wins.
		err = jwtlib.ErrTokenUnverifiable
		for _, k := range have.Keys {
			if err = token.Method.Verify(signing, token.Signature, k); err == nil {
				break
			}
		}
	default:
		if vk != nil && vk.fam == famHMAC {
			err = vk.verifyHMAC(alg, signing, token.Signature)
		} else {
			err = token.Method.Verify(signing, token.Signature, key)
		}
	}
	if err != nil {
		return token, fmt.Errorf("jwt: %w: %w", jwtlib.ErrTokenSignatureInvalid, err)
	}
	if err := s.validator.Validate(claims); err != nil {
		return token, fmt.Errorf("jwt: %w: %w", jwtlib.ErrTokenInvalidClaims, err)
	}
	if err := s.checkLifetime(claims); err != nil {
		return token, err
	}
	token.Valid = true
	return token, nil
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

// Name returns "jwt", the name the strategy is usually registered under.
func (s *Strategy[U, C]) Name() string { return "jwt" }

// Authenticate implements [strategy.Strategy]. A request without a token
// fails with 401, the bare challenge and [strategy.ErrMissingCredentials];
// a malformed request (two Authorization headers) fails with 400
// invalid_request; a token that is refused fails with 401 invalid_token
// and [strategy.ErrInvalidCredentials] (or [strategy.ErrMalformedCredentials]
// for one that does not parse); a token without the required scopes fails
// with 403 insufficient_scope and [strategy.ErrInsufficientScope]. The
// error_description is a short fixed text, never token content nor the
// message of Verify's error ([strategy.WithUserMessage]), which goes to
// Info.Message only. The error
// return is only for faults: a revocation store or Verify callback that
// fails, or a JWK Set that holds no key.
func (s *Strategy[U, C]) Authenticate(r *http.Request) (strategy.Result[U], error) {
	tok, err := s.extract(r)
	if err != nil {
		if isMissing(err) {
			return strategy.Fail[U](s.challenge, http.StatusUnauthorized, strategy.MsgMissingToken).
				WithReason(strategy.ErrMissingCredentials), nil
		}
		desc := "malformed request"
		var re requestError
		if errors.As(err, &re) {
			desc = string(re)
		}
		return s.fail(http.StatusBadRequest, "invalid_request", desc, strategy.ErrMalformedCredentials), nil
	}
	if len(tok) > s.maxBytes {
		return s.invalid("token too large", strategy.ErrMalformedCredentials), nil
	}
	if !wellFormed(tok) {
		return s.invalid("malformed token", strategy.ErrMalformedCredentials), nil
	}

	ctx := r.Context()
	claims := s.newClaims()
	token, err := s.parse(ctx, tok, claims)
	if err != nil {
		if errors.Is(err, errKeysUnavailable) {
			return strategy.Result[U]{}, fmt.Errorf("jwt: no verification key available: %w", err)
		}
		return s.invalid(s.describe(token, err), reasonOf(err)), nil
	}

	if s.fgpCookie != "" && !s.checkFingerprint(r, claims) {
		return s.invalid("fingerprint mismatch", strategy.ErrInvalidCredentials), nil
	}
	if s.revoked != nil {
		res, ok, err := s.checkRevoked(ctx, claims)
		if err != nil || !ok {
			return res, err
		}
	}

	var granted []string
	if sc, ok := any(claims).(Scoper); ok {
		granted = sc.Scopes()
	}
	if len(s.scopes) > 0 {
		for _, want := range s.scopes {
			if !slices.Contains(granted, want) {
				return s.insufficientScope(), nil
			}
		}
	}

	user, err := s.verify(ctx, claims)
	if err != nil {
		switch {
		case errors.Is(err, strategy.ErrInsufficientScope):
			return withUserMessage(s.insufficientScope(), err), nil
		case errors.Is(err, strategy.ErrUserNotFound), errors.Is(err, strategy.ErrInvalidCredentials):
			return withUserMessage(s.invalid("token rejected", strategy.ErrInvalidCredentials), err), nil
		default:
			return strategy.Result[U]{}, fmt.Errorf("jwt: verify: %w", err)
		}
	}
	return strategy.Success(user, strategy.Info{Scope: granted}), nil
}

// withUserMessage returns res with Info.Message replaced by the message
// that Verify's error verr carries ([strategy.UserMessage]), if any. The
// challenge's error_description stays the fixed one: RFC 6750 keeps it
// for developers, and the app's text is for the user.
func withUserMessage[U any](res strategy.Result[U], verr error) strategy.Result[U] {
	if msg, ok := strategy.UserMessage(verr); ok {
		res.Info.Message = msg
	}
	return res
}

// checkRevoked consults the revocation store. ok is false when the token
// is refused (res holds the fail) or a fault occurred (err).
func (s *Strategy[U, C]) checkRevoked(ctx context.Context, claims C) (res strategy.Result[U], ok bool, err error) {
	sub, err := claims.GetSubject()
	if err != nil || sub == "" {
		return s.invalid("token has no subject", strategy.ErrInvalidCredentials), false, nil
	}
	nb, err := s.revoked.NotBefore(ctx, sub)
	if err != nil {
		return res, false, fmt.Errorf("jwt: revocation check: %w", err)
	}
	if !nb.IsZero() {
		iat, err := claims.GetIssuedAt()
		if err != nil || iat == nil || iat.Unix() <= nb.Unix() {
			return s.invalid("token revoked", strategy.ErrInvalidCredentials), false, nil
		}
	}
	if s.families == nil {
		return res, true, nil
	}
	sid, ok := any(claims).(SessionIDer)
	if !ok || sid.SessionID() == "" {
		return res, true, nil
	}
	revoked, err := s.families.FamilyRevoked(ctx, sid.SessionID())
	if err != nil {
		return res, false, fmt.Errorf("jwt: revocation check: %w", err)
	}
	if revoked {
		return s.invalid("token revoked", strategy.ErrInvalidCredentials), false, nil
	}
	return res, true, nil
}

// fail builds an RFC 6750 fail with an error code and a fixed description.
// A status other than 401 also carries the challenge as a response header,
// since only 401 responses collect the challenges of failed strategies.
func (s *Strategy[U, C]) fail(status int, code, desc string, reason error) strategy.Result[U] {
	ch := s.challengeBase + code + `", error_description="` + desc + `"`
	res := strategy.Fail[U](ch, status, failMessage(status)).WithReason(&failReason{desc: desc, base: reason})
	if status != http.StatusUnauthorized {
		res = res.WithHeader("WWW-Authenticate", ch)
	}
	return res
}

// invalid is a 401 invalid_token fail.
func (s *Strategy[U, C]) invalid(desc string, reason error) strategy.Result[U] {
	return s.fail(http.StatusUnauthorized, "invalid_token", desc, reason)
}

// insufficientScope is the 403 fail of RFC 6750 section 3.1. The challenge
// is also put in the response headers, since a 403 does not collect
// challenges the way a 401 does.
func (s *Strategy[U, C]) insufficientScope() strategy.Result[U] {
	ch := s.challengeBase + `insufficient_scope", error_description="insufficient scope"`
	if len(s.scopes) > 0 {
		ch += `, scope="` + strings.Join(s.scopes, " ") + `"`
	}
	return strategy.Fail[U](ch, http.StatusForbidden, failMessage(http.StatusForbidden)).
		WithReason(&failReason{desc: "insufficient scope", base: strategy.ErrInsufficientScope}).
		WithHeader("WWW-Authenticate", ch)
}

// failReason is the Reason of a fail: the package sentinel it wraps, with
// the fixed description for the logs.
type failReason struct {
	desc string
	base error
}

func (e *failReason) Error() string { return "jwt: " + e.desc + ": " + e.base.Error() }

// Unwrap returns the strategy sentinel.
func (e *failReason) Unwrap() error { return e.base }

// failMessage is the short user-facing message of a fail, a text of the
// catalogue in package strategy.
func failMessage(status int) string {
	switch status {
	case http.StatusBadRequest:
		return strategy.MsgMalformedRequest
	case http.StatusForbidden:
		return strategy.MsgInsufficientScope
	default:
		return strategy.MsgInvalidToken
	}
}

// describe turns a parse error into a fixed error_description.
func (s *Strategy[U, C]) describe(token *jwtlib.Token, err error) string {
	var he headerError
	var ce claimError
	switch {
	case errors.As(err, &he):
		return string(he)
	case errors.As(err, &ce):
		return string(ce)
	case errors.Is(err, errUnknownKey):
		return "unknown key"
	case token != nil && token.Method != nil && !slices.Contains(s.algs, token.Method.Alg()):
		return "unsupported algorithm"
	case errors.Is(err, jwtlib.ErrTokenMalformed):
		return "malformed token"
	case errors.Is(err, jwtlib.ErrTokenSignatureInvalid):
		return "invalid signature"
	case errors.Is(err, jwtlib.ErrTokenExpired):
		return "token expired"
	case errors.Is(err, jwtlib.ErrTokenNotValidYet):
		return "token not yet valid"
	case errors.Is(err, jwtlib.ErrTokenUsedBeforeIssued):
		return "token issued in the future"
	case errors.Is(err, jwtlib.ErrTokenInvalidAudience):
		return "wrong audience"
	case errors.Is(err, jwtlib.ErrTokenInvalidIssuer):
		return "wrong issuer"
	case errors.Is(err, jwtlib.ErrTokenRequiredClaimMissing):
		return "missing required claim"
	case errors.Is(err, jwtlib.ErrTokenUnverifiable):
		// An alg that golang-jwt does not know ("None", "XYZ").
		return "unsupported algorithm"
	default:
		return "invalid token"
	}
}

// reasonOf picks the strategy sentinel for a parse error.
func reasonOf(err error) error {
	if errors.Is(err, jwtlib.ErrTokenMalformed) {
		return strategy.ErrMalformedCredentials
	}
	return strategy.ErrInvalidCredentials
}

// wellFormed checks the compact serialization before golang-jwt decodes
// it: three non-empty segments (the signature may not be empty either,
// since "none" is never accepted), and no CR or LF. The segments' alphabet
// is left to golang-jwt, which decodes each one as unpadded base64url
// (strictly: see WithStrictDecoding in New) and refuses padding, the
// standard alphabet and any other byte as a malformed token; only CR and
// LF would slip through, since Go's base64 decoders skip them. Every check
// here is a vectorized byte search, so it costs little on the hot path.
func wellFormed(tok string) bool {
	header, rest, ok := strings.Cut(tok, ".")
	if !ok || header == "" {
		return false
	}
	payload, sig, ok := strings.Cut(rest, ".")
	if !ok || payload == "" || sig == "" || strings.IndexByte(sig, '.') >= 0 {
		return false
	}
	return strings.IndexByte(tok, '\n') < 0 && strings.IndexByte(tok, '\r') < 0
}

// validQuoted reports whether s can sit in a quoted-string without
// escaping.
func validQuoted(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
