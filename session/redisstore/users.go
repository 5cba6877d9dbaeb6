package redisstore

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/session"
)

// ListUserSessions returns the live sessions of user, the most recently
// seen first, each named by its [session.Handle], never its ID. It reads
// the user's index (pruning the entries past their expiry) and then every
// listed record in one pipeline: two round trips, and a third to drop the
// IDs whose record is gone or now belongs to someone else. It implements
// [session.UserSessions].
func (s *Store) ListUserSessions(ctx context.Context, user string) ([]session.Record, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	ids, err := s.indexed(ctx, user)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	cmds := make([]*redis.SliceCmd, len(ids))
	if _, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = p.HMGet(ctx, s.sessionKey(id), fieldUser, fieldCreated, fieldSeen, fieldExpires, fieldIP, fieldUserAgent)
		}
		return nil
	}); err != nil {
		return nil, unavailable("listing sessions", err)
	}
	var (
		records []session.Record
		dead    []any
	)
	for i, cmd := range cmds {
		v := cmd.Val()
		if len(v) != 6 || str(v[0]) != user {
			dead = append(dead, ids[i])
			continue
		}
		records = append(records, session.Record{
			Handle:    session.Handle(ids[i]),
			Created:   millis(v[1]),
			LastSeen:  millis(v[2]),
			Expires:   millis(v[3]),
			IP:        str(v[4]),
			UserAgent: str(v[5]),
		})
	}
	if len(dead) > 0 {
		if err := s.client.ZRem(ctx, s.userKey(user), dead...).Err(); err != nil {
			return nil, unavailable("pruning the user's index", err)
		}
	}
	slices.SortFunc(records, func(a, b session.Record) int {
		if c := b.LastSeen.Compare(a.LastSeen); c != 0 {
			return c
		}
		return b.Created.Compare(a.Created)
	})
	return records, nil
}

// DeleteUserSessions ends every session of user but the one whose handle
// is except ("" ends them all), and returns how many it ended. Each record
// is deleted by a script only if it still belongs to user; the index
// entries are dropped afterwards. It implements [session.UserSessions].
func (s *Store) DeleteUserSessions(ctx context.Context, user, except string) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	ids, err := s.indexed(ctx, user)
	if err != nil {
		return 0, err
	}
	ids = slices.DeleteFunc(ids, func(id string) bool { return except != "" && session.Handle(id) == except })
	return s.deleteOwned(ctx, user, ids)
}

// DeleteUserSession ends the session of user with the given handle. A
// handle that is not one of user's sessions ends nothing and is no error:
// the ID is looked up in user's own index, and the record deleted only if
// it still belongs to user. It implements [session.UserSessions].
func (s *Store) DeleteUserSession(ctx context.Context, user, handle string) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	ids, err := s.indexed(ctx, user)
	if err != nil {
		return err
	}
	ids = slices.DeleteFunc(ids, func(id string) bool { return session.Handle(id) != handle })
	_, err = s.deleteOwned(ctx, user, ids)
	return err
}

// indexed prunes user's index of expired entries and returns the rest.
// The empty user has no index: sessions without a user are not indexed.
func (s *Store) indexed(ctx context.Context, user string) ([]string, error) {
	if user == "" {
		return nil, nil
	}
	uk := s.userKey(user)
	var ids *redis.StringSliceCmd
	if _, err := s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.ZRemRangeByScore(ctx, uk, "-inf", "("+strconv.FormatInt(s.now().UnixMilli(), 10))
		ids = p.ZRange(ctx, uk, 0, -1)
		return nil
	}); err != nil {
		return nil, unavailable("reading the user's index", err)
	}
	return ids.Val(), nil
}

// deleteOwned deletes the records of ids that belong to user, then drops
// every one of ids from user's index, and returns how many it deleted.
func (s *Store) deleteOwned(ctx context.Context, user string, ids []string) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	cmds := make([]*redis.Cmd, len(ids))
	// Each command's own error is checked below, a NOSCRIPT retried.
	_, _ = s.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = s.deleteIfUser.EvalSha(ctx, p, []string{s.sessionKey(id)}, user)
		}
		return nil
	})
	var n int64
	for i, cmd := range cmds {
		if e := cmd.Err(); e != nil && redis.HasErrorPrefix(e, "NOSCRIPT") {
			cmd = s.deleteIfUser.Run(ctx, s.client, []string{s.sessionKey(ids[i])}, user)
		}
		d, e := cmd.Int64()
		if e != nil {
			return n, unavailable("ending sessions", e)
		}
		n += d
	}
	members := make([]any, len(ids))
	for i, id := range ids {
		members[i] = id
	}
	if err := s.client.ZRem(ctx, s.userKey(user), members...).Err(); err != nil {
		return n, unavailable("ending sessions", err)
	}
	return n, nil
}

// str returns v as a string, "" for a missing field.
func str(v any) string {
	s, _ := v.(string)
	return s
}

// millis reads a field of unix milliseconds; a missing field is zero time.
func millis(v any) time.Time {
	ms, err := strconv.ParseInt(str(v), 10, 64)
	if err != nil {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}
