package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/gorilla/securecookie"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/sessions"
)

// Session is one request's view of its session. Get one from
// [Manager.Bind], [FromContext] or passport's Echo middleware. It loads
// lazily: a request that never touches the session never decodes the
// cookie nor reads the store.
//
// A Session belongs to one request and is not safe for concurrent use.
type Session struct {
	m       *Manager
	w       http.ResponseWriter
	r       *http.Request
	name    string // the cookie name for this request (see Manager.NameFor)
	gs      *sessions.Session
	err     error
	loaded  bool
	changed bool
	// tampered: the request carried a cookie of the session's name that
	// did not open.
	tampered bool
}

type contextKey struct{}

// NewContext returns a copy of ctx carrying s; strategies read it back with
// [FromContext].
func NewContext(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, contextKey{}, s)
}

// FromContext returns the session bound to the request whose context is
// ctx, if any.
func FromContext(ctx context.Context) (*Session, bool) {
	s, ok := ctx.Value(contextKey{}).(*Session)
	return s, ok && s != nil
}

// SetRequest tells the session about a request that replaced the one it was
// bound with (a copy with a new context). The store reads the cookie and the
// context from it.
func (s *Session) SetRequest(r *http.Request) { s.r = r }

// Load reads the session now and reports a fault of the store (a database
// that is down). A cookie that does not open, or a session that has timed
// out, is not an error: the session is then new and empty. Neither is a
// request carrying more than one cookie of the session's name: which one
// a server reads first is the client's choice, and a sibling host can add
// one (cookie tossing), so the request has no session at all, and the
// event is logged at warning level. Every other method loads on first use
// and treats a fault as an empty session, so call Load first where a
// fault must become a 500.
func (s *Session) Load() error {
	if s.loaded {
		return s.err
	}
	s.loaded = true
	if n := countCookies(s.r, s.name); n > 1 {
		s.m.logger.WarnContext(s.r.Context(), "session: more than one session cookie in the request; treated as no session", "cookie", s.name, "count", n)
		s.gs = s.fresh()
		return nil
	}
	gs, err := s.m.store.New(s.r, s.name)
	if err != nil && !isAnonymousError(err) {
		s.err = fmt.Errorf("session: loading: %w", err)
		s.gs = s.fresh()
		return s.err
	}
	if gs == nil || err != nil || gs.IsNew {
		s.tampered = s.m.cookieTampered(s.r, s.name, err)
	}
	if gs == nil || err != nil {
		gs = s.fresh()
	}
	gs.Options = s.m.optionsFor(s.r)
	s.gs = gs
	now := s.m.now()
	if gs.IsNew {
		return nil
	}
	created, _ := gs.Values[createdKey].(int64)
	seen, _ := gs.Values[seenKey].(int64)
	if s.expired(now, created, seen) {
		// Timed out: delete it where it is kept, start anew.
		if err := s.deleteStored(); err != nil {
			s.err = err
			return err
		}
		s.gs = s.fresh()
		return nil
	}
	if now.Sub(time.Unix(seen, 0)) >= s.m.touch {
		gs.Values[seenKey] = now.Unix()
		s.changed = true
	}
	return nil
}

// Tampered reports whether the request carried a session cookie that did
// not open: forged, corrupted, or sealed with a key no longer configured.
// Such a request is an anonymous visitor; Tampered lets the caller log it
// as its own event, apart from "no cookie" and from a session that timed
// out or was logged out. It never loads the session: before [Session.Load]
// (or any method that loads) it is false. A store tells it apart only when
// it returns a decode error (gorilla's stores) or implements
// [CookieOpener] (this module's stores).
func (s *Session) Tampered() bool { return s.tampered }

// CookieOpener is implemented by stores that can tell whether a cookie of
// theirs opens (authentic, well-formed) without any I/O. The manager asks
// it when the store answered a new session to a request that carried a
// cookie, to tell a tampered cookie from a record that is gone.
type CookieOpener interface {
	// OpenCookie returns an error when value is not a cookie the store
	// sealed under name with one of its keys.
	OpenCookie(name, value string) error
}

// cookieTampered reports whether the store's new session for r comes from a
// cookie that does not open; err is the store's error, if any.
func (m *Manager) cookieTampered(r *http.Request, name string, err error) bool {
	c, cerr := r.Cookie(name)
	if cerr != nil || c.Value == "" {
		return false
	}
	var sc securecookie.Error
	if errors.As(err, &sc) && sc.IsDecode() || errors.Is(err, ErrInvalidCookie) {
		return true
	}
	if err != nil {
		return false
	}
	if o, ok := m.store.(CookieOpener); ok {
		return o.OpenCookie(name, c.Value) != nil
	}
	return false
}

// countCookies counts the cookies called name in r's Cookie headers, as
// net/http splits them, without allocating. A pair whose value net/http
// would drop still counts: two spellings of the name are never one session.
func countCookies(r *http.Request, name string) int {
	n := 0
	for _, line := range r.Header["Cookie"] {
		for part := range strings.SplitSeq(line, ";") {
			k, _, _ := strings.Cut(part, "=")
			if strings.TrimSpace(k) == name {
				n++
			}
		}
	}
	return n
}

func (s *Session) expired(now time.Time, created, seen int64) bool {
	if created == 0 || seen == 0 {
		return true // not written by a Manager: not trusted
	}
	if now.Sub(time.Unix(created, 0)) > s.m.absolute {
		return true
	}
	return s.m.idle > 0 && now.Sub(time.Unix(seen, 0)) > s.m.idle
}

func (s *Session) fresh() *sessions.Session {
	gs := sessions.NewSession(s.m.store, s.name)
	gs.IsNew = true
	gs.Options = s.m.optionsFor(s.r)
	return gs
}

func (s *Session) session() *sessions.Session {
	if !s.loaded {
		_ = s.Load() // a fault leaves an empty session; Load reports it to those who ask
	}
	return s.gs
}

// Err returns the fault met while loading, if any.
func (s *Session) Err() error { return s.err }

// IsNew reports whether the session was not found in the request (a first
// visit, an expired or tampered cookie).
func (s *Session) IsNew() bool { return s.session().IsNew }

// ID returns the session's ID as the store knows it; empty for a session
// that was never saved. Never log it or show it.
func (s *Session) ID() string { return s.session().ID }

// Get returns the string stored under key.
func (s *Session) Get(key string) (string, bool) {
	v, ok := s.session().Values[key].(string)
	return v, ok
}

// Set stores value under key. Keys starting with "_" are the manager's.
func (s *Session) Set(key, value string) {
	gs := s.session()
	if old, ok := gs.Values[key].(string); ok && old == value {
		return
	}
	gs.Values[key] = value
	s.changed = true
}

// Delete removes key.
func (s *Session) Delete(key string) {
	gs := s.session()
	if _, ok := gs.Values[key]; ok {
		delete(gs.Values, key)
		s.changed = true
	}
}

// Values exposes the raw gorilla values for interoperability. After changing
// them, call [Session.MarkChanged].
func (s *Session) Values() map[any]any { return s.session().Values }

// MarkChanged records that the session must be saved.
func (s *Session) MarkChanged() { s.changed = true }

// Changed reports whether the session will be saved at the end of the
// request.
func (s *Session) Changed() bool { return s.changed }

// AddFlash adds a one-time message of the given kind ("error", "info",
// "success") to be shown on the next page.
func (s *Session) AddFlash(kind, message string) {
	gs := s.session()
	key := flashKey + kind
	list, _ := gs.Values[key].([]string)
	gs.Values[key] = append(list, message)
	s.changed = true
}

// Flashes returns the messages of the given kind and removes them.
func (s *Session) Flashes(kind string) []string {
	if !s.loaded && !s.hasCookie() {
		return nil
	}
	gs := s.session()
	key := flashKey + kind
	list, ok := gs.Values[key].([]string)
	if !ok {
		return nil
	}
	delete(gs.Values, key)
	s.changed = true
	return list
}

// hasCookie reports whether the request carries the session cookie at all,
// so reading flashes on a first visit costs nothing.
func (s *Session) hasCookie() bool {
	_, err := s.r.Cookie(s.name)
	return err == nil
}

// Clear removes every value but the keys named in keep (and the manager's
// own timestamps).
func (s *Session) Clear(keep ...string) {
	gs := s.session()
	for k := range gs.Values {
		ks, _ := k.(string)
		if ks == createdKey || ks == seenKey || keeps(keep, ks) {
			continue
		}
		delete(gs.Values, k)
		s.changed = true
	}
}

func keeps(keep []string, k string) bool {
	for _, p := range keep {
		if k == p || (strings.HasSuffix(p, "*") && strings.HasPrefix(k, p[:len(p)-1])) {
			return true
		}
	}
	return false
}

// FlashKeys is the pattern that [Session.Clear] accepts to keep every flash
// message.
const FlashKeys = flashKey + "*"

// Regenerate gives the session a new ID and deletes the record under the
// old one, keeping the values but the CSRF secret (see
// [Session.CSRFSecret]), which is replaced: the defence against session
// fixation, called at login and logout. The old record is gone when
// Regenerate returns; the new one is written when the session is saved.
// When deleting the old record fails, Regenerate returns the error and
// changes nothing.
func (s *Session) Regenerate() error {
	gs := s.session()
	if s.err != nil {
		return s.err
	}
	if !gs.IsNew || gs.ID != "" {
		if err := s.deleteStored(); err != nil {
			return err
		}
	}
	gs.ID = ""
	gs.IsNew = true
	delete(gs.Values, csrfKey) // a new session, a new CSRF secret
	now := s.m.now().Unix()
	gs.Values[createdKey] = now
	gs.Values[seenKey] = now
	s.changed = true
	return nil
}

// Destroy ends the session: the stored record is deleted and every value
// but those named in keep is dropped. The request goes on with a new empty
// session, saved only if something is put in it.
func (s *Session) Destroy(keep ...string) error {
	s.Clear(keep...)
	if err := s.Regenerate(); err != nil {
		return err
	}
	return nil
}

// deleteStored deletes the stored record of the session as loaded, the
// gorilla way (a save with MaxAge < 0), into a throwaway header so that no
// cookie-deleting header reaches the client: the next save sets the new
// cookie.
func (s *Session) deleteStored() error {
	gs := s.gs
	if gs == nil || gs.IsNew && gs.ID == "" {
		return nil
	}
	opts := *gs.Options
	gone := *gs
	gone.Options = &opts
	gone.Options.MaxAge = -1
	if err := s.m.store.Save(s.r, discardWriter{}, &gone); err != nil {
		return fmt.Errorf("session: deleting the old session: %w", err)
	}
	return nil
}

// Save writes the session now if it changed. The middleware calls it
// before the response header goes out; call it yourself where a failed save
// must change the response (passport's Login does). A failed save leaves
// the response's Set-Cookie headers as they were before it: no cookie of a
// session that was not stored goes out.
func (s *Session) Save() error {
	return s.saveIfChanged()
}

// Discard drops every change not saved yet and goes on with a new, empty
// session that is saved only if something is put in it. The stored record
// is left alone. passport's Login calls it when saving the new login
// failed, so that nothing of the failed login is saved later in the
// request.
func (s *Session) Discard() {
	s.session()
	s.gs = s.fresh()
	s.changed = false
}

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
	s.changed = true
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

func (s *Session) saveIfChanged() error {
	if !s.changed || s.gs == nil {
		return nil
	}
	if s.err != nil {
		return s.err
	}
	gs := s.gs
	if s.isEmpty() {
		s.changed = false
		if gs.IsNew && gs.ID == "" {
			if s.hasCookie() {
				// Logged out or expired: clear the browser's cookie too.
				http.SetCookie(s.w, sessions.NewCookie(s.name, "", expiredOptions(gs.Options)))
			}
			return nil
		}
		err := s.deleteStored()
		http.SetCookie(s.w, sessions.NewCookie(s.name, "", expiredOptions(gs.Options)))
		// What the request adds from now on goes into a new session.
		gs.ID = ""
		gs.IsNew = true
		return err
	}
	if _, ok := gs.Values[createdKey]; !ok {
		now := s.m.now().Unix()
		gs.Values[createdKey] = now
		gs.Values[seenKey] = now
	}
	h := s.w.Header()
	cookies, had := h["Set-Cookie"]
	cookies = append([]string(nil), cookies...)
	if err := s.m.store.Save(s.r, s.w, gs); err != nil {
		// A store may have set the cookie before failing: take it back.
		if had {
			h["Set-Cookie"] = cookies
		} else {
			delete(h, "Set-Cookie")
		}
		return fmt.Errorf("session: saving: %w", err)
	}
	s.changed = false
	gs.IsNew = false
	return nil
}

// isEmpty reports whether the session holds nothing but timestamps.
func (s *Session) isEmpty() bool {
	for k := range s.gs.Values {
		if k != createdKey && k != seenKey {
			return false
		}
	}
	return true
}

func expiredOptions(o *sessions.Options) *sessions.Options {
	e := *o
	e.MaxAge = -1
	return &e
}

// discardWriter swallows what a store writes while deleting a record.
type discardWriter struct{}

func (discardWriter) Header() http.Header         { return http.Header{} }
func (discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (discardWriter) WriteHeader(int)             {}

// ErrNoSession is returned where a session is needed and none is bound to
// the request (the middleware was not installed).
var ErrNoSession = errors.New("session: no session bound to the request; install the session middleware")
