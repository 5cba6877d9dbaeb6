package jwt

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	jwtlib "github.com/golang-jwt/jwt/v5"

	"github.com/gopassport/passport/strategy"
)

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
