package jwt

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	jwtlib "github.com/golang-jwt/jwt/v5"

	"github.com/gopassport/passport/strategy"
)

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
