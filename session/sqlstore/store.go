package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gorilla/sessions"

	"github.com/gopassport/passport/internal/cleanup"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
)

// defaultServerTTL is how long a row lives when the cookie is a browser
// session cookie (Options.MaxAge == 0), which has no lifetime of its own.
const defaultServerTTL = 24 * time.Hour

// ErrSessionGone is returned by [Store.Save] for a session that was loaded
// from the database but whose row has since been deleted: regenerated or
// destroyed by a concurrent request, or expired and cleaned up. The save is
// refused so that a request that started before a login or a logout cannot
// bring the old session back; no cookie is written. It matches
// [fs.ErrNotExist] too, the "record is gone" of gorilla's stores.
var ErrSessionGone = fmt.Errorf("sqlstore: session was deleted since it was loaded: %w", fs.ErrNotExist)

// Store is a gorilla [sessions.Store] that keeps sessions in a SQL table
// (SQLite or PostgreSQL through database/sql) and only a sealed session ID
// in the cookie. Deleting the row ends the session everywhere: logout,
// [session.Session.Regenerate] and [session.Session.Destroy] really end it,
// and a copied cookie is worth nothing afterwards.
//
// Expiry is decided by the row's expires_at, written at every save: when
// the session would end by the Manager's idle and absolute timeouts (see
// [Store.SetLifetimes]), or else now plus the cookie's MaxAge (24 hours for
// a browser session cookie). Expired rows are invisible at once and deleted by a background goroutine
// (see Config.CleanupInterval) or [Store.DeleteExpired].
//
// Security: the session ID comes only out of a cookie sealed with
// Config.Keys (AES-256-GCM), never from a header, a query parameter or an
// unsealed cookie, and a session without an ID always gets a fresh random
// one ([session.NewID]), so an attacker cannot choose a victim's ID. A save
// never recreates a row that was deleted (see [ErrSessionGone]).
//
// A Store is safe for concurrent use. Call [Store.Close] when done to stop
// the background cleanup.
type Store struct {
	db      *sql.DB
	ids     *session.SealedIDs
	q       queries
	options sessions.Options
	now     func() time.Time
	cleanup *cleanup.Loop
	// lifetimes are the Manager's timeouts, set by SetLifetimes; nil
	// until then.
	lifetimes atomic.Pointer[lifetimes]
}

// lifetimes are the timeouts given to [Store.SetLifetimes].
type lifetimes struct{ idle, absolute time.Duration }

var (
	_ sessions.Store       = (*Store)(nil)
	_ session.UserSessions = (*Store)(nil)
	_ session.Lifetimes    = (*Store)(nil)
	_ session.CookieOpener = (*Store)(nil)
)

// Get returns the session called name for r, through gorilla's per-request
// registry (two Gets in one request return the same session).
func (s *Store) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New returns the session called name for r: the row whose ID is sealed in
// r's cookie, if it exists and has not expired, or else a new empty
// session (IsNew true, no ID). A missing, tampered, foreign or stale cookie
// and a corrupt row are an anonymous visitor, not an error. A fault of the
// database (read with r's context) returns a new session and the error, so
// that the caller can answer 500, or 503 when the error wraps
// [strategy.ErrUnavailable] (the database is out of reach).
func (s *Store) New(r *http.Request, name string) (*sessions.Session, error) {
	// No age limit on the cookie: expires_at, kept server-side, decides.
	return s.ids.Load(s, r, name, s.options, func(id string) ([]byte, bool, error) {
		var data []byte
		err := s.db.QueryRowContext(r.Context(), s.q.load, id, s.now().Unix()).Scan(&data)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return nil, false, nil
		case err != nil:
			return nil, false, fault("loading session", err)
		}
		return data, true, nil
	})
}

// OpenCookie reports whether value opens as a cookie of this store called
// name, holding a well-formed session ID; the database is not read. It
// implements [session.CookieOpener].
func (s *Store) OpenCookie(name, value string) error { return s.ids.Check(name, value) }

// Save writes sess to the database and its sealed ID to a cookie on w.
//
// With Options.MaxAge < 0 it deletes the row (when the session has an ID)
// and writes an expired cookie. Otherwise a session without an ID gets a
// fresh one from [session.NewID] and a new row; a session with an ID
// updates its row, or fails with [ErrSessionGone] if the row was deleted
// meanwhile. The database is written with r's context; a database out of
// reach is an error wrapping [strategy.ErrUnavailable].
//
// The row expires when the session would by the Manager's timeouts
// ([session.ExpiresAt]) once [Store.SetLifetimes] was called and the values
// carry the Manager's timestamps; otherwise MaxAge seconds from now, or 24
// hours from now when MaxAge is 0 (a browser session cookie). The row also
// records the user ([session.UserKey], when it is a non-empty string), the
// time of the first and of this save, and the client's IP address
// ([strategy.ClientIP]) and User-Agent (at most 256 bytes), for
// [Store.ListUserSessions].
func (s *Store) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	ctx := context.Background()
	if r != nil {
		ctx = r.Context()
	}
	opts := sess.Options
	if opts == nil {
		opts = &s.options
	}
	if opts.MaxAge < 0 {
		if sess.ID != "" {
			if err := s.Delete(ctx, sess.ID); err != nil {
				return err
			}
		}
		http.SetCookie(w, sessions.NewCookie(sess.Name(), "", opts))
		return nil
	}
	data, err := session.EncodeValues(sess.Values)
	if err != nil {
		return fmt.Errorf("sqlstore: encoding session: %w", err)
	}
	now := s.now()
	expires := s.expiresAt(sess.Values, opts.MaxAge, now)
	user := sql.NullString{}
	if u, ok := sess.Values[session.UserKey].(string); ok && u != "" {
		user = sql.NullString{String: u, Valid: true}
	}
	var ip, ua string
	if r != nil {
		ip = cleanText(strategy.ClientIP(r), maxText)
		ua = cleanText(r.UserAgent(), maxText)
	}
	id := sess.ID
	if id == "" {
		id, err = session.NewID()
		if err != nil {
			return fmt.Errorf("sqlstore: %w", err)
		}
		if _, err := s.db.ExecContext(ctx, s.q.insert, id, data, expires, user, now.Unix(), now.Unix(), ip, ua); err != nil {
			return fault("inserting session", err)
		}
	} else {
		res, err := s.db.ExecContext(ctx, s.q.update, data, expires, user, now.Unix(), now.Unix(), ip, ua, id, now.Unix())
		if err != nil {
			return fault("updating session", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fault("updating session", err)
		}
		if n == 0 {
			return ErrSessionGone
		}
	}
	sealed, err := s.ids.Seal(sess.Name(), id)
	if err != nil {
		return fmt.Errorf("sqlstore: %w", err)
	}
	sess.ID = id
	http.SetCookie(w, sessions.NewCookie(sess.Name(), sealed, opts))
	return nil
}

// Delete deletes the session with the given ID. Deleting a session that
// does not exist is not an error.
func (s *Store) Delete(ctx context.Context, id string) error {
	if _, err := s.db.ExecContext(ctx, s.q.deleteID, id); err != nil {
		return fault("deleting session", err)
	}
	return nil
}

// DeleteExpired deletes every expired row and returns how many it deleted.
// The background cleanup calls it; call it yourself when
// Config.CleanupInterval is negative.
func (s *Store) DeleteExpired(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.q.deleteExpired, s.now().Unix())
	if err != nil {
		return 0, fault("deleting expired sessions", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fault("deleting expired sessions", err)
	}
	return n, nil
}

// expiresAt returns the unix second at which the row of values, saved now
// with the cookie's maxAge (not negative), expires.
func (s *Store) expiresAt(values map[any]any, maxAge int, now time.Time) int64 {
	if lt := s.lifetimes.Load(); lt != nil {
		if at, ok := session.ExpiresAt(values, lt.idle, lt.absolute); ok {
			return at.Unix()
		}
	}
	ttl := time.Duration(maxAge) * time.Second
	if ttl == 0 {
		ttl = defaultServerTTL
	}
	return now.Add(ttl).Unix()
}
