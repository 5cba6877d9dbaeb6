package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/gopassport/passport/strategy/jwt"
)

// runRevocations runs the suite's revocation checks: of a family, of a
// subject, and how a revoked family is reported. rec makes a record issued
// at baseTime.
func runRevocations(t *testing.T, newStore func(t *testing.T) jwt.Store, rec func(hash, family, subject string) jwt.RefreshRecord) {
	t.Helper()
	ctx := context.Background()
	base := baseTime()

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
}
