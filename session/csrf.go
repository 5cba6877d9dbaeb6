package session

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
)

// csrfKey is where [Session.CSRFSecret] keeps the secret.
const csrfKey = "_csrf"

// csrfSecretLen is the size of a CSRF secret in bytes.
const csrfSecretLen = 32

// CSRFSecret returns the session's CSRF secret (32 random bytes), creating
// it when the session has none yet, which makes the session change. The
// secret is replaced at every [Session.Regenerate], so at login and logout:
// a token derived from the old one is refused afterwards. It returns the
// fault met while loading, if any. Never show the secret itself: derive
// tokens from it (passport's CSRF middleware masks it anew for each page).
func (s *Session) CSRFSecret() ([]byte, error) {
	gs := s.session()
	if s.err != nil {
		return nil, s.err
	}
	if b, ok := s.storedCSRFSecret(); ok {
		return b, nil
	}
	b := make([]byte, csrfSecretLen)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("session: generating a CSRF secret: %w", err)
	}
	gs.Values[csrfKey] = base64.RawURLEncoding.EncodeToString(b)
	s.markChanged()
	return b, nil
}

// LookupCSRFSecret returns the session's CSRF secret without creating one:
// ok is false when the session has none. It returns the fault met while
// loading, if any. A check of a submitted token uses it, so that a refused
// request changes nothing.
func (s *Session) LookupCSRFSecret() (secret []byte, ok bool, err error) {
	s.session()
	if s.err != nil {
		return nil, false, s.err
	}
	secret, ok = s.storedCSRFSecret()
	return secret, ok, nil
}

func (s *Session) storedCSRFSecret() ([]byte, bool) {
	v, ok := s.gs.Values[csrfKey].(string)
	if !ok {
		return nil, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(v)
	if err != nil || len(b) != csrfSecretLen {
		return nil, false
	}
	return b, true
}
