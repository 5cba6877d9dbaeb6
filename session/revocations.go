package session

import (
	"context"
	"sync"
	"time"
)

// sidKey keeps a session's revocation ID, a random value of its own, when
// the Manager has Revocations: sealed cookies carry no store ID.
const sidKey = "_sid"

// Revocations records the sessions that ended, for a store whose records
// are the cookies themselves (the cookie store): without it a copy of a
// cookie taken before a logout stays valid until it expires. With
// Config.Revocations the Manager gives every session a revocation ID,
// records it at every Regenerate and Destroy (logout, login), and checks
// every session it loads: one call per request, so keep it in a fast
// shared store (session/redisstore.Revocations, session/sqlstore's, or
// [MemoryRevocations] for one process). passport's LogoutAll calls
// RevokeUser.
type Revocations interface {
	// RevokeSession records that the session with revocation ID sid
	// ended; it need not be remembered after until, when the session
	// would have expired anyway.
	RevokeSession(ctx context.Context, sid string, until time.Time) error
	// RevokeUser records that every session of user that began at or
	// before at ended.
	RevokeUser(ctx context.Context, user string, at time.Time) error
	// Revoked reports whether the session with revocation ID sid, of user
	// ("" for an anonymous session), which began at created, was revoked.
	Revoked(ctx context.Context, sid, user string, created time.Time) (bool, error)
}

// MemoryRevocations keeps revocations in memory: for tests and an app of
// one process, whose restarts forget them. Build it with
// [NewMemoryRevocations]; it is safe for concurrent use.
type MemoryRevocations struct {
	now      func() time.Time
	mu       sync.Mutex
	sessions map[string]time.Time // sid → until
	users    map[string]time.Time // user → not before
}

// NewMemoryRevocations returns an empty MemoryRevocations on the clock now
// (nil: time.Now).
func NewMemoryRevocations(now func() time.Time) *MemoryRevocations {
	if now == nil {
		now = time.Now
	}
	return &MemoryRevocations{now: now, sessions: map[string]time.Time{}, users: map[string]time.Time{}}
}

// RevokeSession implements [Revocations]; revocations past their until
// are dropped as it goes.
func (m *MemoryRevocations) RevokeSession(_ context.Context, sid string, until time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	for k, u := range m.sessions {
		if !u.After(now) {
			delete(m.sessions, k)
		}
	}
	m.sessions[sid] = until
	return nil
}

// RevokeUser implements [Revocations]; a later time wins.
func (m *MemoryRevocations) RevokeUser(_ context.Context, user string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if at.After(m.users[user]) {
		m.users[user] = at
	}
	return nil
}

// Revoked implements [Revocations].
func (m *MemoryRevocations) Revoked(_ context.Context, sid, user string, created time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if until, ok := m.sessions[sid]; ok && until.After(m.now()) {
		return true, nil
	}
	if user != "" {
		if nb, ok := m.users[user]; ok && !created.After(nb) {
			return true, nil
		}
	}
	return false, nil
}

// Revocations returns the Manager's revocation list, nil without one.
func (m *Manager) Revocations() Revocations { return m.revocations }

// revoked reports whether the loaded session gs was revoked.
func (s *Session) revoked(created int64) (bool, error) {
	rv := s.m.revocations
	if rv == nil {
		return false, nil
	}
	sid, _ := s.gs.Values[sidKey].(string)
	user, _ := s.gs.Values[UserKey].(string)
	if sid == "" && user == "" {
		return false, nil
	}
	return rv.Revoked(s.r.Context(), sid, user, time.Unix(created, 0))
}

// revokeLoaded records the end of the session as loaded, before its ID
// and values change (Regenerate, Destroy).
func (s *Session) revokeLoaded() error {
	rv := s.m.revocations
	if rv == nil || s.gs == nil {
		return nil
	}
	sid, _ := s.gs.Values[sidKey].(string)
	if sid == "" {
		return nil
	}
	created, _ := s.gs.Values[createdKey].(int64)
	until := time.Unix(created, 0).Add(s.m.absolute)
	if err := rv.RevokeSession(s.r.Context(), sid, until); err != nil {
		return err
	}
	return nil
}

// newSID gives the session a fresh revocation ID, when the Manager keeps
// revocations.
func (s *Session) newSID() error {
	if s.m.revocations == nil {
		return nil
	}
	sid, err := NewID()
	if err != nil {
		return err
	}
	s.gs.Values[sidKey] = sid
	return nil
}
