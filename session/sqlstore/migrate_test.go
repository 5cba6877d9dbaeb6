package sqlstore_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/sqlstore"
)

// A table of the first version (id, data, expires_at) gets the new columns
// from New, and its rows stay valid: they load, save again (gaining the new
// columns' values) and are listed once they carry a user.
func TestMigrateOldTable(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b backend, fx fixture) {
		db := fx.connect(t)
		bytesType := "BLOB"
		if fx.dialect == sqlstore.PostgreSQL {
			bytesType = "BYTEA"
		}
		q := func(s string) string { return fx.dialect.Rebind(s) }
		tq := `"` + fx.table + `"`
		for _, stmt := range []string{
			"CREATE TABLE " + tq + " (id TEXT PRIMARY KEY, data " + bytesType + " NOT NULL, expires_at BIGINT NOT NULL)",
			`CREATE INDEX "` + fx.table + `_expires_at_idx" ON ` + tq + " (expires_at)",
		} {
			if _, err := db.ExecContext(t.Context(), stmt); err != nil {
				t.Fatalf("%s: %v", stmt, err)
			}
		}
		const oldID = "old-session-id-0123456789abcdef"
		now := newClock().Now() // the env's clock starts there too
		// What the previous version wrote under a manager: its timestamps
		// too (_created, _seen), or the manager would not trust the session.
		data, err := session.EncodeValues(map[any]any{
			session.UserKey: "alice", "theme": "dark", "_created": now.Unix(), "_seen": now.Unix(),
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(t.Context(), q("INSERT INTO "+tq+" (id, data, expires_at) VALUES (?, ?, ?)"), oldID, data, now.Unix()+3600); err != nil {
			t.Fatal(err)
		}

		e := newEnv(t, fx) // runs New on the old table
		for _, col := range []string{"user_key", "created_at", "last_seen", "ip", "user_agent"} {
			if _, err := e.db.ExecContext(t.Context(), "SELECT "+col+" FROM "+tq+" LIMIT 0"); err != nil {
				t.Errorf("column %s: %v; want it added", col, err)
			}
		}
		old := seal(t, e.key, cookieName, oldID)
		if got := e.get("theme", old); got != "dark" {
			t.Fatalf("got %q from the old row; want %q", got, "dark")
		}
		if hs := e.handles("alice"); len(hs) != 0 {
			t.Errorf("got %v listed before the old row is saved again; want none (its user_key is NULL)", hs)
		}

		// Saved again through the new store, it gains the new columns.
		r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/", nil)
		r.AddCookie(old)
		r.Header.Set("User-Agent", "Old/1.0")
		r.RemoteAddr = "192.0.2.9:1"
		sess, err := e.store.New(r, cookieName)
		if err != nil || sess.IsNew {
			t.Fatalf("New: got IsNew=%v, err %v; want the old session", sess.IsNew, err)
		}
		if err := e.store.Save(r, httptest.NewRecorder(), sess); err != nil {
			t.Fatalf("Save: %v", err)
		}
		list, err := e.store.ListUserSessions(t.Context(), "alice")
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 1 || list[0].Handle != session.Handle(oldID) || !list[0].Created.Equal(e.clock.Now()) ||
			list[0].IP != "192.0.2.9" || list[0].UserAgent != "Old/1.0" {
			t.Errorf("got %+v; want the old session, created now, from 192.0.2.9 with Old/1.0", list)
		}

		// New again on the migrated table changes nothing.
		again, err := sqlstore.New(t.Context(), e.db, sqlstore.Config{Keys: [][]byte{e.key}, Table: fx.table, Dialect: fx.dialect, CleanupInterval: -1})
		if err != nil {
			t.Fatalf("second New: %v", err)
		}
		again.Close()
		if got := e.get("theme", old); got != "dark" {
			t.Errorf("got %q after the second New; want %q", got, "dark")
		}
	})
}
