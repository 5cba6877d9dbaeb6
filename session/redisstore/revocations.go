package redisstore

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/internal/redisopt"
	"github.com/gopassport/passport/session"
)

// DefaultRevocationsPrefix starts every key of a [Revocations] when
// RevocationsConfig.KeyPrefix is empty.
const DefaultRevocationsPrefix = "passport:revoked:"

// DefaultUserRevocationTTL is how long a user's revocation is kept when
// RevocationsConfig.UserTTL is zero: the session manager's default
// absolute timeout, after which no session begun before it can live.
const DefaultUserRevocationTTL = 24 * time.Hour

// RevocationsConfig configures [NewRevocations].
type RevocationsConfig struct {
	// KeyPrefix starts the name of every key: printable ASCII without
	// spaces, at most 64 bytes. Optional. Default [DefaultRevocationsPrefix].
	KeyPrefix string
	// Timeout bounds every call to Redis. Optional. Default
	// [DefaultTimeout]. It must not be negative.
	Timeout time.Duration
	// UserTTL is how long a user's revocation is kept: at least the
	// session manager's AbsoluteTimeout, or a cookie begun before it
	// would be accepted again once it is gone. Optional. Default
	// [DefaultUserRevocationTTL]. It must not be negative.
	UserTTL time.Duration
	// Now returns the current time. Optional, for tests. Default time.Now.
	Now func() time.Time
}

// Revocations is a [session.Revocations] in Redis, shared by every
// instance of an app on the cookie store: give it to session.Config. A
// check is one MGET; a revocation one SET or one script. All keys carry
// the hash tag {r} (one Redis Cluster slot), so that a check reads the
// session's and the user's in one command. Errors of Redis wrap
// strategy.ErrUnavailable: nobody is let in, and a logout that cannot be
// recorded fails.
type Revocations struct {
	client  redis.UniversalClient
	prefix  string
	timeout time.Duration
	userTTL time.Duration
	now     func() time.Time
}

var _ session.Revocations = (*Revocations)(nil)

// NewRevocations returns a Revocations on client. A configuration mistake
// (a nil client, one that ignores context deadlines, a bad KeyPrefix, a
// negative duration) is an error wrapping [ErrInvalidConfig].
func NewRevocations(client redis.UniversalClient, cfg RevocationsConfig) (*Revocations, error) {
	switch {
	case client == nil:
		return nil, configErrorf("redisstore: NewRevocations needs a client")
	case redisopt.IgnoresDeadlines(client):
		return nil, configErrorf("redisstore: the client's Options.ContextTimeoutEnabled is false; set it to true so that RevocationsConfig.Timeout holds")
	case cfg.Timeout < 0:
		return nil, configErrorf("redisstore: RevocationsConfig.Timeout %v is negative", cfg.Timeout)
	case cfg.UserTTL < 0:
		return nil, configErrorf("redisstore: RevocationsConfig.UserTTL %v is negative", cfg.UserTTL)
	}
	rv := &Revocations{client: client, prefix: cfg.KeyPrefix, timeout: cfg.Timeout, userTTL: cfg.UserTTL, now: cfg.Now}
	if rv.prefix == "" {
		rv.prefix = DefaultRevocationsPrefix
	}
	if !validPrefix(rv.prefix) {
		return nil, configErrorf("redisstore: RevocationsConfig.KeyPrefix %q must be printable ASCII without spaces, at most %d bytes", rv.prefix, maxKeyPrefix)
	}
	if rv.timeout == 0 {
		rv.timeout = DefaultTimeout
	}
	if rv.userTTL == 0 {
		rv.userTTL = DefaultUserRevocationTTL
	}
	if rv.now == nil {
		rv.now = time.Now
	}
	return rv, nil
}

func (rv *Revocations) sessionKey(sid string) string { return rv.prefix + "{r}:s:" + sid }
func (rv *Revocations) userKey(user string) string {
	return rv.prefix + "{r}:u:" + session.Handle(user)
}

// RevokeSession implements [session.Revocations]: one SET with a TTL up to
// until (at least a second).
func (rv *Revocations) RevokeSession(ctx context.Context, sid string, until time.Time) error {
	ttl := max(until.Sub(rv.now()), time.Second)
	ctx, cancel := context.WithTimeout(ctx, rv.timeout)
	defer cancel()
	if err := rv.client.Set(ctx, rv.sessionKey(sid), "1", ttl).Err(); err != nil {
		return unavailable("revoking a session", err)
	}
	return nil
}

// raiseScript sets KEYS[1] to ARGV[1] (unix seconds) unless it holds a
// later time, with a TTL of ARGV[2] milliseconds.
var raiseScript = redis.NewScript(`
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > cur then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
else
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1`)

// RevokeUser implements [session.Revocations]: one script that keeps the
// latest time, for UserTTL.
func (rv *Revocations) RevokeUser(ctx context.Context, user string, at time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, rv.timeout)
	defer cancel()
	err := raiseScript.Run(ctx, rv.client, []string{rv.userKey(user)},
		strconv.FormatInt(at.Unix(), 10), strconv.FormatInt(rv.userTTL.Milliseconds(), 10)).Err()
	if err != nil {
		return unavailable("revoking a user's sessions", err)
	}
	return nil
}

// Revoked implements [session.Revocations]: one MGET of the session's key
// and the user's.
func (rv *Revocations) Revoked(ctx context.Context, sid, user string, created time.Time) (bool, error) {
	keys := make([]string, 0, 2)
	if sid != "" {
		keys = append(keys, rv.sessionKey(sid))
	}
	if user != "" {
		keys = append(keys, rv.userKey(user))
	}
	if len(keys) == 0 {
		return false, nil
	}
	ctx, cancel := context.WithTimeout(ctx, rv.timeout)
	defer cancel()
	vals, err := rv.client.MGet(ctx, keys...).Result()
	if err != nil {
		return false, unavailable("checking revocations", err)
	}
	if sid != "" && vals[0] != nil {
		return true, nil
	}
	if user != "" {
		v, _ := vals[len(vals)-1].(string)
		if v == "" {
			return false, nil
		}
		nb, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return false, errors.New("redisstore: a user's revocation holds no time")
		}
		return created.Unix() <= nb, nil
	}
	return false, nil
}
