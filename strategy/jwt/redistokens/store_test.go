package redistokens_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/jwt"
	"github.com/gopassport/passport/strategy/jwt/redistokens"
	"github.com/gopassport/passport/strategy/jwt/storetest"
)

// suiteBase is the time storetest's records start from: the stores'
// clock, from which the TTLs are computed, stands there (the records
// would otherwise expire, by the real clock, as they are written).
var suiteBase = time.Date(2026, 3, 4, 5, 6, 7, 123_000_000, time.UTC)

// TestStore runs the shared suite on the shared Redis, each subtest under
// a key prefix of its own.
func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) jwt.Store {
		c, prefix := sharedRedis(t)
		return newStore(t, c, redistokens.Config{KeyPrefix: prefix, Now: func() time.Time { return suiteBase }})
	})
}

// instance is one machine of the app: its own Redis client, store, issuer
// and strategy, on the shared Redis and prefix.
type instance struct {
	store *redistokens.Store
	iss   *jwt.Issuer
	strat *jwt.Strategy[string, *jwt.Claims]
}

func newInstance(t *testing.T, addr, prefix string, secret []byte) instance {
	t.Helper()
	store := newStore(t, newClient(t, addr), redistokens.Config{KeyPrefix: prefix})
	iss, err := jwt.NewIssuer(jwt.IssuerConfig{Issuer: "https://issuer.test", Key: jwt.Key{Key: secret}, Store: store})
	if err != nil {
		t.Fatal(err)
	}
	strat, err := jwt.New(jwt.Config[string, *jwt.Claims]{
		Algorithms:  []string{iss.Algorithm()},
		Keys:        iss.VerificationKeys(),
		Issuer:      "https://issuer.test",
		Revocations: store,
		Verify:      func(_ context.Context, c *jwt.Claims) (string, error) { return c.Subject, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	return instance{store: store, iss: iss, strat: strat}
}

// accepts reports whether the instance's strategy lets tok in.
func (in instance) accepts(t *testing.T, tok string) bool {
	t.Helper()
	res, err := in.strat.Authenticate(bearer(tok))
	if err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	return res.Kind == strategy.KindSuccess
}

// bearer is a request carrying tok.
func bearer(tok string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/api/me", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	return r
}

// TestTwoInstances: two instances of an app, each with its own client,
// store and issuer on one Redis and prefix, share rotation, reuse
// detection and revocation.
func TestTwoInstances(t *testing.T) {
	ctx := context.Background()
	c, prefix := sharedRedis(t)
	addr := c.Options().Addr
	secret, err := jwt.GenerateHMACSecret()
	if err != nil {
		t.Fatal(err)
	}
	a, b := newInstance(t, addr, prefix, secret), newInstance(t, addr, prefix, secret)

	p1, err := a.iss.Issue(ctx, "alice", "read")
	if err != nil {
		t.Fatal(err)
	}
	if !a.accepts(t, p1.AccessToken) || !b.accepts(t, p1.AccessToken) {
		t.Fatal("a fresh access token is refused")
	}
	p2, err := b.iss.Refresh(ctx, p1.RefreshToken)
	if err != nil {
		t.Fatalf("rotation on B of a token issued on A: %v", err)
	}
	if p2.Scope != "read" {
		t.Errorf("got scope %q; want read", p2.Scope)
	}
	if _, err := b.iss.Refresh(ctx, p1.RefreshToken); !errors.Is(err, jwt.ErrRefreshReused) {
		t.Fatalf("reuse on B: got %v; want %v", err, jwt.ErrRefreshReused)
	}
	for name, tok := range map[string]string{"issued on A": p1.AccessToken, "rotated on B": p2.AccessToken} {
		if a.accepts(t, tok) {
			t.Errorf("A accepts the access token %s after the reuse on B", name)
		}
	}
	if _, err := a.iss.Refresh(ctx, p2.RefreshToken); !errors.Is(err, jwt.ErrRefreshRevoked) {
		t.Errorf("the token B rotated to, on A: got %v; want %v", err, jwt.ErrRefreshRevoked)
	}

	// RevokeUser on B ends A's logins of the user, not of others.
	p3, err := a.iss.Issue(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	pb, err := a.iss.Issue(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if !a.accepts(t, p3.AccessToken) {
		t.Fatal("a new login's access token is refused")
	}
	if err := b.iss.RevokeUser(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if a.accepts(t, p3.AccessToken) {
		t.Error("A accepts alice's access token after RevokeUser on B")
	}
	if _, err := a.iss.Refresh(ctx, p3.RefreshToken); !errors.Is(err, jwt.ErrRefreshRevoked) {
		t.Errorf("alice's refresh token on A after RevokeUser on B: got %v; want %v", err, jwt.ErrRefreshRevoked)
	}
	if !a.accepts(t, pb.AccessToken) {
		t.Error("bob's access token is refused after alice's RevokeUser")
	}
	if _, err := a.iss.Refresh(ctx, pb.RefreshToken); err != nil {
		t.Errorf("bob's refresh token after alice's RevokeUser: %v", err)
	}
}

// TestConcurrentUseAcrossInstances: callers on two stores (two clients)
// racing for one token have exactly one winner.
func TestConcurrentUseAcrossInstances(t *testing.T) {
	ctx := context.Background()
	c, prefix := sharedRedis(t)
	stores := []*redistokens.Store{
		newStore(t, newClient(t, c.Options().Addr), redistokens.Config{KeyPrefix: prefix}),
		newStore(t, newClient(t, c.Options().Addr), redistokens.Config{KeyPrefix: prefix}),
	}
	now := time.Now()
	for round := range 20 {
		rec := jwt.RefreshRecord{Hash: jwt.HashRefreshToken("t" + string(rune('a'+round))), Family: "f", Subject: "alice", IssuedAt: now, ExpiresAt: now.Add(time.Hour)}
		if err := stores[0].SaveRefresh(ctx, rec); err != nil {
			t.Fatal(err)
		}
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			winners int
		)
		for i := range 16 {
			wg.Go(func() {
				got, err := stores[i%2].UseRefresh(ctx, rec.Hash, now.Add(time.Duration(i+1)*time.Millisecond))
				if err != nil {
					t.Error(err)
					return
				}
				if got.UsedAt.IsZero() {
					mu.Lock()
					winners++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if winners != 1 {
			t.Fatalf("round %d: got %d winners; want 1", round, winners)
		}
	}
}

// TestKeys: the key layout, one hash tag for all keys, only hashes stored,
// and a TTL on every key: a token's until its expiry, a family's and a
// subject index's that of the longest token, a not-before time's
// Config.NotBeforeTTL.
func TestKeys(t *testing.T) {
	ctx := context.Background()
	c, prefix := sharedRedis(t)
	clk := &clock{now: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}
	s := newStore(t, c, redistokens.Config{KeyPrefix: prefix, Now: clk.Now, NotBeforeTTL: 2 * time.Hour})
	short := jwt.RefreshRecord{Hash: jwt.HashRefreshToken("short"), Family: "f1", Subject: "alice", IssuedAt: clk.Now(), ExpiresAt: clk.Now().Add(time.Hour)}
	long := jwt.RefreshRecord{Hash: jwt.HashRefreshToken("long"), Family: "f1", Subject: "alice", IssuedAt: clk.Now(), ExpiresAt: clk.Now().Add(3 * time.Hour)}
	later := jwt.RefreshRecord{Hash: jwt.HashRefreshToken("later"), Family: "f1", Subject: "alice", IssuedAt: clk.Now(), ExpiresAt: clk.Now().Add(2 * time.Hour)}
	for _, r := range []jwt.RefreshRecord{short, long, later} {
		if err := s.SaveRefresh(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RevokeSubject(ctx, "bob", clk.Now()); err != nil {
		t.Fatal(err)
	}
	base := prefix + "{t}:"
	want := map[string]time.Duration{
		base + "r:" + short.Hash: time.Hour,
		base + "r:" + long.Hash:  3 * time.Hour,
		base + "r:" + later.Hash: 2 * time.Hour,
		base + "f:f1":            3 * time.Hour, // the longest token's, not the last one's
		base + "s:alice":         3 * time.Hour,
		base + "nb:bob":          2 * time.Hour,
	}
	keys := keysUnder(t, c, prefix)
	if len(keys) != len(want) {
		t.Errorf("got keys %q; want %d", keys, len(want))
	}
	for _, k := range keys {
		ttl, ok := want[k]
		if !ok {
			t.Errorf("unexpected key %q", k)
			continue
		}
		got, err := c.PTTL(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		// The real clock runs during the test; allow a minute.
		if got > ttl || got < ttl-time.Minute {
			t.Errorf("%s: got TTL %v; want %v", k, got, ttl)
		}
		if tag := k[strings.IndexByte(k, '{')+1 : strings.IndexByte(k, '}')]; tag != "t" {
			t.Errorf("%s: got hash tag %q; want t", k, tag)
		}
		if typ := c.Type(ctx, k).Val(); typ == "hash" {
			for f, v := range c.HGetAll(ctx, k).Val() {
				if strings.Contains(v, "short") || strings.Contains(f, "short") {
					t.Errorf("%s holds the token: %s=%s", k, f, v)
				}
			}
		}
	}
}

// TestSubjectIndexPruned: the families whose tokens all expired (by
// Config.Now) leave the subject's index when another family is saved, and
// RevokeSubject revokes only the live ones, without creating the expired.
func TestSubjectIndexPruned(t *testing.T) {
	ctx := context.Background()
	c, prefix := sharedRedis(t)
	clk := &clock{now: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}
	s := newStore(t, c, redistokens.Config{KeyPrefix: prefix, Now: clk.Now})
	save := func(hash, family string) {
		t.Helper()
		r := jwt.RefreshRecord{Hash: jwt.HashRefreshToken(hash), Family: family, Subject: "alice", IssuedAt: clk.Now(), ExpiresAt: clk.Now().Add(time.Hour)}
		if err := s.SaveRefresh(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	index := prefix + "{t}:s:alice"
	wantIndex := func(want ...string) {
		t.Helper()
		if got := c.ZRange(ctx, index, 0, -1).Val(); !slices.Equal(got, want) {
			t.Errorf("got index %q; want %q", got, want)
		}
	}
	save("a", "old")
	// Expired half a minute ago: kept, for the clocks of other instances
	// that run behind.
	clk.Advance(time.Hour + 30*time.Second)
	save("m", "mid")
	wantIndex("old", "mid")
	clk.Advance(time.Hour) // old's tokens expired long ago by the store's clock
	save("b", "new")
	wantIndex("mid", "new")
	// The expired family's key is gone in real life; simulate Redis's expiry.
	c.Del(ctx, prefix+"{t}:f:old")
	if err := s.RevokeSubject(ctx, "alice", clk.Now()); err != nil {
		t.Fatal(err)
	}
	if n := c.Exists(ctx, prefix+"{t}:f:old").Val(); n != 0 {
		t.Error("RevokeSubject created the expired family")
	}
	if revoked, err := s.FamilyRevoked(ctx, "new"); err != nil || !revoked {
		t.Errorf("the live family: got %v, %v; want revoked", revoked, err)
	}
}

// TestDeleteExpired: Redis's TTLs do the work; the method is there for the
// signature.
func TestDeleteExpired(t *testing.T) {
	c, prefix := sharedRedis(t)
	s := newStore(t, c, redistokens.Config{KeyPrefix: prefix})
	if n, err := s.DeleteExpired(context.Background()); n != 0 || err != nil {
		t.Errorf("got %d, %v; want 0, nil", n, err)
	}
}
