package main

// Running several instances of the demo as one site: with -sessions
// redis://host:port/db the sessions, the logon throttle and the API's
// refresh tokens live in Redis instead of the database, so that every
// instance started with the same Redis (and the same database, which
// keeps the users) sees the same logins, throttles one budget per account
// and honours one another's logouts and token revocations. With -db
// postgres://… and no -sessions, the sessions and refresh tokens are in
// PostgreSQL, shared as well; only the logon throttle is then per
// instance (in memory).

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/gorilla/sessions"
	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/session/redisstore"
	"github.com/gopassport/passport/session/sqlstore"
	"github.com/gopassport/passport/strategy/jwt"
	"github.com/gopassport/passport/strategy/jwt/redistokens"
	"github.com/gopassport/passport/strategy/jwt/sqltokens"
	"github.com/gopassport/passport/strategy/throttle"
	"github.com/gopassport/passport/strategy/throttle/redisthrottle"
	"github.com/gopassport/passport/strategy/throttle/sqlthrottle"
)

// redisPrefix starts the demo's keys in Redis; each store adds its own.
const redisPrefix = "passport-demo:"

// shared is where the state that instances share lives: the database
// (the default: the SQLite file or PostgreSQL) or Redis. Its stores are closed by close.
type shared struct {
	sessions sessions.Store
	throttle throttle.Throttler
	tokens   jwt.Store
	close    func() error
}

// parseSessionsURL checks -sessions: empty (the database), a redis:// or
// rediss:// URL, or a postgres:// URL.
func parseSessionsURL(raw string) error {
	if raw == "" || isPostgresURL(raw) {
		return nil
	}
	if !strings.HasPrefix(raw, "redis://") && !strings.HasPrefix(raw, "rediss://") {
		return fmt.Errorf("demo: -sessions %q: want a redis:// URL such as redis://127.0.0.1:6379/0, a postgres:// URL, or nothing for the database", redactDB(raw))
	}
	if _, err := redis.ParseURL(raw); err != nil {
		return fmt.Errorf("demo: -sessions: %w", err)
	}
	return nil
}

// openShared opens the shared stores: in Redis for a redis:// URL, else in
// the database, in its dialect (sessions and tokens in SQL; the logon
// throttle in PostgreSQL too, or in memory on a SQLite file: one budget
// per instance).
func (a *app) openShared(ctx context.Context, cfg Config, keys [][]byte) (*shared, error) {
	if cfg.Sessions == "" {
		return a.openSQLShared(ctx, cfg, keys, a.db.DB, a.db.dialect, func() error { return nil })
	}
	if isPostgresURL(cfg.Sessions) {
		// The users stay in -db; sessions, the throttle and the tokens go
		// to this PostgreSQL, shared by the instances.
		db, err := sql.Open("pgx", cfg.Sessions)
		if err != nil {
			return nil, fmt.Errorf("demo: -sessions %s: %w", redactDB(cfg.Sessions), err)
		}
		pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := db.PingContext(pingCtx); err != nil {
			return nil, errors.Join(fmt.Errorf("demo: -sessions %s: %w", redactDB(cfg.Sessions), err), db.Close())
		}
		return a.openSQLShared(ctx, cfg, keys, db, sqlstore.PostgreSQL, db.Close)
	}
	return a.openRedisShared(ctx, cfg, keys)
}

// openSQLShared opens the shared stores on db: sessions and tokens, and
// the logon throttle on PostgreSQL (in memory on SQLite: one instance).
// closeDB releases db after the stores.
func (a *app) openSQLShared(ctx context.Context, cfg Config, keys [][]byte, db *sql.DB, dialect sqlstore.Dialect, closeDB func() error) (*shared, error) {
	store, err := sqlstore.New(ctx, db, sqlstore.Config{Keys: keys, Dialect: dialect, Logger: a.logger})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("demo: session store: %w", err), closeDB())
	}
	tokens, err := sqltokens.New(ctx, db, sqltokens.Config{Dialect: dialect, Logger: a.logger})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("demo: refresh-token store: %w", err), store.Close(), closeDB())
	}
	sh := &shared{
		sessions: store,
		throttle: throttle.NewMemory(throttle.MemoryConfig{AccountLimit: cfg.logonLimit, Now: cfg.now}),
		tokens:   tokens,
		close:    func() error { return errors.Join(tokens.Close(), store.Close(), closeDB()) },
	}
	if dialect == sqlstore.PostgreSQL {
		// Instances on one PostgreSQL share the logon throttle too.
		thr, err := sqlthrottle.New(ctx, db, sqlthrottle.Config{AccountLimit: cfg.logonLimit, Dialect: dialect, Now: cfg.now, Logger: a.logger})
		if err != nil {
			return nil, errors.Join(fmt.Errorf("demo: logon throttle: %w", err), sh.close())
		}
		sh.throttle = thr
		sh.close = func() error { return errors.Join(thr.Close(), tokens.Close(), store.Close(), closeDB()) }
	}
	return sh, nil
}

// openRedisShared opens the shared stores in the Redis of cfg.Sessions.
func (a *app) openRedisShared(ctx context.Context, cfg Config, keys [][]byte) (*shared, error) {
	opts, err := redis.ParseURL(cfg.Sessions)
	if err != nil {
		return nil, fmt.Errorf("demo: -sessions: %w", err)
	}
	opts.ContextTimeoutEnabled = true // the stores' timeouts bound every call
	client := redis.NewClient(opts)
	pingCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := client.Ping(pingCtx).Err(); err != nil {
		// Starting is refused; once running, an outage is a 503 per request.
		return nil, errors.Join(fmt.Errorf("demo: Redis at %s: %w", opts.Addr, err), client.Close())
	}
	prefix := cfg.redisPrefix
	if prefix == "" {
		prefix = redisPrefix
	}
	store, err := redisstore.New(client, redisstore.Config{Keys: keys, KeyPrefix: prefix + "session:"})
	if err != nil {
		return nil, errors.Join(err, client.Close())
	}
	thr, err := redisthrottle.New(client, redisthrottle.Config{AccountLimit: cfg.logonLimit, KeyPrefix: prefix + "throttle:", Now: cfg.now, Logger: a.logger})
	if err != nil {
		return nil, errors.Join(err, client.Close())
	}
	tokens, err := redistokens.New(client, redistokens.Config{KeyPrefix: prefix + "jwt:"})
	if err != nil {
		return nil, errors.Join(err, client.Close())
	}
	a.logger.Info("demo: sessions, logon throttle and API tokens in Redis", slog.String("addr", opts.Addr), slog.Int("db", opts.DB))
	return &shared{sessions: store, throttle: thr, tokens: tokens, close: client.Close}, nil
}
