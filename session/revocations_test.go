package session_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/gopassport/passport/session"
)

// failingRevocations is a revocation list whose store is down.
type failingRevocations struct{ err error }

func (f failingRevocations) RevokeSession(context.Context, string, time.Time) error { return f.err }
func (f failingRevocations) RevokeUser(context.Context, string, time.Time) error    { return f.err }
func (f failingRevocations) Revoked(context.Context, string, string, time.Time) (bool, error) {
	return false, f.err
}

// TestRevocationsMakeLogoutBiteForCookies checks that with a revocation
// list a copy of a cookie store's cookie, taken before a login or a
// logout, is refused after it, and that a user's revocation refuses every
// cookie of that user begun before it, only that user's.
func TestRevocationsMakeLogoutBiteForCookies(t *testing.T) {
	clk := &clock{t: time.Unix(1_800_000_000, 0)}
	rv := session.NewMemoryRevocations(clk.now)
	m := newManager(t, session.Config{Revocations: rv, Now: clk.now})
	userOf := func(c *http.Cookie) string {
		var u string
		roundTrip(t, m, c, func(s *session.Session) { u, _ = s.Get(session.UserKey) })
		return u
	}
	login := func(user string, c *http.Cookie) *http.Cookie {
		out, _ := roundTrip(t, m, c, func(s *session.Session) {
			if err := s.Regenerate(); err != nil {
				t.Fatal(err)
			}
			s.Set(session.UserKey, user)
		})
		return out
	}
	anon, _ := roundTrip(t, m, nil, func(s *session.Session) { s.Set("visited", "yes") })
	ada := login("ada", anon)
	if got := userOf(ada); got != "ada" {
		t.Fatalf("after login: %q; want ada", got)
	}
	var visited string
	roundTrip(t, m, anon, func(s *session.Session) { visited, _ = s.Get("visited") })
	if visited != "" {
		t.Errorf("the pre-login cookie after login still holds its session")
	}
	// Logout: the copy taken before it is anonymous.
	roundTrip(t, m, ada, func(s *session.Session) {
		if err := s.Destroy(); err != nil {
			t.Fatal(err)
		}
	})
	if got := userOf(ada); got != "" {
		t.Errorf("a copy of the cookie after logout: %q; want nobody", got)
	}
	// RevokeUser: every cookie of the user begun until then.
	ada1, ada2, bob := login("ada", nil), login("ada", nil), login("bob", nil)
	if err := rv.RevokeUser(t.Context(), "ada", clk.now()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []*http.Cookie{ada1, ada2} {
		if got := userOf(c); got != "" {
			t.Errorf("after RevokeUser: %q; want nobody", got)
		}
	}
	if got := userOf(bob); got != "bob" {
		t.Errorf("another user after RevokeUser: %q; want bob", got)
	}
	clk.t = clk.t.Add(2 * time.Second)
	if got := userOf(login("ada", nil)); got != "ada" {
		t.Errorf("a login after RevokeUser: %q; want ada", got)
	}
}

// TestRevocationsDown checks that a revocation list that cannot answer
// lets nobody in and keeps the cookie, and that a logout it cannot record
// fails.
func TestRevocationsDown(t *testing.T) {
	down := errors.New("revocations down")
	m := newManager(t, session.Config{Revocations: failingRevocations{down}})
	c, _ := roundTrip(t, m, nil, func(s *session.Session) { s.Set(session.UserKey, "ada") })
	if c == nil {
		t.Fatal("no cookie")
	}
	var loadErr, regenErr error
	var user string
	after, rec := roundTrip(t, m, c, func(s *session.Session) {
		loadErr = s.Load()
		user, _ = s.Get(session.UserKey)
	})
	if !errors.Is(loadErr, down) || user != "" {
		t.Errorf("Load = %v, user %q; want the fault and nobody", loadErr, user)
	}
	if after != nil || len(rec.Result().Cookies()) != 0 {
		t.Errorf("cookies %v; want the cookie kept (none set)", rec.Result().Cookies())
	}
	m2 := newManager(t, session.Config{Revocations: session.NewMemoryRevocations(nil)})
	c2, _ := roundTrip(t, m2, nil, func(s *session.Session) { s.Set(session.UserKey, "ada") })
	m3 := newManager(t, session.Config{Store: m2.Store(), Revocations: failingRevocations{down}})
	roundTrip(t, m3, c2, func(s *session.Session) { regenErr = s.Regenerate() })
	if !errors.Is(regenErr, down) {
		t.Errorf("Regenerate with the list down = %v; want the fault", regenErr)
	}
}
