package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gopassport/passport/strategy/jwt"
)

// runIssuer runs the issuer's refresh and revocation flows on s.
func runIssuer(t *testing.T, s jwt.Store) {
	ctx := context.Background()
	base := baseTime()
	secret, err := jwt.GenerateHMACSecret()
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu  sync.Mutex
		now = base
	)
	clock := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}
	advance := func(d time.Duration) {
		mu.Lock()
		now = now.Add(d)
		mu.Unlock()
	}
	iss, err := jwt.NewIssuer(jwt.IssuerConfig{
		Issuer:     "https://issuer.test",
		Key:        jwt.Key{Key: secret},
		Store:      s,
		Now:        clock,
		RefreshTTL: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}

	p1, err := iss.Issue(ctx, "alice", "read")
	if err != nil {
		t.Fatal(err)
	}
	// Only the hash is stored.
	if _, err := s.GetRefresh(ctx, p1.RefreshToken); !errors.Is(err, jwt.ErrNotFound) {
		t.Errorf("lookup by the raw token: got %v; want %v", err, jwt.ErrNotFound)
	}
	if _, err := s.GetRefresh(ctx, jwt.HashRefreshToken(p1.RefreshToken)); err != nil {
		t.Errorf("lookup by the hash: got %v", err)
	}

	advance(time.Minute)
	p2, err := iss.Refresh(ctx, p1.RefreshToken)
	if err != nil {
		t.Fatalf("rotation: %v", err)
	}
	if p2.RefreshToken == p1.RefreshToken || p2.AccessToken == p1.AccessToken {
		t.Error("rotation returned the same tokens")
	}
	if p2.Scope != "read" {
		t.Errorf("got scope %q; want %q", p2.Scope, "read")
	}

	// Reuse of the rotated token revokes the family, p2 included.
	if _, err := iss.Refresh(ctx, p1.RefreshToken); !errors.Is(err, jwt.ErrRefreshReused) {
		t.Fatalf("reuse: got %v; want %v", err, jwt.ErrRefreshReused)
	}
	if _, err := iss.Refresh(ctx, p2.RefreshToken); !errors.Is(err, jwt.ErrRefreshRevoked) {
		t.Fatalf("after reuse: got %v; want %v", err, jwt.ErrRefreshRevoked)
	}

	// Logout revokes the family.
	p3, err := iss.Issue(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if err := iss.Revoke(ctx, p3.RefreshToken); err != nil {
		t.Fatal(err)
	}
	if err := iss.Revoke(ctx, p3.RefreshToken); err != nil {
		t.Errorf("second revoke: got %v; want nil", err)
	}
	if _, err := iss.Refresh(ctx, p3.RefreshToken); !errors.Is(err, jwt.ErrRefreshRevoked) {
		t.Fatalf("after logout: got %v; want %v", err, jwt.ErrRefreshRevoked)
	}

	// Expiry.
	p4, err := iss.Issue(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	advance(time.Hour)
	if _, err := iss.Refresh(ctx, p4.RefreshToken); !errors.Is(err, jwt.ErrRefreshExpired) {
		t.Fatalf("expired: got %v; want %v", err, jwt.ErrRefreshExpired)
	}

	// RevokeUser ends every family of the user, not the others'.
	p5, err := iss.Issue(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	pb, err := iss.Issue(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if err := iss.RevokeUser(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := iss.Refresh(ctx, p5.RefreshToken); !errors.Is(err, jwt.ErrRefreshRevoked) {
		t.Fatalf("after RevokeUser: got %v; want %v", err, jwt.ErrRefreshRevoked)
	}
	if _, err := iss.Refresh(ctx, pb.RefreshToken); err != nil {
		t.Fatalf("another user after RevokeUser: %v", err)
	}
	if nb, err := s.NotBefore(ctx, "alice"); err != nil || !nb.Equal(clock()) {
		t.Errorf("got not-before %v, %v; want %v", nb, err, clock())
	}

	// Unknown and malformed tokens.
	for _, tok := range []string{"", "short", p1.RefreshToken[:42] + "!", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		if _, err := iss.Refresh(ctx, tok); !errors.Is(err, jwt.ErrRefreshInvalid) {
			t.Errorf("Refresh(%q): got %v; want %v", tok, err, jwt.ErrRefreshInvalid)
		}
		if err := iss.Revoke(ctx, tok); !errors.Is(err, jwt.ErrRefreshInvalid) {
			t.Errorf("Revoke(%q): got %v; want %v", tok, err, jwt.ErrRefreshInvalid)
		}
	}
}
