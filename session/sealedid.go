package session

import (
	"fmt"
	"net/http"

	"github.com/gorilla/sessions"
)

// SealedIDs seals and opens the session IDs that server-side stores put in
// their cookies: the cookie holds only the ID, sealed with a [Codec] so
// that an ID is never taken from request data. session/sqlstore and
// session/redisstore use it; a third-party store can too.
type SealedIDs struct {
	codec *Codec
}

// NewSealedIDs returns SealedIDs under keys, as [NewCodec] takes them:
// the first seals, every one opens.
func NewSealedIDs(keys ...[]byte) (*SealedIDs, error) {
	c, err := NewCodec(keys...)
	if err != nil {
		return nil, err
	}
	return &SealedIDs{codec: c}, nil
}

// Read returns the session ID sealed in r's cookie called name. ok is
// false for a missing cookie, one that does not open (tampered, foreign,
// sealed with a key no longer kept) and one that holds no well-formed ID:
// an anonymous visitor. The cookie has no age limit of its own; the
// store's record decides.
func (s *SealedIDs) Read(r *http.Request, name string) (id string, ok bool) {
	c, err := r.Cookie(name)
	if err != nil {
		return "", false
	}
	raw, err := s.codec.Open(name, c.Value, 0)
	if err != nil || !ValidID(string(raw)) {
		return "", false
	}
	return string(raw), true
}

// Load is the New of a server-side store: the session called name for r,
// built with opts, holding the record of the ID sealed in r's cookie, or
// a new empty session (IsNew true, no ID) when there is no such cookie, no
// such record (fetch reports found false) or the record does not decode
// ([DecodeValues]): an anonymous visitor, not an error. An error of fetch
// (the store is down) returns a new session and the error.
func (s *SealedIDs) Load(store sessions.Store, r *http.Request, name string, opts sessions.Options,
	fetch func(id string) (data []byte, found bool, err error)) (*sessions.Session, error) {
	sess := sessions.NewSession(store, name)
	sess.Options = &opts
	sess.IsNew = true
	id, ok := s.Read(r, name)
	if !ok {
		return sess, nil
	}
	data, found, err := fetch(id)
	if err != nil || !found {
		return sess, err
	}
	values, err := DecodeValues(data)
	if err != nil {
		return sess, nil
	}
	sess.Values = values
	sess.ID = id
	sess.IsNew = false
	return sess, nil
}

// Check reports why value does not open as a cookie called name holding
// a well-formed ID (an error wrapping [ErrInvalidCookie]), or nil; it is
// a store's [CookieOpener].
func (s *SealedIDs) Check(name, value string) error {
	raw, err := s.codec.Open(name, value, 0)
	if err != nil {
		return err
	}
	if !ValidID(string(raw)) {
		return fmt.Errorf("session: %w: malformed session ID", ErrInvalidCookie)
	}
	return nil
}

// Seal returns the value of the cookie called name that carries id.
func (s *SealedIDs) Seal(name, id string) (string, error) {
	return s.codec.Seal(name, []byte(id))
}

// ValidID reports whether id looks like an ID from [NewID]: base64url, of
// a sane length. A sealed ID was sealed by the store, so this only keeps a
// cookie sealed for something else, under the same key and name, away
// from the store.
func ValidID(id string) bool {
	if len(id) < 16 || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}
