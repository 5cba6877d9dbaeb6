package redistokens_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gopassport/passport/internal/testenv"
	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/jwt"
	"github.com/gopassport/passport/strategy/jwt/redistokens"
)

// outageTimeout is Config.Timeout in the outage tests.
const outageTimeout = 200 * time.Millisecond

// calls are the store's methods, each called once.
var calls = []struct {
	name string
	call func(ctx context.Context, s *redistokens.Store) error
}{
	{name: "SaveRefresh", call: func(ctx context.Context, s *redistokens.Store) error {
		now := time.Now()
		return s.SaveRefresh(ctx, jwt.RefreshRecord{Hash: jwt.HashRefreshToken("x"), Family: "f", Subject: "u", IssuedAt: now, ExpiresAt: now.Add(time.Hour)})
	}},
	{name: "GetRefresh", call: func(ctx context.Context, s *redistokens.Store) error {
		_, err := s.GetRefresh(ctx, jwt.HashRefreshToken("x"))
		return err
	}},
	{name: "UseRefresh", call: func(ctx context.Context, s *redistokens.Store) error {
		_, err := s.UseRefresh(ctx, jwt.HashRefreshToken("x"), time.Now())
		return err
	}},
	{name: "RevokeFamily", call: func(ctx context.Context, s *redistokens.Store) error {
		return s.RevokeFamily(ctx, "f", time.Now())
	}},
	{name: "RevokeSubject", call: func(ctx context.Context, s *redistokens.Store) error {
		return s.RevokeSubject(ctx, "u", time.Now())
	}},
	{name: "NotBefore", call: func(ctx context.Context, s *redistokens.Store) error {
		_, err := s.NotBefore(ctx, "u")
		return err
	}},
	{name: "FamilyRevoked", call: func(ctx context.Context, s *redistokens.Store) error {
		_, err := s.FamilyRevoked(ctx, "f")
		return err
	}},
}

// TestOutage: on a server of the test's own that is killed or stalled,
// every call fails within Config.Timeout (plus 100 ms) with an error
// wrapping strategy.ErrUnavailable; nothing hangs and nothing is let in.
func TestOutage(t *testing.T) {
	outages := []struct {
		name string
		fail func(t *testing.T, r *testenv.Redis)
	}{
		{name: "nok, stopped", fail: func(_ *testing.T, r *testenv.Redis) { r.Stop() }},
		{name: "nok, paused", fail: func(t *testing.T, r *testenv.Redis) {
			r.Pause()
			t.Cleanup(r.Resume) // runs before the testenv's Stop
		}},
	}
	for _, o := range outages {
		t.Run(o.name, func(t *testing.T) {
			r := testenv.StartRedis(t)
			s := newStore(t, newClient(t, r.Addr), redistokens.Config{Timeout: outageTimeout})
			ctx := context.Background()
			// Warm the pool and the script cache, so that the outage meets
			// open connections too.
			for _, c := range calls {
				if err := c.call(ctx, s); err != nil && !errors.Is(err, jwt.ErrNotFound) {
					t.Fatalf("%s before the outage: %v", c.name, err)
				}
			}
			o.fail(t, r)
			for _, c := range calls {
				start := time.Now()
				err := c.call(ctx, s)
				elapsed := time.Since(start)
				if !errors.Is(err, strategy.ErrUnavailable) {
					t.Errorf("%s: got %v; want an error wrapping strategy.ErrUnavailable", c.name, err)
				}
				t.Logf("%s: %v in %v", c.name, err, elapsed)
				if elapsed > outageTimeout+100*time.Millisecond {
					t.Errorf("%s: took %v; want at most %v", c.name, elapsed, outageTimeout+100*time.Millisecond)
				}
			}
		})
	}
}

// TestOutageStrategy: the strategy of an app whose store is down answers
// with an error wrapping strategy.ErrUnavailable (the root's 503), not a
// success, for a token it would otherwise accept.
func TestOutageStrategy(t *testing.T) {
	r := testenv.StartRedis(t)
	secret, err := jwt.GenerateHMACSecret()
	if err != nil {
		t.Fatal(err)
	}
	in := newInstance(t, r.Addr, redistokens.DefaultKeyPrefix, secret)
	pair, err := in.iss.Issue(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if !in.accepts(t, pair.AccessToken) {
		t.Fatal("refused before the outage")
	}
	r.Stop()
	res, err := in.strat.Authenticate(bearer(pair.AccessToken))
	if !errors.Is(err, strategy.ErrUnavailable) || res.Kind == strategy.KindSuccess {
		t.Errorf("got %v, %v; want no success and an error wrapping strategy.ErrUnavailable", res.Kind, err)
	}
	if _, err := in.iss.Refresh(context.Background(), pair.RefreshToken); !errors.Is(err, strategy.ErrUnavailable) {
		t.Errorf("Refresh: got %v; want an error wrapping strategy.ErrUnavailable", err)
	}
}

// TestRestartKeepsTokens: after a restart with persistence the same
// refresh token rotates, once.
func TestRestartKeepsTokens(t *testing.T) {
	ctx := context.Background()
	r := testenv.StartRedis(t)
	secret, err := jwt.GenerateHMACSecret()
	if err != nil {
		t.Fatal(err)
	}
	in := newInstance(t, r.Addr, redistokens.DefaultKeyPrefix, secret)
	pair, err := in.iss.Issue(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	r.Restart(true)
	// The client reconnects by itself; the script cache is empty now, so
	// this also covers EVALSHA's fallback to EVAL.
	next, err := in.iss.Refresh(ctx, pair.RefreshToken)
	if err != nil {
		t.Fatalf("after the restart: %v", err)
	}
	if !in.accepts(t, next.AccessToken) {
		t.Error("the rotated access token is refused")
	}
	if _, err := in.iss.Refresh(ctx, pair.RefreshToken); !errors.Is(err, jwt.ErrRefreshReused) {
		t.Errorf("reuse after the restart: got %v; want %v", err, jwt.ErrRefreshReused)
	}
}
