package jwt

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
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

// errDateString refuses a NumericDate claim written as a JSON string.
var errDateString = errors.New("jwt: exp, nbf and iat must be JSON numbers")

// checkNumericDates refuses a payload whose exp, nbf or iat is a JSON
// string. RFC 7519 section 2 defines NumericDate as a JSON number;
// golang-jwt's NumericDate also accepts a numeric string ("1700000000"),
// which jose and others refuse, so a token would mean different things to
// different verifiers. payload is the token's second segment, which
// golang-jwt has decoded and parsed as JSON already.
func checkNumericDates(p *jwtlib.Parser, payload string) error {
	b, err := p.DecodeSegment(payload)
	if err != nil {
		return fmt.Errorf("jwt: could not base64 decode claim: %w: %w", jwtlib.ErrTokenMalformed, err)
	}
	if stringDate(b) {
		return fmt.Errorf("jwt: %w: %w", jwtlib.ErrTokenMalformed, errDateString)
	}
	return nil
}

// stringDate reports whether the top-level object of b, valid JSON, has a
// member named exp, nbf or iat whose value is a string. Names match as
// encoding/json matches them to golang-jwt's claim fields: escapes
// decoded, letter case ignored (bytes.EqualFold), and every duplicate
// counts, though json keeps the last. It allocates only for a name with
// an escape. A b that is not valid JSON gives an unspecified answer.
func stringDate(b []byte) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false // null: golang-jwt keeps the empty claims
	}
	i++
	for {
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != '"' {
			return false // "}" or invalid
		}
		end := skipString(b, i)
		name := b[i:end]
		i = skipSpace(b, end)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipSpace(b, i+1)
		if i < len(b) && b[i] == '"' && isDateName(name) {
			return true
		}
		i = skipValue(b, i)
		i = skipSpace(b, i)
		if i >= len(b) || b[i] != ',' {
			return false
		}
		i++
	}
}

// isDateName reports whether quoted, a JSON string with its quotes, names
// exp, nbf or iat as encoding/json would match it.
func isDateName(quoted []byte) bool {
	name := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(name, '\\') >= 0 {
		var s string
		if json.Unmarshal(quoted, &s) != nil {
			return false
		}
		name = []byte(s)
	}
	return bytes.EqualFold(name, []byte("exp")) || bytes.EqualFold(name, []byte("nbf")) || bytes.EqualFold(name, []byte("iat"))
}

// skipSpace returns the index of the first byte at or after i that is not
// JSON white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index just after the string that starts at the
// quote at i.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index just after the value that starts at i.
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = skipString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return i
	default: // number, true, false, null
		for i < len(b) && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\t' && b[i] != '\n' && b[i] != '\r' {
			i++
		}
		return i
	}
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
