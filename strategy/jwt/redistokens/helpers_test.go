package redistokens_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/internal/testenv"
	"github.com/gopassport/passport/strategy/jwt/redistokens"
)

// clock is a settable clock, safe for concurrent use.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// newClient is a client of addr that honours contexts (as the package
// documentation asks), closed after the test.
func newClient(t testing.TB, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// sharedRedis is a client of the shared test Redis and a key prefix of the
// test's own; the keys under it are deleted after the test, and nothing
// else.
func sharedRedis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	c := newClient(t, testenv.RedisAddr(t))
	prefix := shortPrefix(testenv.KeyPrefix(t))
	t.Cleanup(func() {
		ctx := context.Background()
		for _, k := range keysUnder(t, c, prefix) {
			if err := c.Del(ctx, k).Err(); err != nil {
				t.Errorf("deleting %s: %v", k, err)
			}
		}
	})
	return c, prefix
}

// shortPrefix fits a prefix of testenv.KeyPrefix into Config.KeyPrefix's
// 64 bytes: a long one keeps its start and gains a hash of the whole, so
// it stays the test's own.
func shortPrefix(p string) string {
	if len(p) <= 64 {
		return p
	}
	sum := sha256.Sum256([]byte(p))
	return p[:40] + ":" + hex.EncodeToString(sum[:8]) + ":"
}

// keysUnder lists the keys that start with prefix.
func keysUnder(t testing.TB, c redis.UniversalClient, prefix string) []string {
	t.Helper()
	var keys []string
	iter := c.Scan(context.Background(), 0, globEscape(prefix)+"*", 100).Iterator()
	for iter.Next(context.Background()) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Fatalf("scanning %s*: %v", prefix, err)
	}
	return keys
}

// globEscape escapes the pattern characters of SCAN MATCH.
func globEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`).Replace(s)
}

// newStore is a Store on c, failing the test on a configuration error.
func newStore(t testing.TB, c redis.UniversalClient, cfg redistokens.Config) *redistokens.Store {
	t.Helper()
	s, err := redistokens.New(c, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
