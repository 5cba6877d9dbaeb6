package redisstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gorilla/sessions"
	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/internal/redisopt"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
)

// defaultServerTTL is how long a record lives when neither the manager's
// lifetimes ([Store.SetLifetimes]) nor the cookie's MaxAge say (a browser
// session cookie, MaxAge 0).
const defaultServerTTL = 24 * time.Hour

// maxUserAgent is how much of the User-Agent a record keeps.
const maxUserAgent = 256

// ErrSessionGone is returned by [Store.Save] for a session that was loaded
// from Redis but whose record has since been deleted: regenerated or
// destroyed by a concurrent request, ended by [Store.DeleteUserSessions],
// or expired. The save is refused so that a request that started before a
// login or a logout cannot bring the old session back; no cookie is
// written. It matches [fs.ErrNotExist] too, the "record is gone" of
// gorilla's stores, which the session manager logs at debug level.
var ErrSessionGone = fmt.Errorf("redisstore: session was deleted since it was loaded: %w", fs.ErrNotExist)

// Fields of a session's hash.
const (
	fieldData      = "d"  // the values, session.EncodeValues
	fieldCreated   = "c"  // unix milliseconds of the first save
	fieldSeen      = "s"  // unix milliseconds of the last save
	fieldExpires   = "e"  // unix milliseconds when the key expires
	fieldIP        = "ip" // client address of the last save
	fieldUserAgent = "ua" // User-Agent of the last save, cut to 256 bytes
	fieldUser      = "u"  // values[session.UserKey] when a string, else ""
)

// saveSrc writes a session's hash in one step. KEYS[1] is the hash; ARGV:
// mode ("n": create, refused when the key exists; "u": update, refused
// when it does not), data, now (ms), expires (ms), ip, user agent, user,
// TTL (ms). It returns 1 when written, 0 when refused.
const saveSrc = `
local k = KEYS[1]
local exists = redis.call('EXISTS', k)
if ARGV[1] == 'n' then
  if exists == 1 then return 0 end
  redis.call('HSET', k, 'c', ARGV[3])
elseif exists == 0 then
  return 0
end
redis.call('HSET', k, 'd', ARGV[2], 's', ARGV[3], 'e', ARGV[4], 'ip', ARGV[5], 'ua', ARGV[6], 'u', ARGV[7])
redis.call('PEXPIRE', k, ARGV[8])
return 1
`

// deleteIfUserSrc deletes the hash KEYS[1] only when its user is ARGV[1],
// and returns how many keys it deleted.
const deleteIfUserSrc = `
if redis.call('HGET', KEYS[1], 'u') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`

// lifetimes are the manager's timeouts, from SetLifetimes.
type lifetimes struct{ idle, absolute time.Duration }

// Store is a gorilla [sessions.Store] that keeps sessions in Redis and
// only a sealed session ID in the cookie. See the package documentation
// for the key layout and what each call costs.
//
// A Store is safe for concurrent use.
type Store struct {
	client       redis.UniversalClient
	cluster      bool // a *redis.ClusterClient: keys of different slots are on different nodes
	ids          *session.SealedIDs
	prefix       string
	timeout      time.Duration
	options      sessions.Options
	now          func() time.Time
	life         atomic.Pointer[lifetimes]
	save         *redis.Script
	deleteIfUser *redis.Script
}

var (
	_ sessions.Store       = (*Store)(nil)
	_ session.UserSessions = (*Store)(nil)
	_ session.Lifetimes    = (*Store)(nil)
	_ session.CookieOpener = (*Store)(nil)
)

// New returns a store over client. It does not talk to Redis: a server
// that is down makes the calls fail, not New. A configuration mistake (a
// nil client, a client whose options leave ContextTimeoutEnabled false,
// missing or short Keys, a bad KeyPrefix, a negative Timeout or
// Options.MaxAge) is an error wrapping [ErrInvalidConfig].
//
// The client must be made with ContextTimeoutEnabled: true (in
// redis.Options, redis.UniversalOptions, redis.ClusterOptions or
// redis.FailoverOptions); without it go-redis bounds a call to a stalled
// server by its ReadTimeout alone (seconds), and Config.Timeout would not
// hold.
func New(client redis.UniversalClient, cfg Config) (*Store, error) {
	if client == nil {
		return nil, configErrorf("redisstore: nil redis.UniversalClient")
	}
	if len(cfg.Keys) == 0 {
		return nil, configErrorf("redisstore: Config.Keys is required")
	}
	ids, err := session.NewSealedIDs(cfg.Keys...)
	if err != nil {
		return nil, configErrorf("redisstore: %w (Config.Keys)", err)
	}
	prefix := cfg.KeyPrefix
	if prefix == "" {
		prefix = DefaultKeyPrefix
	}
	if !validPrefix(prefix) {
		return nil, configErrorf("redisstore: Config.KeyPrefix %q must be printable ASCII without spaces, at most %d bytes", prefix, maxKeyPrefix)
	}
	if redisopt.IgnoresDeadlines(client) {
		return nil, configErrorf("redisstore: the client's Options.ContextTimeoutEnabled is false: go-redis would then ignore the deadline of Config.Timeout and wait for its own ReadTimeout on a stalled server; set it to true")
	}
	if cfg.Timeout < 0 {
		return nil, configErrorf("redisstore: Config.Timeout %v is negative", cfg.Timeout)
	}
	if cfg.Options != nil && cfg.Options.MaxAge < 0 {
		return nil, configErrorf("redisstore: Config.Options.MaxAge %d is negative: every session would be deleted as it is saved", cfg.Options.MaxAge)
	}
	s := &Store{
		client:       client,
		ids:          ids,
		prefix:       prefix,
		timeout:      cfg.Timeout,
		now:          cfg.Now,
		save:         redis.NewScript(saveSrc),
		deleteIfUser: redis.NewScript(deleteIfUserSrc),
	}
	_, s.cluster = client.(*redis.ClusterClient)
	if s.timeout == 0 {
		s.timeout = DefaultTimeout
	}
	if cfg.Options != nil {
		s.options = *cfg.Options
	} else {
		s.options = *session.DefaultOptions()
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// SetLifetimes makes records expire when their sessions end by the
// manager's timeouts ([session.ExpiresAt]). [session.New] calls it; it
// implements [session.Lifetimes]. Without it (or for values without the
// manager's timestamps) a record lives for the cookie's MaxAge, 24 hours
// for a browser session cookie.
func (s *Store) SetLifetimes(idle, absolute time.Duration) {
	s.life.Store(&lifetimes{idle: idle, absolute: absolute})
}

// sessionKey is the hash of session id. The hash tag is the ID: one
// session is one key, in one slot.
func (s *Store) sessionKey(id string) string { return s.prefix + "s:{" + id + "}" }

// userKey is the sorted set of user's session IDs, scored by expiry (unix
// milliseconds). The user is named by its handle (a hash), so that any
// string makes a short, printable key.
func (s *Store) userKey(user string) string { return s.prefix + "u:{" + session.Handle(user) + "}" }

// unavailable wraps a Redis error: a fault that the root answers 503.
func unavailable(what string, err error) error {
	return fmt.Errorf("redisstore: %s: %w: %w", what, strategy.ErrUnavailable, err)
}

// Get returns the session called name for r, through gorilla's per-request
// registry (two Gets in one request return the same session).
func (s *Store) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(s, name)
}

// New returns the session called name for r: the record whose ID is sealed
// in r's cookie, if it exists, or else a new empty session (IsNew true, no
// ID). A missing, tampered, foreign or stale cookie and a corrupt record
// are an anonymous visitor, not an error. It costs one command (HGET). A
// Redis that is down, slow (Config.Timeout) or refusing returns a new
// session and an error wrapping [strategy.ErrUnavailable]: the manager
// then reports the fault and clears no cookie.
func (s *Store) New(r *http.Request, name string) (*sessions.Session, error) {
	// No age limit on the cookie: the key's TTL decides.
	return s.ids.Load(s, r, name, s.options, func(id string) ([]byte, bool, error) {
		ctx, cancel := context.WithTimeout(r.Context(), s.timeout)
		defer cancel()
		data, err := s.client.HGet(ctx, s.sessionKey(id), fieldData).Bytes()
		switch {
		case errors.Is(err, redis.Nil):
			return nil, false, nil
		case err != nil:
			return nil, false, unavailable("loading session", err)
		}
		return data, true, nil
	})
}

// OpenCookie reports whether value opens as a cookie of this store called
// name, holding a well-formed session ID; Redis is not read. It implements
// [session.CookieOpener].
func (s *Store) OpenCookie(name, value string) error { return s.ids.Check(name, value) }

// Save writes sess to Redis and its sealed ID to a cookie on w.
//
// With Options.MaxAge < 0 it deletes the record (when the session has an
// ID) and writes an expired cookie. Otherwise a session without an ID gets
// a fresh one from [session.NewID] and a new record, created only if no key
// has that ID; a session with an ID updates its record, or fails with
// [ErrSessionGone] if the record was deleted meanwhile. Either is one
// script, in one round trip together with the user index when the session
// has a user ([session.UserKey]). The record expires when the session ends
// by the manager's timeouts (see [Store.SetLifetimes]), else after MaxAge
// seconds (24 hours for 0). No cookie is written when the save fails.
func (s *Store) Save(r *http.Request, w http.ResponseWriter, sess *sessions.Session) error {
	ctx := context.Background()
	if r != nil {
		ctx = r.Context()
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	opts := sess.Options
	if opts == nil {
		opts = &s.options
	}
	user, _ := sess.Values[session.UserKey].(string)
	if opts.MaxAge < 0 {
		if sess.ID != "" {
			if err := s.delete(ctx, sess.ID, user); err != nil {
				return err
			}
		}
		http.SetCookie(w, sessions.NewCookie(sess.Name(), "", opts))
		return nil
	}
	data, err := session.EncodeValues(sess.Values)
	if err != nil {
		return fmt.Errorf("redisstore: encoding session: %w", err)
	}
	now := s.now()
	expires := s.expiry(sess.Values, opts, now)
	ttl := expires.Sub(now)
	if ttl < time.Second {
		// Already over by the manager's clock: keep the record a moment
		// rather than let PEXPIRE delete it under a cookie just set.
		ttl = time.Second
		expires = now.Add(ttl)
	}
	var ip, ua string
	if r != nil {
		ip = strategy.ClientIP(r)
		ua = cut(r.UserAgent(), maxUserAgent)
	}
	id, mode := sess.ID, "u"
	if id == "" {
		if id, err = session.NewID(); err != nil {
			return fmt.Errorf("redisstore: %w", err)
		}
		mode = "n"
	}
	ok, err := s.write(ctx, id, user, now.UnixMilli(), expires.UnixMilli(), []any{
		mode, data, now.UnixMilli(), expires.UnixMilli(), ip, ua, user, ttl.Milliseconds(),
	})
	if err != nil {
		return err
	}
	if !ok {
		if mode == "n" {
			// 256 random bits met an existing key: never in practice.
			return errors.New("redisstore: a new session ID is already taken")
		}
		return ErrSessionGone
	}
	sealed, err := s.ids.Seal(sess.Name(), id)
	if err != nil {
		return fmt.Errorf("redisstore: %w", err)
	}
	sess.ID = id
	http.SetCookie(w, sessions.NewCookie(sess.Name(), sealed, opts))
	return nil
}

// write runs the save script for session id and, when user is set, files
// the ID in the user's index first: ZADD scored by expiry, a prune of the
// entries whose expiry has passed, and a TTL that covers the longest
// session (PEXPIRE NX, then GT). On one server this is one pipeline, in
// that order, so a session never exists outside its user's index. With
// Redis Cluster the index and the session live in different slots: the
// index is written first, then the script (two round trips). It reports
// whether the script wrote.
func (s *Store) write(ctx context.Context, id, user string, nowMs, expiresMs int64, args []any) (bool, error) {
	keys := []string{s.sessionKey(id)}
	var res *redis.Cmd
	// Whole seconds, rounded up: the index outlives its longest session.
	ttl := time.Duration(expiresMs-nowMs)*time.Millisecond + time.Second
	index := func(p redis.Pipeliner) {
		uk := s.userKey(user)
		p.ZAdd(ctx, uk, redis.Z{Score: float64(expiresMs), Member: id})
		p.ZRemRangeByScore(ctx, uk, "-inf", "("+strconv.FormatInt(nowMs, 10))
		p.ExpireNX(ctx, uk, ttl)
		p.ExpireGT(ctx, uk, ttl)
	}
	var err error
	switch {
	case user == "":
		res = s.save.EvalSha(ctx, s.client, keys, args...)
		err = res.Err()
	case s.cluster:
		if _, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error { index(p); return nil }); err != nil {
			return false, unavailable("indexing session", err)
		}
		res = s.save.EvalSha(ctx, s.client, keys, args...)
		err = res.Err()
	default:
		_, err = s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
			index(p)
			res = s.save.EvalSha(ctx, p, keys, args...)
			return nil
		})
		if err != nil && res.Err() == nil {
			return false, unavailable("indexing session", err)
		}
		err = res.Err()
	}
	if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
		// A restarted or failed-over server: send the script itself.
		res = s.save.Eval(ctx, s.client, keys, args...)
		err = res.Err()
	}
	if err != nil {
		return false, unavailable("saving session", err)
	}
	n, err := res.Int()
	if err != nil {
		return false, unavailable("saving session", err)
	}
	return n == 1, nil
}

// expiry returns when the record of a session with values ends.
func (s *Store) expiry(values map[any]any, opts *sessions.Options, now time.Time) time.Time {
	if lt := s.life.Load(); lt != nil && lt.absolute > 0 {
		if at, ok := session.ExpiresAt(values, lt.idle, lt.absolute); ok {
			return at
		}
	}
	ttl := time.Duration(opts.MaxAge) * time.Second
	if ttl == 0 {
		ttl = defaultServerTTL
	}
	return now.Add(ttl)
}

// Delete deletes the session with the given ID. Deleting a session that
// does not exist is not an error. Its user's index keeps the ID until it
// expires or the user's sessions are next listed.
func (s *Store) Delete(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return s.delete(ctx, id, "")
}

// delete deletes session id and, when user is known, its index entry.
func (s *Store) delete(ctx context.Context, id, user string) error {
	var err error
	if user == "" || s.cluster {
		err = s.client.Del(ctx, s.sessionKey(id)).Err()
	} else {
		_, err = s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
			p.Del(ctx, s.sessionKey(id))
			p.ZRem(ctx, s.userKey(user), id)
			return nil
		})
	}
	if err != nil {
		return unavailable("deleting session", err)
	}
	return nil
}

// cut returns s cut to at most n bytes, at a rune boundary.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
