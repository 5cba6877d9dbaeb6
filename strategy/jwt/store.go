package jwt

import (
	"context"
	"slices"
	"sync"
	"time"
)

// RefreshRecord is what a [Store] keeps about one refresh token.
type RefreshRecord struct {
	// Hash is [HashRefreshToken] of the token; the token itself is never
	// stored.
	Hash string
	// Family groups the tokens of one login: each rotation adds a token
	// to the family of the token it replaces.
	Family string
	// Subject is the user the token was issued to.
	Subject string
	// Scope lists the granted scopes.
	Scope []string
	// IssuedAt and ExpiresAt bound the token's life.
	IssuedAt, ExpiresAt time.Time
	// UsedAt is when the token was rotated; zero while unused.
	UsedAt time.Time
	// RevokedAt is when the token's family was revoked; zero while it is
	// not.
	RevokedAt time.Time
}

// Store keeps the state of refresh tokens and revocations for an
// [Issuer], and answers the strategy's revocation checks. Implementations
// must be safe for concurrent use, and must keep their times with at least
// millisecond precision.
//
// A family is kept while it has a token that has not expired, so the
// revocation of a login outlives the access tokens issued with it as long
// as refresh tokens live at least as long as access tokens (which
// [NewIssuer] requires).
//
// [MemoryStore] is for tests and single-instance apps; package sqlstore
// keeps the same state in a SQL database. Package storetest checks an
// implementation.
type Store interface {
	RevocationChecker
	FamilyChecker
	// SaveRefresh stores a new token. Its family is created when it does
	// not exist yet.
	SaveRefresh(ctx context.Context, rec RefreshRecord) error
	// GetRefresh returns the record of hash, with RevokedAt set when its
	// family is revoked, or an error wrapping [ErrNotFound].
	GetRefresh(ctx context.Context, hash string) (RefreshRecord, error)
	// UseRefresh atomically marks the token of hash as used at at, if it
	// was not already, and returns the record as it was before the call:
	// a zero UsedAt means this call used it, a non-zero one means it had
	// been used before (and nothing changed). Of concurrent calls for one
	// token, exactly one sees a zero UsedAt. An unknown hash returns an
	// error wrapping [ErrNotFound].
	UseRefresh(ctx context.Context, hash string, at time.Time) (RefreshRecord, error)
	// RevokeFamily revokes every token of family, present and future. A
	// family already revoked keeps its first revocation time. An unknown
	// family is not an error.
	RevokeFamily(ctx context.Context, family string, at time.Time) error
	// RevokeSubject revokes every family of subject and sets the
	// subject's not-before time to at (it never moves back).
	RevokeSubject(ctx context.Context, subject string, at time.Time) error
}

// MemoryStore is a [Store] in memory. It is safe for concurrent use and
// loses everything on restart; it does not share state between instances
// of the app. Build it with [NewMemoryStore].
type MemoryStore struct {
	now       func() time.Time
	mu        sync.Mutex
	tokens    map[string]*RefreshRecord
	families  map[string]*memFamily
	notBefore map[string]time.Time
}

type memFamily struct {
	subject string
	revoked time.Time
}

var _ Store = (*MemoryStore)(nil)

// MemoryStoreConfig configures [NewMemoryStore].
type MemoryStoreConfig struct {
	// Now returns the current time, against which
	// [MemoryStore.DeleteExpired] judges expiry, as sqltokens.Config.Now
	// does. Optional, for tests. Default time.Now.
	Now func() time.Time
}

// NewMemoryStore returns an empty MemoryStore. It starts no goroutine:
// call [MemoryStore.DeleteExpired] now and then (a ticker) in a long-lived
// process.
func NewMemoryStore(cfg MemoryStoreConfig) *MemoryStore {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &MemoryStore{
		now:       now,
		tokens:    make(map[string]*RefreshRecord),
		families:  make(map[string]*memFamily),
		notBefore: make(map[string]time.Time),
	}
}

// SaveRefresh implements [Store].
func (m *MemoryStore) SaveRefresh(_ context.Context, rec RefreshRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec.Scope = slices.Clone(rec.Scope)
	rec.UsedAt, rec.RevokedAt = time.Time{}, time.Time{}
	m.tokens[rec.Hash] = &rec
	if _, ok := m.families[rec.Family]; !ok {
		m.families[rec.Family] = &memFamily{subject: rec.Subject}
	}
	return nil
}

// GetRefresh implements [Store].
func (m *MemoryStore) GetRefresh(_ context.Context, hash string) (RefreshRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, ok := m.tokens[hash]
	if !ok {
		return RefreshRecord{}, ErrNotFound
	}
	return m.snapshot(rec), nil
}

// UseRefresh implements [Store].
func (m *MemoryStore) UseRefresh(_ context.Context, hash string, at time.Time) (RefreshRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	rec, ok := m.tokens[hash]
	if !ok {
		return RefreshRecord{}, ErrNotFound
	}
	out := m.snapshot(rec)
	if rec.UsedAt.IsZero() {
		rec.UsedAt = at
	}
	return out, nil
}

// snapshot copies rec with its family's revocation time.
func (m *MemoryStore) snapshot(rec *RefreshRecord) RefreshRecord {
	out := *rec
	out.Scope = slices.Clone(rec.Scope)
	if f, ok := m.families[rec.Family]; ok {
		out.RevokedAt = f.revoked
	}
	return out
}

// RevokeFamily implements [Store].
func (m *MemoryStore) RevokeFamily(_ context.Context, family string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if f, ok := m.families[family]; ok && f.revoked.IsZero() {
		f.revoked = at
	}
	return nil
}

// RevokeSubject implements [Store].
func (m *MemoryStore) RevokeSubject(_ context.Context, subject string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, f := range m.families {
		if f.subject == subject && f.revoked.IsZero() {
			f.revoked = at
		}
	}
	if at.After(m.notBefore[subject]) {
		m.notBefore[subject] = at
	}
	return nil
}

// NotBefore implements [RevocationChecker].
func (m *MemoryStore) NotBefore(_ context.Context, subject string) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.notBefore[subject], nil
}

// FamilyRevoked implements [FamilyChecker].
func (m *MemoryStore) FamilyRevoked(_ context.Context, family string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.families[family]
	return ok && !f.revoked.IsZero(), nil
}

// DeleteExpired removes the tokens that expired before now (by
// MemoryStoreConfig.Now), and the families left without tokens, so that
// memory does not grow without bound, and returns how many tokens it
// removed. Not-before times are kept. Its signature is that of
// sqltokens.Store.DeleteExpired and session/sqlstore's.
func (m *MemoryStore) DeleteExpired(_ context.Context) (int64, error) {
	now := m.now()
	m.mu.Lock()
	defer m.mu.Unlock()
	var n int64
	alive := make(map[string]bool, len(m.families))
	for h, rec := range m.tokens {
		if rec.ExpiresAt.Before(now) {
			delete(m.tokens, h)
			n++
			continue
		}
		alive[rec.Family] = true
	}
	for id := range m.families {
		if !alive[id] {
			delete(m.families, id)
		}
	}
	return n, nil
}
