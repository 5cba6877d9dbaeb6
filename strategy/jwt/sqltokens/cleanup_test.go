package sqltokens_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gopassport/passport/strategy/jwt"
	"github.com/gopassport/passport/strategy/jwt/sqltokens"
)

// The background cleanup runs on SQLite inside a synctest bubble: the
// bubble's fake clock drives the ticker, and synctest.Wait returns once the
// cleanup has done its work and waits again, so nothing sleeps on the real
// clock. (PostgreSQL's sockets cannot join a bubble; DeleteExpired runs on
// both in TestDeleteExpired.)
func TestBackgroundCleanup(t *testing.T) {
	tests := []struct {
		name      string
		interval  time.Duration
		wait      time.Duration
		wantGone  bool
		cancelNew bool // New's context, after New
	}{
		{name: "ok, not before the first tick", interval: time.Minute, wait: time.Minute - time.Second},
		{name: "ok, at the first tick", interval: time.Minute, wait: time.Minute, wantGone: true},
		{name: "ok, zero is the default interval", interval: 0, wait: sqltokens.DefaultCleanupInterval, wantGone: true},
		{name: "ok, zero is the default interval, not yet", interval: 0, wait: sqltokens.DefaultCleanupInterval - time.Second},
		{name: "ok, negative starts nothing", interval: -1, wait: 365 * 24 * time.Hour},
		{name: "ok, outlives New's context", interval: time.Minute, wait: time.Minute, wantGone: true, cancelNew: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				db := memoryDB(t)
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				// The bubble's clock is the store's: tokens expire as it
				// moves.
				s, err := sqltokens.New(ctx, db, sqltokens.Config{CleanupInterval: tt.interval})
				if err != nil {
					t.Fatal(err)
				}
				if tt.cancelNew {
					cancel()
				}
				expired := jwt.RefreshRecord{Hash: jwt.HashRefreshToken("old"), Family: "f1", Subject: "u", ExpiresAt: time.Now().Add(-time.Second)}
				live := jwt.RefreshRecord{Hash: jwt.HashRefreshToken("new"), Family: "f2", Subject: "u", ExpiresAt: time.Now().Add(2 * 365 * 24 * time.Hour)}
				for _, r := range []jwt.RefreshRecord{expired, live} {
					if err := s.SaveRefresh(t.Context(), r); err != nil {
						t.Fatal(err)
					}
				}

				time.Sleep(tt.wait)
				synctest.Wait()
				_, err = s.GetRefresh(t.Context(), expired.Hash)
				if gone := errors.Is(err, jwt.ErrNotFound); gone != tt.wantGone {
					t.Errorf("expired token: got %v; want gone=%v", err, tt.wantGone)
				}
				if _, err := s.GetRefresh(t.Context(), live.Hash); err != nil {
					t.Errorf("live token: %v", err)
				}

				if err := s.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
				if err := s.Close(); err != nil {
					t.Errorf("second Close: %v", err)
				}
				// Nothing is deleted after Close; the store still serves.
				again := jwt.RefreshRecord{Hash: jwt.HashRefreshToken("again"), Family: "f3", Subject: "u", ExpiresAt: time.Now().Add(-time.Second)}
				if err := s.SaveRefresh(t.Context(), again); err != nil {
					t.Fatal(err)
				}
				time.Sleep(24 * time.Hour)
				synctest.Wait()
				if _, err := s.GetRefresh(t.Context(), again.Hash); err != nil {
					t.Errorf("after Close: got %v; want the token kept, the cleanup stopped", err)
				}
			})
		})
	}
}
