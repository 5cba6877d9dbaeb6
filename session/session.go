package session

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/securecookie"
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
	// watcher hears of the first change (see OnChange).
	watcher ChangeWatcher
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
	switch revoked, err := s.revoked(created); {
	case err != nil:
		// Unknown: nobody is let in, the cookie is kept.
		s.err = fmt.Errorf("session: checking revocations: %w", err)
		s.gs = s.fresh()
		return s.err
	case revoked:
		// Logged out elsewhere: an anonymous visitor.
		s.gs = s.fresh()
		return nil
	}
	if now.Sub(time.Unix(seen, 0)) >= s.m.touch {
		gs.Values[seenKey] = now.Unix()
		s.markChanged()
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
	s.markChanged()
}

// Delete removes key.
func (s *Session) Delete(key string) {
	gs := s.session()
	if _, ok := gs.Values[key]; ok {
		delete(gs.Values, key)
		s.markChanged()
	}
}

// Values exposes the raw gorilla values for interoperability. After changing
// them, call [Session.MarkChanged].
func (s *Session) Values() map[any]any { return s.session().Values }

// MarkChanged records that the session must be saved.
func (s *Session) MarkChanged() { s.markChanged() }

// ChangeWatcher hears when a session first changes: an adapter that saves
// the session just before the response header goes out registers that
// save then, and a request that never changes its session pays nothing
// for it.
type ChangeWatcher interface {
	// SessionChanged is called once, the first time the session changes
	// after OnChange, before it is saved.
	SessionChanged(s *Session)
}

// OnChange makes w hear of the session's first change from now on (once).
// A session that already changed calls it at once.
func (s *Session) OnChange(w ChangeWatcher) {
	if s.changed {
		w.SessionChanged(s)
		return
	}
	s.watcher = w
}

// markChanged records that the session must be saved, and tells the
// watcher the first time.
func (s *Session) markChanged() {
	s.changed = true
	if w := s.watcher; w != nil {
		s.watcher = nil
		w.SessionChanged(s)
	}
}

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
	s.markChanged()
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
	s.markChanged()
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
		if ks == createdKey || ks == seenKey || ks == sidKey || keeps(keep, ks) {
			continue
		}
		delete(gs.Values, k)
		s.markChanged()
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

// ErrNoSession is returned where a session is needed and none is bound to
// the request (the middleware was not installed).
var ErrNoSession = errors.New("session: no session bound to the request; install the session middleware")
