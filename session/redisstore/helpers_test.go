package redisstore_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/internal/testenv"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/redisstore"
)

// counter is a go-redis hook that counts round trips (one per command
// sent alone, one per pipeline) and commands.
type counter struct {
	trips, commands atomic.Int64
}

func (c *counter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *counter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.trips.Add(1)
		c.commands.Add(1)
		return next(ctx, cmd)
	}
}

func (c *counter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.trips.Add(1)
		c.commands.Add(int64(len(cmds)))
		return next(ctx, cmds)
	}
}

func (c *counter) reset() { c.trips.Store(0); c.commands.Store(0) }

// newClient returns a client of addr, closed after the test.
func newClient(t testing.TB, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
	t.Cleanup(func() { c.Close() })
	return c
}

// cleanPrefix deletes the keys under prefix after the test (and only
// those).
func cleanPrefix(t testing.TB, c *redis.Client, prefix string) {
	t.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
	})
}

func newKey(t testing.TB) []byte {
	t.Helper()
	k, err := session.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// fixture is a store on the shared Redis, under a prefix of its own.
type fixture struct {
	client *redis.Client
	prefix string
	key    []byte
	store  *redisstore.Store
}

func newFixture(t testing.TB, now func() time.Time) *fixture {
	t.Helper()
	addr := testenv.RedisAddr(t)
	f := &fixture{client: newClient(t, addr), prefix: shortPrefix(t), key: newKey(t)}
	cleanPrefix(t, f.client, f.prefix)
	st, err := redisstore.New(f.client, redisstore.Config{Keys: [][]byte{f.key}, KeyPrefix: f.prefix, Now: now})
	if err != nil {
		t.Fatalf("redisstore.New: %v", err)
	}
	f.store = st
	return f
}

// sessionKey is the key of session id, as the package documents it.
func (f *fixture) sessionKey(id string) string { return f.prefix + "s:{" + id + "}" }

// cookieOf returns the cookie called name set on a response.
func cookieOf(h http.Header, name string) *http.Cookie {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// shortPrefix is testenv.KeyPrefix(t) made to fit the store's 64 bytes:
// unique all the same, and logged so that a key can be traced to its test.
func shortPrefix(t testing.TB) string {
	long := testenv.KeyPrefix(t)
	sum := sha256.Sum256([]byte(long))
	p := "passport-test:" + hex.EncodeToString(sum[:8]) + ":"
	if _, bench := t.(*testing.B); !bench {
		t.Logf("key prefix %s for %s", p, long)
	}
	return p
}
