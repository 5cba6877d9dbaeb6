package redistokens_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/strategy/jwt"
	"github.com/gopassport/passport/strategy/jwt/redistokens"
)

// counter is a go-redis hook that counts the commands sent, a pipeline
// counting as one round trip.
type counter struct{ n atomic.Int64 }

func (c *counter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *counter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmd)
	}
}

func (c *counter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.n.Add(1)
		return next(ctx, cmds)
	}
}

// TestRoundTrips: each call is one round trip once the server knows the
// scripts (UseRefresh, the hot call of the token endpoint, and the
// strategy's two checks on every request included).
func TestRoundTrips(t *testing.T) {
	ctx := context.Background()
	c, prefix := sharedRedis(t)
	hook := &counter{}
	c.AddHook(hook)
	s := newStore(t, c, redistokens.Config{KeyPrefix: prefix})
	now := time.Now()
	rec := jwt.RefreshRecord{Hash: jwt.HashRefreshToken("a"), Family: "f", Subject: "alice", Scope: []string{"read"}, IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
	calls := []struct {
		name string
		call func() error
		want int64
	}{
		{name: "SaveRefresh", call: func() error { return s.SaveRefresh(ctx, rec) }, want: 1},
		{name: "GetRefresh", call: func() error { _, err := s.GetRefresh(ctx, rec.Hash); return err }, want: 1},
		{name: "UseRefresh", call: func() error { _, err := s.UseRefresh(ctx, rec.Hash, now); return err }, want: 1},
		{name: "RevokeFamily", call: func() error { return s.RevokeFamily(ctx, "f", now) }, want: 1},
		{name: "RevokeSubject", call: func() error { return s.RevokeSubject(ctx, "alice", now) }, want: 1},
		{name: "NotBefore", call: func() error { _, err := s.NotBefore(ctx, "alice"); return err }, want: 1},
		{name: "FamilyRevoked", call: func() error { _, err := s.FamilyRevoked(ctx, "f"); return err }, want: 1},
	}
	// Warm up: a server that does not know a script yet costs an EVAL more.
	for _, c := range calls {
		if err := c.call(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			before := hook.n.Load()
			if err := tt.call(); err != nil {
				t.Fatal(err)
			}
			if got := hook.n.Load() - before; got != tt.want {
				t.Errorf("got %d round trips; want %d", got, tt.want)
			}
		})
	}
}

// BenchmarkUseRefresh rotates a fresh token per iteration (the tokens are
// saved before the timer starts), as the token endpoint does.
func BenchmarkUseRefresh(b *testing.B) {
	ctx := context.Background()
	c, prefix := sharedRedis(b)
	s := newStore(b, c, redistokens.Config{KeyPrefix: prefix})
	now := time.Now()
	hashes := make([]string, b.N)
	for i := range hashes {
		hashes[i] = jwt.HashRefreshToken(strconv.Itoa(i) + "-token")
		rec := jwt.RefreshRecord{Hash: hashes[i], Family: "f", Subject: "alice", Scope: []string{"read"}, IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := s.SaveRefresh(ctx, rec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		rec, err := s.UseRefresh(ctx, hashes[i], now)
		if err != nil || !rec.UsedAt.IsZero() {
			b.Fatalf("got %v, used %v", err, rec.UsedAt)
		}
	}
}

// BenchmarkChecks is the strategy's revocation checks of one request:
// NotBefore and FamilyRevoked.
func BenchmarkChecks(b *testing.B) {
	ctx := context.Background()
	c, prefix := sharedRedis(b)
	s := newStore(b, c, redistokens.Config{KeyPrefix: prefix})
	now := time.Now()
	if err := s.SaveRefresh(ctx, jwt.RefreshRecord{Hash: jwt.HashRefreshToken("a"), Family: "f", Subject: "alice", IssuedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		b.Fatal(err)
	}
	if err := s.RevokeSubject(ctx, "bob", now); err != nil {
		b.Fatal(err)
	}
	for _, sub := range []string{"alice", "bob"} { // none, and one
		b.Run("NotBefore/"+sub, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.NotBefore(ctx, sub); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("FamilyRevoked", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := s.FamilyRevoked(ctx, "f"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
