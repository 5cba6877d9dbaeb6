package session

import (
	"fmt"
	"net/http"

	"github.com/gorilla/sessions"
)

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
	if !gs.IsNew {
		if err := s.revokeLoaded(); err != nil {
			return fmt.Errorf("session: revoking the old session: %w", err)
		}
	}
	if !gs.IsNew || gs.ID != "" {
		if err := s.deleteStored(); err != nil {
			return err
		}
	}
	gs.ID = ""
	gs.IsNew = true
	delete(gs.Values, csrfKey) // a new session, a new CSRF secret
	if err := s.newSID(); err != nil {
		return err
	}
	now := s.m.now().Unix()
	gs.Values[createdKey] = now
	gs.Values[seenKey] = now
	s.markChanged()
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
	if _, ok := gs.Values[sidKey]; !ok {
		if err := s.newSID(); err != nil {
			return err
		}
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
		if k != createdKey && k != seenKey && k != sidKey {
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
