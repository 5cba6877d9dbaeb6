package session

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/sessions"
)

// idKey is where stores that keep the whole session in the cookie put its
// ID, so that a regenerated session is a different session even there.
const idKey = "_id"

// maxCookieBytes is the most a browser keeps of one cookie, name and
// attributes included.
const maxCookieBytes = 4096

// ErrCookieTooLarge is returned by [CookieStore.Save] when the encoded
// session does not fit in one cookie. Keep large data server-side (see the
// sqlstore and redisstore packages).
var ErrCookieTooLarge = errors.New("session: session does not fit in a 4 KiB cookie")

// CookieStore is a gorilla [sessions.Store] that keeps the whole session in
// the cookie, encrypted and authenticated with a [Codec], and encoded with
// this package's value codec instead of gob.
//
// Its limit: a copy of a cookie stays valid until it expires, even after the
// user logged out, because the server keeps nothing to revoke. Use a
// server-side store where logout must end the session everywhere.
//
// A CookieStore is safe for concurrent use.
type CookieStore struct {
	codec *Codec
	// Options are the cookie options of new sessions. The Manager sets them
	// on every session it loads, so they matter only when the store is used
	// without one.
	Options *sessions.Options
}

var _ sessions.Store = (*CookieStore)(nil)

// NewCookieStore returns a cookie store sealing with keys (see [NewCodec]:
// the first key seals, all open; each at least 32 bytes).
func NewCookieStore(keys ...[]byte) (*CookieStore, error) {
	codec, err := NewCodec(keys...)
	if err != nil {
		return nil, err
	}
	return &CookieStore{codec: codec, Options: DefaultOptions()}, nil
}

// DefaultOptions returns the cookie options of a login session: Path "/",
// HttpOnly, SameSite=Lax, 24 hours. Secure is decided per request by the
// [Manager].
func DefaultOptions() *sessions.Options {
	return &sessions.Options{Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: int((24 * time.Hour).Seconds())}
}

// Get returns the session called name for r, through gorilla's per-request
// registry (so two Gets return the same session).
func (s *CookieStore) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New returns the session called name decoded from r's cookie, or a new
// session when there is none or it does not open. A cookie that fails to
// open is not an error: it is an anonymous visitor.
func (s *CookieStore) New(r *http.Request, name string) (*sessions.Session, error) {
	sess := sessions.NewSession(s, name)
	opts := *s.Options
	sess.Options = &opts
	sess.IsNew = true
	c, err := r.Cookie(name)
	if err != nil {
		return sess, nil
	}
	maxAge := time.Duration(opts.MaxAge) * time.Second
	data, err := s.codec.Open(name, c.Value, maxAge)
	if err != nil {
		return sess, nil
	}
	if err := decodeValuesInto(sess.Values, data); err != nil {
		clear(sess.Values)
		return sess, nil
	}
	if id, ok := sess.Values[idKey].(string); ok {
		sess.ID = id
		delete(sess.Values, idKey)
	}
	sess.IsNew = false
	return sess, nil
}

// OpenCookie reports whether value opens as a cookie of this store called
// name (its age is not checked). It implements [CookieOpener].
func (s *CookieStore) OpenCookie(name, value string) error {
	data, err := s.codec.Open(name, value, 0)
	if err != nil {
		return err
	}
	return decodeValuesInto(map[any]any{}, data)
}

// Save writes sess to a Set-Cookie header on w. MaxAge < 0 deletes the
// cookie. A session without an ID gets a new random one.
func (s *CookieStore) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	opts := sess.Options
	if opts == nil {
		opts = s.Options
	}
	if opts.MaxAge < 0 {
		http.SetCookie(w, sessions.NewCookie(sess.Name(), "", opts))
		return nil
	}
	if sess.ID == "" {
		id, err := NewID()
		if err != nil {
			return err
		}
		sess.ID = id
	}
	sess.Values[idKey] = sess.ID
	data, err := EncodeValues(sess.Values)
	delete(sess.Values, idKey)
	if err != nil {
		return err
	}
	value, err := s.codec.Seal(sess.Name(), data)
	if err != nil {
		return err
	}
	cookie := sessions.NewCookie(sess.Name(), value, opts)
	if len(cookie.String()) > maxCookieBytes {
		return ErrCookieTooLarge
	}
	http.SetCookie(w, cookie)
	return nil
}

// NewID returns a new session ID: 32 bytes from crypto/rand in base64url.
// Stores call it for new sessions; the ID never comes from the client except
// inside a sealed cookie.
func NewID() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("session: generating an ID: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}
