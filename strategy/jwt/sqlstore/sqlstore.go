package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gopassport/passport/strategy/jwt"
)

// ErrInvalidConfig is wrapped by the errors that [New] returns for a
// configuration mistake.
var ErrInvalidConfig = errors.New("sqlstore: invalid config")

// maxTablePrefix keeps the longest name New makes (prefix +
// "refresh_expires") within PostgreSQL's 63 bytes, beyond which the
// server silently truncates identifiers.
const maxTablePrefix = 48

// Config configures [New].
type Config struct {
	// TablePrefix starts the names of the tables. Optional. Default
	// "passport_jwt_". Only lower-case letters, digits and underscores,
	// not starting with a digit, at most 48 bytes.
	TablePrefix string
}

// Store is a [jwt.Store] on a SQL database. It is safe for concurrent use
// as far as the database and its driver are.
type Store struct {
	db *sql.DB

	saveFamily, saveToken   string
	getToken, useToken      string
	revokeFamily            string
	revokeSubjectFamilies   string
	setNotBefore, notBefore string
	familyRevoked           string
	deleteTokens            string
	deleteFamilies          string
}

var _ jwt.Store = (*Store)(nil)

// New returns a Store on db and creates its tables and indexes when they
// do not exist. db stays the caller's to close. A nil db or an unusable
// TablePrefix is an error wrapping [ErrInvalidConfig].
func New(ctx context.Context, db *sql.DB, cfg Config) (*Store, error) {
	if db == nil {
		return nil, fmt.Errorf("%w: nil *sql.DB", ErrInvalidConfig)
	}
	p := cfg.TablePrefix
	if p == "" {
		p = "passport_jwt_"
	}
	if len(p) > maxTablePrefix {
		return nil, fmt.Errorf("%w: TablePrefix %q is longer than %d bytes", ErrInvalidConfig, p, maxTablePrefix)
	}
	if p[0] >= '0' && p[0] <= '9' {
		return nil, fmt.Errorf("%w: TablePrefix %q starts with a digit", ErrInvalidConfig, p)
	}
	for _, c := range p {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return nil, fmt.Errorf("%w: TablePrefix %q: want lower-case letters, digits and underscores", ErrInvalidConfig, p)
		}
	}
	family, token, subject := p+"family", p+"refresh", p+"subject"
	schema := []string{
		`CREATE TABLE IF NOT EXISTS ` + family + ` (
			id VARCHAR(64) PRIMARY KEY,
			subject VARCHAR(255) NOT NULL,
			revoked_at BIGINT
		)`,
		`CREATE INDEX IF NOT EXISTS ` + family + `_subject ON ` + family + ` (subject)`,
		`CREATE TABLE IF NOT EXISTS ` + token + ` (
			hash CHAR(64) PRIMARY KEY,
			family_id VARCHAR(64) NOT NULL,
			subject VARCHAR(255) NOT NULL,
			scope TEXT NOT NULL,
			issued_at BIGINT NOT NULL,
			expires_at BIGINT NOT NULL,
			used_at BIGINT
		)`,
		`CREATE INDEX IF NOT EXISTS ` + token + `_family ON ` + token + ` (family_id)`,
		`CREATE INDEX IF NOT EXISTS ` + token + `_expires ON ` + token + ` (expires_at)`,
		`CREATE TABLE IF NOT EXISTS ` + subject + ` (
			subject VARCHAR(255) PRIMARY KEY,
			not_before BIGINT NOT NULL
		)`,
	}
	for _, q := range schema {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return nil, fmt.Errorf("sqlstore: create schema: %w", err)
		}
	}
	// Placeholders are numbered in order of appearance and each used once,
	// so that the same text runs on SQLite and PostgreSQL.
	return &Store{
		db:         db,
		saveFamily: `INSERT INTO ` + family + ` (id, subject) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`,
		saveToken: `INSERT INTO ` + token + ` (hash, family_id, subject, scope, issued_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6)`,
		getToken: `SELECT t.hash, t.family_id, t.subject, t.scope, t.issued_at, t.expires_at, t.used_at, f.revoked_at
			FROM ` + token + ` t LEFT JOIN ` + family + ` f ON f.id = t.family_id WHERE t.hash = $1`,
		useToken:              `UPDATE ` + token + ` SET used_at = $1 WHERE hash = $2 AND used_at IS NULL`,
		revokeFamily:          `UPDATE ` + family + ` SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`,
		revokeSubjectFamilies: `UPDATE ` + family + ` SET revoked_at = $1 WHERE subject = $2 AND revoked_at IS NULL`,
		setNotBefore: `INSERT INTO ` + subject + ` (subject, not_before) VALUES ($1, $2)
			ON CONFLICT (subject) DO UPDATE SET not_before = excluded.not_before
			WHERE ` + subject + `.not_before < excluded.not_before`,
		notBefore:      `SELECT not_before FROM ` + subject + ` WHERE subject = $1`,
		familyRevoked:  `SELECT revoked_at FROM ` + family + ` WHERE id = $1`,
		deleteTokens:   `DELETE FROM ` + token + ` WHERE expires_at < $1`,
		deleteFamilies: `DELETE FROM ` + family + ` WHERE NOT EXISTS (SELECT 1 FROM ` + token + ` t WHERE t.family_id = ` + family + `.id)`,
	}, nil
}

// SaveRefresh implements [jwt.Store].
func (s *Store) SaveRefresh(ctx context.Context, rec jwt.RefreshRecord) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, s.saveFamily, rec.Family, rec.Subject); err != nil {
		return fmt.Errorf("sqlstore: save family: %w", err)
	}
	if _, err := tx.ExecContext(ctx, s.saveToken, rec.Hash, rec.Family, rec.Subject,
		strings.Join(rec.Scope, " "), rec.IssuedAt.UnixNano(), rec.ExpiresAt.UnixNano()); err != nil {
		return fmt.Errorf("sqlstore: save refresh token: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit: %w", err)
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
	err := s.db.QueryRowContext(ctx, s.getToken, hash).Scan(
		&rec.Hash, &rec.Family, &rec.Subject, &scope, &issued, &expires, &usedAt, &revokedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return jwt.RefreshRecord{}, jwt.ErrNotFound
	}
	if err != nil {
		return jwt.RefreshRecord{}, fmt.Errorf("sqlstore: get refresh token: %w", err)
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
	res, err := s.db.ExecContext(ctx, s.useToken, at.UnixNano(), hash)
	if err != nil {
		return jwt.RefreshRecord{}, fmt.Errorf("sqlstore: use refresh token: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return jwt.RefreshRecord{}, fmt.Errorf("sqlstore: use refresh token: %w", err)
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
	if _, err := s.db.ExecContext(ctx, s.revokeFamily, at.UnixNano(), family); err != nil {
		return fmt.Errorf("sqlstore: revoke family: %w", err)
	}
	return nil
}

// RevokeSubject implements [jwt.Store].
func (s *Store) RevokeSubject(ctx context.Context, subject string, at time.Time) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlstore: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, s.revokeSubjectFamilies, at.UnixNano(), subject); err != nil {
		return fmt.Errorf("sqlstore: revoke families: %w", err)
	}
	if _, err := tx.ExecContext(ctx, s.setNotBefore, subject, at.UnixNano()); err != nil {
		return fmt.Errorf("sqlstore: set not-before: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit: %w", err)
	}
	return nil
}

// NotBefore implements [jwt.RevocationChecker].
func (s *Store) NotBefore(ctx context.Context, subject string) (time.Time, error) {
	var nb int64
	err := s.db.QueryRowContext(ctx, s.notBefore, subject).Scan(&nb)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("sqlstore: not-before: %w", err)
	}
	return fromNanos(nb), nil
}

// FamilyRevoked implements [jwt.FamilyChecker]: one lookup by primary
// key.
func (s *Store) FamilyRevoked(ctx context.Context, family string) (bool, error) {
	var at sql.NullInt64
	err := s.db.QueryRowContext(ctx, s.familyRevoked, family).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sqlstore: family revoked: %w", err)
	}
	return at.Valid, nil
}

// DeleteExpired removes the tokens that expired before now and the
// families left without tokens. Not-before times are kept. It returns the
// number of tokens removed.
func (s *Store) DeleteExpired(ctx context.Context, now time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.deleteTokens, now.UnixNano())
	if err != nil {
		return 0, fmt.Errorf("sqlstore: delete expired: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlstore: delete expired: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, s.deleteFamilies); err != nil {
		return n, fmt.Errorf("sqlstore: delete families: %w", err)
	}
	return n, nil
}

// fromNanos converts stored Unix nanoseconds to a UTC time.
func fromNanos(n int64) time.Time { return time.Unix(0, n).UTC() }
