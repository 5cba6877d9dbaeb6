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

	runRevocations(t, newStore, rec)

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
