package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gopassport/passport/internal/sqldialect"
	"github.com/gopassport/passport/session"
)

// DefaultRevocationsTable starts the names of the two tables of a
// [Revocations] when RevocationsConfig.TablePrefix is empty:
// passport_revoked_sessions and passport_revoked_users.
const DefaultRevocationsTable = "passport_revoked_"

// RevocationsConfig configures [NewRevocations].
type RevocationsConfig struct {
	// Dialect of the database. Optional. Default [SQLite].
	Dialect Dialect
	// TablePrefix starts the names of the two tables (prefix + "sessions"
	// and "users"), as Config.Table is checked. Optional. Default
	// [DefaultRevocationsTable].
	TablePrefix string
	// Now returns the current time. Optional, for tests. Default time.Now.
	Now func() time.Time
}

// Revocations is a [session.Revocations] in a SQL database, shared by
// every instance of an app on the cookie store: give it to
// session.Config. A check is one query; a revocation one upsert. Rows of
// sessions whose revocation has lapsed are deleted by
// [Revocations.DeleteExpired]. Errors of a database out of reach wrap
// strategy.ErrUnavailable.
type Revocations struct {
	db                                  *sql.DB
	now                                 func() time.Time
	check, session, user, deleteExpired string
}

var _ session.Revocations = (*Revocations)(nil)

// NewRevocations returns a Revocations on db and creates its tables when
// they are missing. A configuration mistake (a nil db, an unknown
// Dialect, a bad TablePrefix) is an error wrapping [ErrInvalidConfig].
func NewRevocations(ctx context.Context, db *sql.DB, cfg RevocationsConfig) (*Revocations, error) {
	if db == nil {
		return nil, configErrorf("sqlstore: NewRevocations needs a *sql.DB")
	}
	if !cfg.Dialect.Known() {
		return nil, configErrorf("sqlstore: unknown dialect %v in RevocationsConfig.Dialect", cfg.Dialect)
	}
	p := cfg.TablePrefix
	if p == "" {
		p = DefaultRevocationsTable
	}
	if !sqldialect.ValidName(p + "sessions") {
		return nil, configErrorf("sqlstore: RevocationsConfig.TablePrefix %q: want letters, digits and underscores, not starting with a digit, at most %d bytes with \"sessions\"", p, sqldialect.MaxName)
	}
	d := cfg.Dialect
	s, u := `"`+p+`sessions"`, `"`+p+`users"`
	rv := &Revocations{db: db, now: cfg.Now,
		check: d.Rebind(`SELECT (SELECT COUNT(*) FROM ` + s + ` WHERE sid = ? AND until > ?), ` +
			`COALESCE((SELECT not_before FROM ` + u + ` WHERE user_key = ?), -1)`),
		session: d.Rebind(`INSERT INTO ` + s + ` (sid, until) VALUES (?, ?) ON CONFLICT (sid) DO UPDATE SET until = excluded.until`),
		user: d.Rebind(`INSERT INTO ` + u + ` (user_key, not_before) VALUES (?, ?) ON CONFLICT (user_key) DO UPDATE SET not_before = ` +
			`CASE WHEN excluded.not_before > ` + u + `.not_before THEN excluded.not_before ELSE ` + u + `.not_before END`),
		deleteExpired: d.Rebind(`DELETE FROM ` + s + ` WHERE until <= ?`),
	}
	if rv.now == nil {
		rv.now = time.Now
	}
	for _, q := range []string{
		`CREATE TABLE IF NOT EXISTS ` + s + ` (sid TEXT PRIMARY KEY, until BIGINT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS ` + u + ` (user_key TEXT PRIMARY KEY, not_before BIGINT NOT NULL)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return nil, fault("creating the revocation tables", err)
		}
	}
	return rv, nil
}

// RevokeSession implements [session.Revocations].
func (rv *Revocations) RevokeSession(ctx context.Context, sid string, until time.Time) error {
	if _, err := rv.db.ExecContext(ctx, rv.session, sid, until.Unix()); err != nil {
		return fault("revoking a session", err)
	}
	return nil
}

// RevokeUser implements [session.Revocations]; a later time wins.
func (rv *Revocations) RevokeUser(ctx context.Context, user string, at time.Time) error {
	if _, err := rv.db.ExecContext(ctx, rv.user, user, at.Unix()); err != nil {
		return fault("revoking a user's sessions", err)
	}
	return nil
}

// Revoked implements [session.Revocations]: one query.
func (rv *Revocations) Revoked(ctx context.Context, sid, user string, created time.Time) (bool, error) {
	var n, notBefore int64
	err := rv.db.QueryRowContext(ctx, rv.check, sid, rv.now().Unix(), user).Scan(&n, &notBefore)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fault("checking revocations", err)
	}
	return n > 0 || (user != "" && notBefore >= 0 && created.Unix() <= notBefore), nil
}

// DeleteExpired deletes the session revocations that have lapsed (those
// sessions would have expired anyway) and returns how many. Users'
// revocations are kept: they are one row per user. Call it now and then.
func (rv *Revocations) DeleteExpired(ctx context.Context) (int64, error) {
	res, err := rv.db.ExecContext(ctx, rv.deleteExpired, rv.now().Unix())
	if err != nil {
		return 0, fault("deleting lapsed revocations", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlstore: deleting lapsed revocations: %w", err)
	}
	return n, nil
}
