package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gopassport/passport/session"
)

// maxText is the most bytes of the User-Agent (and of the IP address) a
// row keeps.
const maxText = 256

// deleteBatch is the most IDs one DELETE names, well within the
// placeholder limits of SQLite (32766) and PostgreSQL (65535).
const deleteBatch = 500

// SetLifetimes implements [session.Lifetimes]: [session.New] calls it with
// the Manager's IdleTimeout (0: none) and AbsoluteTimeout, and from then
// on a saved row expires when its session would ([session.ExpiresAt]),
// not MaxAge after its last save. A non-positive absolute leaves the
// MaxAge rule in place.
func (s *Store) SetLifetimes(idle, absolute time.Duration) {
	if absolute <= 0 {
		s.lifetimes.Store(nil)
		return
	}
	s.lifetimes.Store(&lifetimes{idle: max(idle, 0), absolute: absolute})
}

// ListUserSessions implements [session.UserSessions]: the live sessions
// whose [session.UserKey] is user, newest (first saved last) first, each
// named by its [session.Handle], never by its ID. An empty user has no
// sessions. One query, on the index on user_key.
func (s *Store) ListUserSessions(ctx context.Context, user string) ([]session.Record, error) {
	if user == "" {
		return nil, nil
	}
	rows, err := s.db.QueryContext(ctx, s.q.listUser, user, s.now().Unix())
	if err != nil {
		return nil, fault("listing sessions", err)
	}
	defer rows.Close()
	var list []session.Record
	for rows.Next() {
		var (
			id            string
			created, seen sql.NullInt64
			expires       int64
			ip, userAgent sql.NullString
		)
		if err := rows.Scan(&id, &created, &seen, &expires, &ip, &userAgent); err != nil {
			return nil, fault("listing sessions", err)
		}
		rec := session.Record{
			Handle:    session.Handle(id),
			Expires:   time.Unix(expires, 0),
			IP:        ip.String,
			UserAgent: userAgent.String,
		}
		if created.Valid {
			rec.Created = time.Unix(created.Int64, 0)
		}
		if seen.Valid {
			rec.LastSeen = time.Unix(seen.Int64, 0)
		}
		list = append(list, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, fault("listing sessions", err)
	}
	return list, nil
}

// DeleteUserSessions implements [session.UserSessions]: it deletes every
// live session of user but the one whose handle is except ("" deletes them
// all) and returns how many it deleted. The handles are computed here from
// the IDs, so it reads the user's IDs and deletes them by ID, in one
// transaction. A session the user logs in to while it runs (a row
// inserted after the read) is not ended.
func (s *Store) DeleteUserSessions(ctx context.Context, user, except string) (int64, error) {
	if user == "" {
		return 0, nil
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fault("ending sessions", err)
	}
	defer tx.Rollback() // a no-op after Commit
	ids, err := userIDs(ctx, tx, s.q.userIDs, user, s.now().Unix())
	if err != nil {
		return 0, fault("ending sessions", err)
	}
	if except != "" {
		for i, id := range ids {
			if session.Handle(id) == except {
				ids = append(ids[:i], ids[i+1:]...)
				break
			}
		}
	}
	var n int64
	for len(ids) > 0 {
		batch := ids[:min(len(ids), deleteBatch)]
		ids = ids[len(batch):]
		args := make([]any, 0, len(batch)+1)
		args = append(args, user)
		for _, id := range batch {
			args = append(args, id)
		}
		res, err := tx.ExecContext(ctx, s.q.deleteIDs(len(batch)), args...)
		if err != nil {
			return 0, fault("ending sessions", err)
		}
		k, err := res.RowsAffected()
		if err != nil {
			return 0, fault("ending sessions", err)
		}
		n += k
	}
	if err := tx.Commit(); err != nil {
		return 0, fault("ending sessions", err)
	}
	return n, nil
}

// DeleteUserSession implements [session.UserSessions]: it deletes the
// session of user whose handle is handle. A handle of another user's
// session, or of none, deletes nothing and is no error: the DELETE names
// the user as well as the ID.
func (s *Store) DeleteUserSession(ctx context.Context, user, handle string) error {
	if user == "" || handle == "" {
		return nil
	}
	ids, err := userIDs(ctx, s.db, s.q.userIDs, user, s.now().Unix())
	if err != nil {
		return fault("ending session", err)
	}
	for _, id := range ids {
		if session.Handle(id) != handle {
			continue
		}
		if _, err := s.db.ExecContext(ctx, s.q.deleteUserID, id, user); err != nil {
			return fault("ending session", err)
		}
		return nil
	}
	return nil
}

// querier is what userIDs needs of a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// userIDs returns the IDs of the live sessions of user.
func userIDs(ctx context.Context, q querier, query, user string, now int64) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, user, now)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// cleanText makes s, from a request header, fit a TEXT column of either
// dialect: invalid UTF-8 becomes U+FFFD, NUL bytes (which PostgreSQL
// refuses) are dropped, and the result is cut to at most n bytes on a
// character boundary.
func cleanText(s string, n int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
