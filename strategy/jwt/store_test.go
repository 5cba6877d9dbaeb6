package jwt_test

import (
	"context"
	"testing"
	"time"

	"github.com/gopassport/passport/strategy/jwt"
	"github.com/gopassport/passport/strategy/jwt/storetest"
)

func TestMemoryStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) jwt.Store { return jwt.NewMemoryStore(jwt.MemoryStoreConfig{}) })
}

func TestMemoryStoreDeleteExpired(t *testing.T) {
	ctx := context.Background()
	s := jwt.NewMemoryStore(jwt.MemoryStoreConfig{Now: func() time.Time { return testNow }})
	for i, exp := range []time.Time{testNow.Add(-time.Minute), testNow.Add(time.Minute)} {
		rec := jwt.RefreshRecord{Hash: jwt.HashRefreshToken(string(rune('a' + i))), Family: string(rune('f' + i)), Subject: "u", ExpiresAt: exp}
		if err := s.SaveRefresh(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.DeleteExpired(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("got %d deleted; want 1", n)
	}
	if _, err := s.GetRefresh(ctx, jwt.HashRefreshToken("a")); err == nil {
		t.Error("the expired token is still there")
	}
	if _, err := s.GetRefresh(ctx, jwt.HashRefreshToken("b")); err != nil {
		t.Errorf("the live token: %v", err)
	}
}
