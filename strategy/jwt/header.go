package jwt

import (
	"context"
	"errors"
	"strings"

	jwtlib "github.com/golang-jwt/jwt/v5"
)

// headerError is a token refused because of its header or key; its text is
// the fixed error_description.
type headerError string

func (e headerError) Error() string { return "jwt: " + string(e) }

const (
	errUnknownKey      headerError = "unknown key"
	errWrongType       headerError = "wrong token type"
	errExternalKey     headerError = "unsupported header"
	errCriticalHeader  headerError = "unsupported critical header"
	errKeysUnavailable             = faultError("no key in the JWK Set")
)

// faultError is a server-side fault found while looking up a key.
type faultError string

func (e faultError) Error() string { return "jwt: " + string(e) }

// checkHeader applies the header rules shared by every key source.
func (s *Strategy[U, C]) checkHeader(h map[string]any) error {
	// jku, x5u, jwk and x5c name keys or key locations chosen by the
	// token's author (RFC 7515 sections 4.1.2 to 4.1.6). They are never
	// followed: a token carrying one is refused, so that no configuration
	// mistake or future library change can make the server fetch a URL or
	// trust a key that the sender picked.
	for _, name := range [...]string{"jku", "x5u", "jwk", "x5c"} {
		if _, found := h[name]; found {
			return errExternalKey
		}
	}
	if _, found := h["crit"]; found {
		// No extension is understood, so RFC 7515 section 4.1.11 requires
		// refusing any token that marks one critical.
		return errCriticalHeader
	}
	v, found := h["typ"]
	if !found {
		if s.acceptNoT {
			return nil
		}
		return errWrongType
	}
	typ, ok := v.(string)
	if !ok {
		return errWrongType
	}
	typ = trimMediaType(typ)
	for _, t := range s.types {
		if strings.EqualFold(t, typ) {
			return nil
		}
	}
	return errWrongType
}

// trimMediaType drops an "application/" prefix, compared case-insensitively.
func trimMediaType(t string) string {
	const prefix = "application/"
	if len(t) > len(prefix) && strings.EqualFold(t[:len(prefix)], prefix) {
		return t[len(prefix):]
	}
	return t
}

// lookupKey finds the key for t: the static key of its kid (or the key
// with an empty ID when it has none), else the JWK Set. kid is only ever a
// map key.
func (s *Strategy[U, C]) lookupKey(ctx context.Context, t *jwtlib.Token) (any, *verifyKey, error) {
	if err := s.checkHeader(t.Header); err != nil {
		return nil, nil, err
	}
	if t.Method == nil {
		return nil, nil, errors.New("jwt: no signing method")
	}
	alg := t.Method.Alg()
	kid, hasKID := "", false
	if v, found := t.Header["kid"]; found {
		k, ok := v.(string)
		if !ok {
			return nil, nil, errUnknownKey
		}
		kid, hasKID = k, true
	}
	if vk, found := s.keys[kid]; found {
		if !vk.accepts(alg) {
			return nil, nil, errUnknownKey
		}
		return vk.key, vk, nil
	}
	if s.jwks != nil {
		key, err := s.jwks.lookup(ctx, alg, kid, hasKID)
		return key, nil, err
	}
	return nil, nil, errUnknownKey
}
