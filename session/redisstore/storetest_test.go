package redisstore_test

import (
	"testing"
	"time"

	"github.com/gorilla/sessions"

	"github.com/gopassport/passport/session/redisstore"
	"github.com/gopassport/passport/session/storetest"
)

// The kit every server-side store runs, on the shared Redis.
func TestStoreKit(t *testing.T) {
	clock := storetest.NewClock()
	stores := map[sessions.Store]*fixture{}
	storetest.RunWith(t, func(t *testing.T) sessions.Store {
		f := newFixture(t, clock.Now)
		stores[f.store] = f
		return f.store
	}, storetest.Config{
		Clock: clock,
		// The TTL Redis enforces, read back on the fake clock.
		Expires: func(t *testing.T, store sessions.Store, id string) (time.Time, bool) {
			f := stores[store.(*redisstore.Store)]
			ttl, err := f.client.PTTL(t.Context(), f.sessionKey(id)).Result()
			if err != nil {
				t.Fatalf("PTTL: %v", err)
			}
			if ttl < 0 {
				return time.Time{}, false
			}
			return clock.Now().Add(ttl), true
		},
	})
}

// The kit on the real clock: what a third party's store without a clock
// of its own gets.
func TestStoreKitRealClock(t *testing.T) {
	storetest.Run(t, func(t *testing.T) sessions.Store { return newFixture(t, nil).store })
}
