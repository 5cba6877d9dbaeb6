package storetest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gopassport/passport/strategy/jwt"
)

// Run runs the suite against stores made by newStore; each subtest gets a
// fresh, empty store.
func Run(t *testing.T, newStore func(t *testing.T) jwt.Store) {
	t.Helper()
	ctx := context.Background()
	// base has millisecond precision, the least a Store must keep.
	base := baseTime()
	rec := func(hash, family, subject string) jwt.RefreshRecord {
		return jwt.RefreshRecord{
			Hash:      jwt.HashRefreshToken(hash),
			Family:    family,
			Subject:   subject,
			Scope:     []string{"read", "write"},
			IssuedAt:  base,
			ExpiresAt: base.Add(time.Hour),
		}
	}

	t.Run("ok, save and get", func(t *testing.T) {
		s := newStore(t)
		want := rec("a", "f1", "alice")
		if err := s.SaveRefresh(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetRefresh(ctx, want.Hash)
		if err != nil {
			t.Fatal(err)
		}
		checkRecord(t, got, want)
		if !got.UsedAt.IsZero() || !got.RevokedAt.IsZero() {
			t.Errorf("got used %v revoked %v; want both zero", got.UsedAt, got.RevokedAt)
		}
	})

	t.Run("ok, empty scope", func(t *testing.T) {
		s := newStore(t)
		want := rec("a", "f1", "alice")
		want.Scope = nil
		if err := s.SaveRefresh(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetRefresh(ctx, want.Hash)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Scope) != 0 {
			t.Errorf("got scope %q; want none", got.Scope)
		}
	})

	t.Run("nok, unknown hash", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.GetRefresh(ctx, jwt.HashRefreshToken("nope")); !errors.Is(err, jwt.ErrNotFound) {
			t.Errorf("GetRefresh: got %v; want %v", err, jwt.ErrNotFound)
		}
		if _, err := s.UseRefresh(ctx, jwt.HashRefreshToken("nope"), base); !errors.Is(err, jwt.ErrNotFound) {
			t.Errorf("UseRefresh: got %v; want %v", err, jwt.ErrNotFound)
		}
	})

	t.Run("ok, a token is used once", func(t *testing.T) {
		s := newStore(t)
		r := rec("a", "f1", "alice")
		if err := s.SaveRefresh(ctx, r); err != nil {
			t.Fatal(err)
		}
		first, err := s.UseRefresh(ctx, r.Hash, base.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if !first.UsedAt.IsZero() {
			t.Errorf("first use: got UsedAt %v; want zero", first.UsedAt)
		}
		checkRecord(t, first, r)
		second, err := s.UseRefresh(ctx, r.Hash, base.Add(2*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if want := base.Add(time.Minute); !second.UsedAt.Equal(want) {
			t.Errorf("second use: got UsedAt %v; want %v", second.UsedAt, want)
		}
	})

	t.Run("ok, concurrent uses have one winner", func(t *testing.T) {
		s := newStore(t)
		r := rec("a", "f1", "alice")
		if err := s.SaveRefresh(ctx, r); err != nil {
			t.Fatal(err)
		}
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			winners int
		)
		for i := range 16 {
			wg.Go(func() {
				got, err := s.UseRefresh(ctx, r.Hash, base.Add(time.Duration(i+1)*time.Second))
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
			t.Errorf("got %d winners; want 1", winners)
		}
	})

	t.Run("ok, the winner of concurrent uses sees no revocation by the losers", func(t *testing.T) {
		// Each loser is a reuse and revokes the family, as Issuer.Refresh
		// does; the winner must still see the record as it was before its
		// call, or no refresh of the token would succeed.
		for round := range 40 {
			s := newStore(t)
			r := rec("a", "f1", "alice")
			if err := s.SaveRefresh(ctx, r); err != nil {
				t.Fatal(err)
			}
			var (
				wg      sync.WaitGroup
				mu      sync.Mutex
				winners int
			)
			for i := range 8 {
				wg.Go(func() {
					at := base.Add(time.Duration(i+1) * time.Second)
					got, err := s.UseRefresh(ctx, r.Hash, at)
					if err != nil {
						t.Error(err)
						return
					}
					if !got.UsedAt.IsZero() {
						if err := s.RevokeFamily(ctx, got.Family, at); err != nil {
							t.Error(err)
						}
						return
					}
					if got.RevokedAt.IsZero() {
						mu.Lock()
						winners++
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if winners != 1 {
				t.Fatalf("round %d: got %d winners that saw no revocation; want 1", round, winners)
			}
		}
	})

	t.Run("ok, revoking a family reaches present and future tokens", func(t *testing.T) {
		s := newStore(t)
		a, other := rec("a", "f1", "alice"), rec("o", "f2", "alice")
		for _, r := range []jwt.RefreshRecord{a, other} {
			if err := s.SaveRefresh(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		at := base.Add(time.Minute)
		if err := s.RevokeFamily(ctx, "f1", at); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeFamily(ctx, "f1", at.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.RevokeFamily(ctx, "unknown", at); err != nil {
			t.Errorf("unknown family: got %v; want nil", err)
		}
		b := rec("b", "f1", "alice")
		if err := s.SaveRefresh(ctx, b); err != nil {
			t.Fatal(err)
		}
		for _, h := range []string{a.Hash, b.Hash} {
			got, err := s.GetRefresh(ctx, h)
			if err != nil {
				t.Fatal(err)
			}
			if !got.RevokedAt.Equal(at) {
				t.Errorf("got RevokedAt %v; want %v", got.RevokedAt, at)
			}
		}
		got, err := s.UseRefresh(ctx, b.Hash, at)
		if err != nil {
			t.Fatal(err)
		}
		if !got.RevokedAt.Equal(at) {
			t.Errorf("UseRefresh: got RevokedAt %v; want %v", got.RevokedAt, at)
		}
		got, err = s.GetRefresh(ctx, other.Hash)
		if err != nil {
			t.Fatal(err)
		}
		if !got.RevokedAt.IsZero() {
			t.Errorf("other family: got RevokedAt %v; want zero", got.RevokedAt)
		}
	})

	t.Run("ok, revoking a subject", func(t *testing.T) {
		s := newStore(t)
		a1, a2, b := rec("a1", "fa1", "alice"), rec("a2", "fa2", "alice"), rec("b", "fb", "bob")
		for _, r := range []jwt.RefreshRecord{a1, a2, b} {
			if err := s.SaveRefresh(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		nb, err := s.NotBefore(ctx, "alice")
		if err != nil || !nb.IsZero() {
			t.Fatalf("before: got %v, %v; want zero", nb, err)
		}
		at := base.Add(time.Minute)
		if err := s.RevokeSubject(ctx, "alice", at); err != nil {
			t.Fatal(err)
		}
		for _, r := range []jwt.RefreshRecord{a1, a2} {
			got, err := s.GetRefresh(ctx, r.Hash)
			if err != nil {
				t.Fatal(err)
			}
			if !got.RevokedAt.Equal(at) {
				t.Errorf("%s: got RevokedAt %v; want %v", r.Family, got.RevokedAt, at)
			}
		}
		got, err := s.GetRefresh(ctx, b.Hash)
		if err != nil {
			t.Fatal(err)
		}
		if !got.RevokedAt.IsZero() {
			t.Errorf("bob: got RevokedAt %v; want zero", got.RevokedAt)
		}
		if nb, err := s.NotBefore(ctx, "alice"); err != nil || !nb.Equal(at) {
			t.Errorf("alice: got not-before %v, %v; want %v", nb, err, at)
		}
		if nb, err := s.NotBefore(ctx, "bob"); err != nil || !nb.IsZero() {
			t.Errorf("bob: got not-before %v, %v; want zero", nb, err)
		}
		// The not-before time never moves back.
		if err := s.RevokeSubject(ctx, "alice", base); err != nil {
			t.Fatal(err)
		}
		if nb, err := s.NotBefore(ctx, "alice"); err != nil || !nb.Equal(at) {
			t.Errorf("after an earlier revocation: got %v, %v; want %v", nb, err, at)
		}
		later := at.Add(time.Hour)
		if err := s.RevokeSubject(ctx, "alice", later); err != nil {
			t.Fatal(err)
		}
		if nb, err := s.NotBefore(ctx, "alice"); err != nil || !nb.Equal(later) {
			t.Errorf("after a later revocation: got %v, %v; want %v", nb, err, later)
		}
	})

	t.Run("ok, family revocation is reported", func(t *testing.T) {
		s := newStore(t)
		for _, r := range []jwt.RefreshRecord{rec("a", "f1", "alice"), rec("b", "f2", "alice"), rec("c", "f3", "bob")} {
			if err := s.SaveRefresh(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		want := func(family string, revoked bool) {
			t.Helper()
			got, err := s.FamilyRevoked(ctx, family)
			if err != nil {
				t.Fatal(err)
			}
			if got != revoked {
				t.Errorf("FamilyRevoked(%q): got %v; want %v", family, got, revoked)
			}
		}
		want("f1", false)
		want("unknown", false)
		if err := s.RevokeFamily(ctx, "f1", base.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		want("f1", true)
		want("f2", false)
		if err := s.RevokeSubject(ctx, "alice", base.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		want("f2", true)
		want("f3", false)
	})

	t.Run("ok, issuer flows", func(t *testing.T) {
		runIssuer(t, newStore(t))
	})
}

// checkRecord compares the stored fields of a record.
func checkRecord(t *testing.T, got, want jwt.RefreshRecord) {
	t.Helper()
	if got.Hash != want.Hash || got.Family != want.Family || got.Subject != want.Subject {
		t.Errorf("got %q/%q/%q; want %q/%q/%q", got.Hash, got.Family, got.Subject, want.Hash, want.Family, want.Subject)
	}
	if !slices.Equal(got.Scope, want.Scope) {
		t.Errorf("got scope %q; want %q", got.Scope, want.Scope)
	}
	if !got.IssuedAt.Equal(want.IssuedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) {
		t.Errorf("got times %v..%v; want %v..%v", got.IssuedAt, got.ExpiresAt, want.IssuedAt, want.ExpiresAt)
	}
}

// baseTime is the time the suite's records start from.
func baseTime() time.Time { return time.Date(2026, 3, 4, 5, 6, 7, 123_000_000, time.UTC) }

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
