package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gopassport/passport/session"
	"github.com/gorilla/sessions"
)

// DefaultTable is the table the store uses when Config.Table is empty.
const DefaultTable = "passport_sessions"

// DefaultCleanupInterval is how often expired rows are deleted when
// Config.CleanupInterval is zero.
const DefaultCleanupInterval = 10 * time.Minute

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

// ErrInvalidConfig is wrapped by the errors that [New] returns for a
// configuration mistake. The error's message names the field.
var ErrInvalidConfig = errors.New("sqlstore: invalid config")

// configError is a configuration mistake: its message is the mistake's
// own, and it matches [ErrInvalidConfig] as well as the cause it wraps.
type configError struct {
	msg   string
	cause error // may be nil
}

func (e *configError) Error() string { return e.msg }
func (e *configError) Unwrap() []error {
	if e.cause == nil {
		return []error{ErrInvalidConfig}
	}
	return []error{ErrInvalidConfig, e.cause}
}

// configErrorf returns a configuration mistake; a %w verb in format names
// its cause.
func configErrorf(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &configError{msg: err.Error(), cause: errors.Unwrap(err)}
}

// Config configures a [Store].
type Config struct {
	// Keys seal the cookie, which holds only the session ID: the first key
	// seals, every key opens (see [session.NewCodec]; each at least 32
	// bytes). Required. To rotate, put a new key first and keep the old
	// ones for as long as their cookies may live.
	Keys [][]byte
	// Table is the table's name, a plain identifier (letters, digits and
	// underscores, not starting with a digit, at most 48 bytes). Optional.
	// Default [DefaultTable].
	Table string
	// Dialect of the database. Optional. Default [SQLite].
	Dialect Dialect
	// Options are the cookie options of new sessions. A [session.Manager]
	// sets its own on every session it loads, so they matter only when the
	// store is used without one. Optional. Default
	// [session.DefaultOptions]. Their MaxAge must not be negative.
	Options *sessions.Options
	// CleanupInterval is how often a background goroutine deletes expired
	// rows. Optional. Default [DefaultCleanupInterval]; negative disables
	// it (call [Store.DeleteExpired] yourself, from a cron job for example).
	CleanupInterval time.Duration
	// Logger receives the faults of the background cleanup, which has no
	// caller to return them to. Optional. Default slog.Default().
	Logger *slog.Logger
	// Now returns the current time. Optional, for tests. Default time.Now.
	Now func() time.Time
}

// Store is a gorilla [sessions.Store] that keeps sessions in a SQL table
// (SQLite or PostgreSQL through database/sql) and only a sealed session ID
// in the cookie. Deleting the row ends the session everywhere: logout,
// [session.Session.Regenerate] and [session.Session.Destroy] really end it,
// and a copied cookie is worth nothing afterwards.
//
// Expiry is decided by the row's expires_at, written at every save as now
// plus the cookie's MaxAge (24 hours for a browser session cookie).
// Expired rows are invisible at once and deleted by a background goroutine
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
	codec   *session.Codec
	q       queries
	options sessions.Options
	now     func() time.Time
	logger  *slog.Logger

	stop      context.CancelFunc
	done      chan struct{}
	closeOnce sync.Once
}

var _ sessions.Store = (*Store)(nil)

// New returns a store over db, creating the table and its index on
// expires_at when they are missing, and starts the background cleanup.
// ctx bounds the table creation only. db stays the caller's: [Store.Close]
// does not close it.
//
// With SQLite, open db with busy_timeout and WAL (see the package
// documentation); for ":memory:", call db.SetMaxOpenConns(1), since every
// connection of the pool would otherwise open its own empty database.
//
// With PostgreSQL, two instances creating the same table at the same
// moment may race inside the server's catalog; create it beforehand (the
// schema is in the package documentation) or start one instance first.
//
// A configuration mistake (a nil db, missing or short Keys, a bad Table,
// an unknown Dialect, a negative Options.MaxAge) is an error wrapping
// [ErrInvalidConfig], returned before the database is touched.
func New(ctx context.Context, db *sql.DB, cfg Config) (*Store, error) {
	if db == nil {
		return nil, configErrorf("sqlstore: nil *sql.DB")
	}
	if len(cfg.Keys) == 0 {
		return nil, configErrorf("sqlstore: Config.Keys is required")
	}
	codec, err := session.NewCodec(cfg.Keys...)
	if err != nil {
		return nil, configErrorf("sqlstore: %w (Config.Keys)", err)
	}
	table := cfg.Table
	if table == "" {
		table = DefaultTable
	}
	if !validTable(table) {
		return nil, configErrorf("sqlstore: invalid table name %q in Config.Table: want letters, digits and underscores, at most %d bytes", table, maxTableName)
	}
	q, err := cfg.Dialect.queries(table)
	if err != nil {
		return nil, configErrorf("%w (Config.Dialect)", err)
	}
	if cfg.Options != nil && cfg.Options.MaxAge < 0 {
		return nil, configErrorf("sqlstore: Config.Options.MaxAge %d is negative: every session would be deleted as it is saved", cfg.Options.MaxAge)
	}
	s := &Store{db: db, codec: codec, q: q, now: cfg.Now, logger: cfg.Logger}
	if cfg.Options != nil {
		s.options = *cfg.Options
	} else {
		s.options = *session.DefaultOptions()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if _, err := db.ExecContext(ctx, q.createTable); err != nil {
		return nil, fmt.Errorf("sqlstore: creating table %s: %w", table, err)
	}
	if _, err := db.ExecContext(ctx, q.createIndex); err != nil {
		return nil, fmt.Errorf("sqlstore: creating index on %s: %w", table, err)
	}
	interval := cfg.CleanupInterval
	if interval == 0 {
		interval = DefaultCleanupInterval
	}
	s.done = make(chan struct{})
	if interval < 0 {
		s.stop = func() {}
		close(s.done)
		return s, nil
	}
	// The cleanup outlives New's ctx (often a startup timeout), keeping
	// only its values.
	cctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.stop = cancel
	go s.cleanupLoop(cctx, interval)
	return s, nil
}

// cleanupLoop deletes expired rows every interval until ctx is cancelled.
func (s *Store) cleanupLoop(ctx context.Context, interval time.Duration) {
	defer close(s.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.DeleteExpired(ctx); err != nil && ctx.Err() == nil {
				s.logger.Error("sqlstore: background cleanup failed", "err", err)
			}
		}
	}
}

// Close stops the background cleanup and waits for it to return. It does
// not close the database, and the store keeps serving Get, New and Save.
// Close is idempotent and always returns nil.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.stop()
		<-s.done
	})
	return nil
}

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
// that the caller can answer 500.
func (s *Store) New(r *http.Request, name string) (*sessions.Session, error) {
	sess := sessions.NewSession(s, name)
	opts := s.options
	sess.Options = &opts
	sess.IsNew = true
	c, err := r.Cookie(name)
	if err != nil {
		return sess, nil
	}
	// No age limit on the cookie: expires_at, kept server-side, decides.
	raw, err := s.codec.Open(name, c.Value, 0)
	if err != nil {
		return sess, nil
	}
	id := string(raw)
	if !validID(id) {
		return sess, nil
	}
	var data []byte
	err = s.db.QueryRowContext(r.Context(), s.q.load, id, s.now().Unix()).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return sess, nil
	}
	if err != nil {
		return sess, fmt.Errorf("sqlstore: loading session: %w", err)
	}
	values, err := session.DecodeValues(data)
	if err != nil {
		return sess, nil
	}
	sess.Values = values
	sess.ID = id
	sess.IsNew = false
	return sess, nil
}

// OpenCookie reports whether value opens as a cookie of this store called
// name, holding a well-formed session ID; the database is not read. It
// implements [session.CookieOpener].
func (s *Store) OpenCookie(name, value string) error {
	raw, err := s.codec.Open(name, value, 0)
	if err != nil {
		return err
	}
	if !validID(string(raw)) {
		return fmt.Errorf("sqlstore: %w: malformed session ID", session.ErrInvalidCookie)
	}
	return nil
}

// Save writes sess to the database and its sealed ID to a cookie on w.
//
// With Options.MaxAge < 0 it deletes the row (when the session has an ID)
// and writes an expired cookie. Otherwise a session without an ID gets a
// fresh one from [session.NewID] and a new row; a session with an ID
// updates its row, or fails with [ErrSessionGone] if the row was deleted
// meanwhile. The row expires MaxAge seconds from now, or 24 hours from now
// when MaxAge is 0 (a browser session cookie). The database is written with
// r's context.
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
	ttl := time.Duration(opts.MaxAge) * time.Second
	if ttl == 0 {
		ttl = defaultServerTTL
	}
	expires := s.now().Add(ttl).Unix()
	id := sess.ID
	if id == "" {
		id, err = session.NewID()
		if err != nil {
			return fmt.Errorf("sqlstore: %w", err)
		}
		if _, err := s.db.ExecContext(ctx, s.q.insert, id, data, expires); err != nil {
			return fmt.Errorf("sqlstore: inserting session: %w", err)
		}
	} else {
		res, err := s.db.ExecContext(ctx, s.q.update, data, expires, id)
		if err != nil {
			return fmt.Errorf("sqlstore: updating session: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("sqlstore: updating session: %w", err)
		}
		if n == 0 {
			return ErrSessionGone
		}
	}
	sealed, err := s.codec.Seal(sess.Name(), []byte(id))
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
		return fmt.Errorf("sqlstore: deleting session: %w", err)
	}
	return nil
}

// DeleteExpired deletes every expired row and returns how many it deleted.
// The background cleanup calls it; call it yourself when
// Config.CleanupInterval is negative.
func (s *Store) DeleteExpired(ctx context.Context) (int64, error) {
	res, err := s.db.ExecContext(ctx, s.q.deleteExpired, s.now().Unix())
	if err != nil {
		return 0, fmt.Errorf("sqlstore: deleting expired sessions: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlstore: deleting expired sessions: %w", err)
	}
	return n, nil
}

// validID reports whether id looks like an ID from [session.NewID]
// (base64url, of a sane length). The ID was sealed by this store, so this
// only keeps a cookie sealed for something else, under the same key and
// name, away from the database.
func validID(id string) bool {
	if len(id) < 16 || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_':
		default:
			return false
		}
	}
	return true
}
