package sqlstore_test

import (
	"testing"

	"github.com/gorilla/sessions"

	"github.com/gopassport/passport/session/sqlstore"
	"github.com/gopassport/passport/session/storetest"
)

// TestStoreKit runs the contract every server-side session store keeps
// (session/storetest) on SQLite and on PostgreSQL, each subtest on a table
// of its own, read on the kit's clock.
func TestStoreKit(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			clock := storetest.NewClock()
			storetest.RunWith(t, func(t *testing.T) sessions.Store {
				fx := b.setup(t)
				st, err := sqlstore.New(t.Context(), fx.connect(t), sqlstore.Config{
					Keys: [][]byte{newKey(t)}, Table: fx.table, Dialect: fx.dialect, CleanupInterval: -1, Now: clock.Now,
				})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { st.Close() })
				return st
			}, storetest.Config{Clock: clock})
		})
	}
}
