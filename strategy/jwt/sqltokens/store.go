package sqltokens

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/gopassport/passport/internal/cleanup"
	"github.com/gopassport/passport/strategy/jwt"
)

// Store is a [jwt.Store] on a SQL database (SQLite or PostgreSQL through
// database/sql). It also answers the strategy's revocation checks
// ([jwt.RevocationChecker], [jwt.FamilyChecker]). Expired tokens are
// deleted by a background goroutine (see Config.CleanupInterval) or
// [Store.DeleteExpired].
//
// A Store is safe for concurrent use as far as the database and its driver
// are. Call [Store.Close] when done to stop the background cleanup.
type Store struct {
	db      *sql.DB
	q       queries
	now     func() time.Time
	cleanup *cleanup.Loop
}

var _ jwt.Store = (*Store)(nil)

// SaveRefresh implements [jwt.Store].
func (s *Store) SaveRefresh(ctx context.Context, rec jwt.RefreshRecord) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fault("begin", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, s.q.saveFamily, rec.Family, rec.Subject); err != nil {
		return fault("save family", err)
	}
	if _, err := tx.ExecContext(ctx, s.q.saveToken, rec.Hash, rec.Family, rec.Subject,
		strings.Join(rec.Scope, " "), rec.IssuedAt.UnixNano(), rec.ExpiresAt.UnixNano()); err != nil {
		return fault("save refresh token", err)
	}
	if err := tx.Commit(); err != nil {
		return fault("commit", err)
	}
	return nil
}

// GetRefresh implements [jwt.Store].
func (s *Store) GetRefresh(ctx context.Context, hash string) (jwt.RefreshRecord, error) {
	var (
		rec               jwt.RefreshRecord
		scope             string
		issued, expires   int64
		usedAt, revokedAt sql.NullInt64
	)
	err := s.db.QueryRowContext(ctx, s.q.getToken, hash).Scan(
		&rec.Hash, &rec.Family, &rec.Subject, &scope, &issued, &expires, &usedAt, &revokedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return jwt.RefreshRecord{}, jwt.ErrNotFound
	}
	if err != nil {
		return jwt.RefreshRecord{}, fault("get refresh token", err)
	}
	rec.Scope = strings.Fields(scope)
	rec.IssuedAt = fromNanos(issued)
	rec.ExpiresAt = fromNanos(expires)
	if usedAt.Valid {
		rec.UsedAt = fromNanos(usedAt.Int64)
	}
	if revokedAt.Valid {
		rec.RevokedAt = fromNanos(revokedAt.Int64)
	}
	return rec, nil
}

// UseRefresh implements [jwt.Store]: the conditional UPDATE decides which
// of concurrent calls uses the token. The record is read before the
// UPDATE, so that the winner reports it as it was before the call: read
// after, it could show a family revocation that a concurrent loser (a
// reuse) made in between, and then no call would get a new pair.
func (s *Store) UseRefresh(ctx context.Context, hash string, at time.Time) (jwt.RefreshRecord, error) {
	before, err := s.GetRefresh(ctx, hash)
	if err != nil {
		return jwt.RefreshRecord{}, err
	}
	res, err := s.db.ExecContext(ctx, s.q.useToken, at.UnixNano(), hash)
	if err != nil {
		return jwt.RefreshRecord{}, fault("use refresh token", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return jwt.RefreshRecord{}, fault("use refresh token", err)
	}
	if n == 1 {
		// This call used it.
		before.UsedAt = time.Time{}
		return before, nil
	}
	// Used before: read the time of that use.
	return s.GetRefresh(ctx, hash)
}

// RevokeFamily implements [jwt.Store].
func (s *Store) RevokeFamily(ctx context.Context, family string, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, s.q.revokeFamily, at.UnixNano(), family); err != nil {
		return fault("revoke family", err)
	}
	return nil
}

// RevokeSubject implements [jwt.Store].
func (s *Store) RevokeSubject(ctx context.Context, subject string, at time.Time) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fault("begin", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, s.q.revokeSubjectFamilies, at.UnixNano(), subject); err != nil {
		return fault("revoke families", err)
	}
	if _, err := tx.ExecContext(ctx, s.q.setNotBefore, subject, at.UnixNano()); err != nil {
		return fault("set not-before", err)
	}
	if err := tx.Commit(); err != nil {
		return fault("commit", err)
	}
	return nil
}

// NotBefore implements [jwt.RevocationChecker].
func (s *Store) NotBefore(ctx context.Context, subject string) (time.Time, error) {
	var nb int64
	err := s.db.QueryRowContext(ctx, s.q.notBefore, subject).Scan(&nb)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fault("not-before", err)
	}
	return fromNanos(nb), nil
}

// FamilyRevoked implements [jwt.FamilyChecker]: one lookup by primary
// key.
func (s *Store) FamilyRevoked(ctx context.Context, family string) (bool, error) {
	var at sql.NullInt64
	err := s.db.QueryRowContext(ctx, s.q.familyRevoked, family).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fault("family revoked", err)
	}
	return at.Valid, nil
}

// DeleteExpired removes the tokens that expired before now (by
// Config.Now) and the families left without tokens, and returns how many
// tokens it removed. Not-before times are kept. The background cleanup
// calls it; call it yourself when Config.CleanupInterval is negative.
func (s *Store) DeleteExpired(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.q.deleteTokens, s.now().UnixNano())
	if err != nil {
		return 0, fault("delete expired", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fault("delete expired", err)
	}
	if _, err := s.db.ExecContext(ctx, s.q.deleteFamilies); err != nil {
		return n, fault("delete families", err)
	}
	return n, nil
}

// fromNanos converts stored Unix nanoseconds to a UTC time.
func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }
