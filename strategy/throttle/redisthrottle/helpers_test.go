package redisthrottle_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/internal/testenv"
	"github.com/gopassport/passport/strategy/throttle"
	"github.com/gopassport/passport/strategy/throttle/redisthrottle"
	"github.com/gopassport/passport/strategy/throttle/throttletest"
)

// fakeClock is the kit's settable clock, for Config.Now.
type fakeClock = throttletest.Clock

func newFakeClock() *fakeClock { return throttletest.NewClock() }

// newClient returns a client of addr that honours context deadlines, closed
// when the test ends.
func newClient(t testing.TB, addr string) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, ContextTimeoutEnabled: true})
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// sharedClient returns a client of the shared test Redis and a key prefix
// of the test's own, whose keys are deleted when the test ends.
func sharedClient(t testing.TB) (*redis.Client, string) {
	t.Helper()
	c := newClient(t, testenv.RedisAddr(t))
	prefix := shortPrefix(testenv.KeyPrefix(t))
	t.Cleanup(func() { deletePrefix(t, c, prefix) })
	return c, prefix
}

// shortPrefix returns p within Config.KeyPrefix's 64 bytes: testenv's
// prefix names the whole test, and subtests make it longer. A long prefix
// keeps its start and ends with a hash of the whole, so it stays the
// test's own.
func shortPrefix(p string) string {
	if len(p) <= redisthrottle.MaxKeyPrefixBytes {
		return p
	}
	sum := sha256.Sum256([]byte(p))
	tail := hex.EncodeToString(sum[:10]) + ":"
	return p[:redisthrottle.MaxKeyPrefixBytes-len(tail)] + tail
}

// deletePrefix deletes the keys under prefix, and nothing else.
func deletePrefix(t testing.TB, c *redis.Client, prefix string) {
	ctx := context.Background()
	iter := c.Scan(ctx, 0, prefix+"*", 100).Iterator()
	for iter.Next(ctx) {
		if err := c.Del(ctx, iter.Val()).Err(); err != nil {
			t.Logf("deleting %s: %v", iter.Val(), err)
		}
	}
	if err := iter.Err(); err != nil {
		t.Logf("scanning %s*: %v", prefix, err)
	}
}

// newThrottle returns a Throttle on c, failing the test on an error.
func newThrottle(t testing.TB, c redis.UniversalClient, cfg redisthrottle.Config) *redisthrottle.Throttle {
	t.Helper()
	th, err := redisthrottle.New(c, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return th
}

// fail and attempt are the kit's Fail and Try.
func fail(t testing.TB, th throttle.Throttler, a throttle.Attempt) time.Duration {
	t.Helper()
	return throttletest.Fail(t, th, a)
}

func attempt(t testing.TB, th throttle.Throttler, a throttle.Attempt, v throttle.Verdict) time.Duration {
	t.Helper()
	return throttletest.Try(t, th, a, v)
}
