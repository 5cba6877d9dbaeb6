package jwt

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	jwtlib "github.com/golang-jwt/jwt/v5"
)

// DefaultMaxTokenLifetime is the default of [Config.MaxTokenLifetime].
const DefaultMaxTokenLifetime = 24 * time.Hour

// claimError is a token refused by one of the strategy's own claim checks
// (stricter than golang-jwt's); its text is the fixed error_description.
type claimError string

func (e claimError) Error() string { return "jwt: " + string(e) }

const errLifetime claimError = "token lifetime too long"

// errDateString is returned while decoding a NumericDate claim written as
// a JSON string.
var errDateString = errors.New("jwt: exp, nbf and iat must be JSON numbers")

// numericDates decodes only exp, nbf and iat, with encoding/json's own
// key matching (the one golang-jwt's claims are decoded with: letter case
// ignored, escapes decoded, every duplicate seen), to find the ones that
// are not JSON numbers.
type numericDates struct {
	Exp numericDateKind `json:"exp"`
	Nbf numericDateKind `json:"nbf"`
	Iat numericDateKind `json:"iat"`
}

// numericDateKind refuses a JSON string. null and numbers pass, and
// anything else golang-jwt refuses itself.
type numericDateKind struct{}

// UnmarshalJSON implements [json.Unmarshaler].
func (*numericDateKind) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return errDateString
	}
	return nil
}

// checkNumericDates refuses a payload whose exp, nbf or iat is a JSON
// string. RFC 7519 section 2 defines NumericDate as a JSON number;
// golang-jwt's NumericDate also accepts a numeric string ("1700000000"),
// which jose and others refuse, so a token would mean different things to
// different verifiers. payload is the token's second segment, which
// golang-jwt has decoded and parsed successfully already.
func checkNumericDates(p *jwtlib.Parser, payload string) error {
	b, err := p.DecodeSegment(payload)
	if err != nil {
		return fmt.Errorf("jwt: could not base64 decode claim: %w: %w", jwtlib.ErrTokenMalformed, err)
	}
	var d numericDates
	if err := json.Unmarshal(b, &d); err != nil {
		return fmt.Errorf("jwt: %w: %w", jwtlib.ErrTokenMalformed, errDateString)
	}
	return nil
}

// checkLifetime applies [Config.MaxTokenLifetime] to claims that golang-jwt
// has validated.
func (s *Strategy[U, C]) checkLifetime(claims C) error {
	if s.maxLife < 0 {
		return nil
	}
	exp, err := claims.GetExpirationTime()
	if err != nil || exp == nil {
		return nil // no exp: AllowNoExpiry decided; a bad one was refused
	}
	if iat, err := claims.GetIssuedAt(); err == nil && iat != nil && exp.Sub(iat.Time) > s.maxLife {
		return fmt.Errorf("jwt: %w: %w", jwtlib.ErrTokenInvalidClaims, errLifetime)
	}
	if exp.Sub(s.now()) > s.maxLife+s.leeway {
		return fmt.Errorf("jwt: %w: %w", jwtlib.ErrTokenInvalidClaims, errLifetime)
	}
	return nil
}

// FingerprintCookieName is the cookie name the OWASP JWT cheat sheet uses
// for the fingerprint that binds a token to a browser. The __Secure-
// prefix makes browsers accept it only with the Secure attribute, from an
// https origin.
const FingerprintCookieName = "__Secure-Fgp"

// FingerprintHash returns the form of a fingerprint that a token carries
// in its "fgp" claim: the hex SHA-256 of the cookie's value.
func FingerprintHash(fingerprint string) string {
	sum := sha256.Sum256([]byte(fingerprint))
	return hex.EncodeToString(sum[:])
}

// checkFingerprint reports whether r carries, exactly once, the
// fingerprint cookie whose hash is the token's "fgp" claim. The
// comparison is in constant time.
func (s *Strategy[U, C]) checkFingerprint(r *http.Request, claims C) bool {
	f, ok := any(claims).(Fingerprinter)
	if !ok {
		return false
	}
	want := f.FingerprintHash()
	if len(want) != 2*sha256.Size {
		return false
	}
	cookies := r.CookiesNamed(s.fgpCookie)
	if len(cookies) != 1 || cookies[0].Value == "" {
		// None, or two (a cookie tossed in by a sibling subdomain).
		return false
	}
	got := FingerprintHash(cookies[0].Value)
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// validCookieName reports whether name is an RFC 6265 cookie name (a
// token).
func validCookieName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:\"/[]?={}`, c) >= 0 {
			return false
		}
	}
	return true
}
