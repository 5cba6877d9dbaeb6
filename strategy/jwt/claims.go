package jwt

import (
	"strings"

	jwtlib "github.com/golang-jwt/jwt/v5"
)

// Scoper is implemented by claims that carry OAuth scopes. The strategy
// reads it to check [Config.RequiredScopes] and to fill
// [strategy.Info.Scope]. Scopes must not keep a reference to internal
// state that a caller could modify.
type Scoper interface {
	Scopes() []string
}

// Claims is a ready-made claims type for access tokens: the registered
// claims plus the two common ways of carrying scopes, "scope" (a
// space-separated string, RFC 8693 and RFC 9068) and "scp" (a string or an
// array of strings, as some identity providers send). The [Issuer] signs
// tokens with these claims.
type Claims struct {
	jwtlib.RegisteredClaims
	// Scope is the space-separated list of granted scopes.
	Scope string `json:"scope,omitempty"`
	// Scp is the alternative "scp" claim; each element may itself hold
	// several space-separated scopes.
	Scp jwtlib.ClaimStrings `json:"scp,omitempty"`
	// Sid names the login the token belongs to: the refresh-token family
	// an [Issuer] issued it with (OpenID Connect's session ID claim). A
	// strategy whose [Config.Revocations] is a [FamilyChecker] refuses the
	// token once that login is revoked.
	Sid string `json:"sid,omitempty"`
	// Fgp is the hex SHA-256 of the browser's fingerprint cookie, for
	// [Config.FingerprintCookie].
	Fgp string `json:"fgp,omitempty"`
}

// SessionID returns the "sid" claim; it implements [SessionIDer].
func (c *Claims) SessionID() string {
	if c == nil {
		return ""
	}
	return c.Sid
}

// FingerprintHash returns the "fgp" claim; it implements [Fingerprinter].
func (c *Claims) FingerprintHash() string {
	if c == nil {
		return ""
	}
	return c.Fgp
}

// Scopes returns the scopes of the "scope" and "scp" claims, in order,
// without empty entries. It returns nil when there are none.
func (c *Claims) Scopes() []string {
	if c == nil || (c.Scope == "" && len(c.Scp) == 0) {
		return nil
	}
	out := strings.Fields(c.Scope)
	for _, s := range c.Scp {
		out = append(out, strings.Fields(s)...)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

var _ Scoper = (*Claims)(nil)
var _ SessionIDer = (*Claims)(nil)
var _ Fingerprinter = (*Claims)(nil)
var _ jwtlib.Claims = (*Claims)(nil)
