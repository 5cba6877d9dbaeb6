package redistokens

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/internal/configerr"
	"github.com/gopassport/passport/internal/redisopt"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/jwt"
)

// minTTL is the least TTL a key is given, so that a record written with an
// expiry already past (by Config.Now) is still readable for a moment rather
// than deleted by its own write.
const minTTL = time.Second

// pruneSlack is how long past its expiry (by Config.Now) a family stays in
// its subject's index, so that a clock of one instance that runs ahead of
// another's does not drop a family still alive from the index that
// RevokeSubject walks. A family whose key is gone is skipped anyway.
const pruneSlack = time.Minute

// Store is a [jwt.Store] in Redis, shared by every instance of an app that
// uses the same Redis and Config.KeyPrefix. It also answers the
// strategy's revocation checks ([jwt.RevocationChecker],
// [jwt.FamilyChecker]). Every key has a TTL, so there is nothing to clean
// up and no goroutine. A Store is safe for concurrent use; build it with
// [New].
type Store struct {
	client  redis.UniversalClient
	timeout time.Duration
	nbTTL   time.Duration
	now     func() time.Time

	// Key prefixes, each ending where the ID starts.
	token, family, subject, notBefore string
}

var _ jwt.Store = (*Store)(nil)

// New returns a Store on client, which stays the caller's. It does not
// talk to Redis. A configuration mistake (a nil client, a bad KeyPrefix, a
// negative Timeout or NotBeforeTTL) is an error wrapping
// [ErrInvalidConfig].
func New(client redis.UniversalClient, cfg Config) (*Store, error) {
	if client == nil {
		return nil, configerr.Errorf(ErrInvalidConfig, "redistokens: nil redis.UniversalClient")
	}
	if redisopt.IgnoresDeadlines(client) {
		return nil, configerr.Errorf(ErrInvalidConfig, "redistokens: the client's options leave ContextTimeoutEnabled off, so Config.Timeout could not bound a call; set it to true")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	base := cfg.KeyPrefix + "{t}:"
	return &Store{
		client:    client,
		timeout:   cfg.Timeout,
		nbTTL:     cfg.NotBeforeTTL,
		now:       cfg.Now,
		token:     base + "r:",
		family:    base + "f:",
		subject:   base + "s:",
		notBefore: base + "nb:",
	}, nil
}

// SaveRefresh implements [jwt.Store]: one script stores the record with a
// TTL up to its ExpiresAt (by Config.Now; at least a second, for a record
// already expired), creates the family or extends its TTL to the token's,
// and indexes the family under its subject, dropping from the index the
// families that expired.
func (s *Store) SaveRefresh(ctx context.Context, rec jwt.RefreshRecord) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	now := s.now()
	ttl := max(rec.ExpiresAt.Sub(now), minTTL)
	err := saveScript.Run(ctx, s.client,
		[]string{s.token + rec.Hash, s.family + rec.Family, s.subject + rec.Subject},
		rec.Family, rec.Subject, strings.Join(rec.Scope, " "),
		micros(rec.IssuedAt), micros(rec.ExpiresAt), ttl.Milliseconds(),
		micros(now.Add(ttl)), micros(now.Add(-pruneSlack)),
	).Err()
	if err != nil {
		return unavailable("save refresh token", err)
	}
	return nil
}

// GetRefresh implements [jwt.Store], in one round trip.
func (s *Store) GetRefresh(ctx context.Context, hash string) (jwt.RefreshRecord, error) {
	return s.record(ctx, "get refresh token", getScript, hash, s.family)
}

// UseRefresh implements [jwt.Store]: one script, so one round trip, reads
// the record and its family's revocation and marks the token used if it
// was not; Redis runs scripts one at a time, so of concurrent calls from
// any number of instances exactly one sees a zero UsedAt.
func (s *Store) UseRefresh(ctx context.Context, hash string, at time.Time) (jwt.RefreshRecord, error) {
	return s.record(ctx, "use refresh token", useScript, hash, s.family, micros(at))
}

// record runs getScript or useScript on the token of hash and decodes its
// reply.
func (s *Store) record(ctx context.Context, op string, script *redis.Script, hash string, argv ...any) (jwt.RefreshRecord, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	v, err := script.Run(ctx, s.client, []string{s.token + hash}, argv...).StringSlice()
	if errors.Is(err, redis.Nil) {
		return jwt.RefreshRecord{}, jwt.ErrNotFound
	}
	if err != nil {
		return jwt.RefreshRecord{}, unavailable(op, err)
	}
	rec, err := decodeRecord(hash, v)
	if err != nil {
		return jwt.RefreshRecord{}, fmt.Errorf("redistokens: %s: %w", op, err)
	}
	return rec, nil
}

// decodeRecord builds a record from the reply of getScript or useScript:
// family, subject, scope, issued, expires, used, revoked.
func decodeRecord(hash string, v []string) (jwt.RefreshRecord, error) {
	if len(v) != 7 {
		return jwt.RefreshRecord{}, fmt.Errorf("malformed record: %d fields", len(v))
	}
	rec := jwt.RefreshRecord{Hash: hash, Family: v[0], Subject: v[1], Scope: strings.Fields(v[2])}
	for i, dst := range []*time.Time{&rec.IssuedAt, &rec.ExpiresAt, &rec.UsedAt, &rec.RevokedAt} {
		f := v[3+i]
		if f == "" && i >= 2 { // used and revoked are optional
			continue
		}
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return jwt.RefreshRecord{}, fmt.Errorf("malformed record: time %q", f)
		}
		*dst = time.UnixMicro(n).UTC()
	}
	return rec, nil
}

// RevokeFamily implements [jwt.Store] in one script; a family unknown to
// Redis (never saved, or expired with its last token) is not created.
func (s *Store) RevokeFamily(ctx context.Context, family string, at time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := revokeFamilyScript.Run(ctx, s.client, []string{s.family + family}, micros(at)).Err(); err != nil {
		return unavailable("revoke family", err)
	}
	return nil
}

// RevokeSubject implements [jwt.Store] in one script: it revokes the
// families in the subject's index and moves the not-before time forward,
// keeping it Config.NotBeforeTTL past at.
func (s *Store) RevokeSubject(ctx context.Context, subject string, at time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	now := s.now()
	ttl := max(at.Sub(now), 0) + s.nbTTL
	err := revokeSubjectScript.Run(ctx, s.client,
		[]string{s.subject + subject, s.notBefore + subject},
		s.family, micros(at), micros(now.Add(-pruneSlack)), ttl.Milliseconds(),
	).Err()
	if err != nil {
		return unavailable("revoke subject", err)
	}
	return nil
}

// NotBefore implements [jwt.RevocationChecker]: one GETRANGE, which
// answers "" for a subject without a not-before time (the common case)
// where GET's nil reply would cost go-redis some twenty allocations more.
func (s *Store) NotBefore(ctx context.Context, subject string) (time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	v, err := s.client.GetRange(ctx, s.notBefore+subject, 0, -1).Result()
	if err != nil {
		return time.Time{}, unavailable("not-before", err)
	}
	if v == "" {
		return time.Time{}, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("redistokens: not-before: malformed time %q", v)
	}
	return time.UnixMicro(n).UTC(), nil
}

// FamilyRevoked implements [jwt.FamilyChecker]: one HEXISTS.
func (s *Store) FamilyRevoked(ctx context.Context, family string) (bool, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	revoked, err := s.client.HExists(ctx, s.family+family, "rv").Result()
	if err != nil {
		return false, unavailable("family revoked", err)
	}
	return revoked, nil
}

// DeleteExpired has the signature of sqltokens.Store.DeleteExpired and
// jwt.MemoryStore's, so that code written for them compiles, and does
// nothing: every key of the store has a TTL, and Redis deletes expired
// keys itself. The subjects' indexes of families are pruned as they are
// written. It returns 0, nil.
func (s *Store) DeleteExpired(context.Context) (int64, error) { return 0, nil }

// micros is t in Unix microseconds, as the scripts store times.
func micros(t time.Time) int64 { return t.UnixMicro() }

// unavailable wraps an error of Redis as strategy.ErrUnavailable, keeping
// the cause.
func unavailable(op string, err error) error {
	return fmt.Errorf("redistokens: %s: %w: %w", op, strategy.ErrUnavailable, err)
}
