package sqlstore_test

import (
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorilla/sessions"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/sqlstore"
)

// TestNewRefusesBadConfig: New refuses a Config value that can only be a
// mistake with an error wrapping ErrInvalidConfig that names the field,
// before it touches the database; zero values are the defaults.
func TestNewRefusesBadConfig(t *testing.T) {
	key := newKey(t)
	tests := []struct {
		name   string
		nilDB  bool
		cfg    sqlstore.Config
		field  string // "" when New must succeed
		wantIs error
	}{
		{name: "ok, zero value means default", cfg: sqlstore.Config{Keys: [][]byte{key}}},
		{name: "ok, negative CleanupInterval turns the cleanup off", cfg: sqlstore.Config{Keys: [][]byte{key}, CleanupInterval: -1}},
		{name: "ok, Options with a browser-session cookie", cfg: sqlstore.Config{Keys: [][]byte{key}, Options: &sessions.Options{Path: "/", MaxAge: 0}}},
		{name: "nok, db nil", nilDB: true, cfg: sqlstore.Config{Keys: [][]byte{key}}, field: "*sql.DB"},
		{name: "nok, Keys missing", cfg: sqlstore.Config{}, field: "Config.Keys"},
		{name: "nok, Keys too short", cfg: sqlstore.Config{Keys: [][]byte{[]byte("short")}}, field: "Config.Keys", wantIs: session.ErrKeyTooShort},
		{name: "nok, Table with a quote", cfg: sqlstore.Config{Keys: [][]byte{key}, Table: `a"b`}, field: "Config.Table"},
		{name: "nok, Dialect unknown", cfg: sqlstore.Config{Keys: [][]byte{key}, Dialect: sqlstore.Dialect(7)}, field: "Config.Dialect"},
		{name: "nok, Options MaxAge negative", cfg: sqlstore.Config{Keys: [][]byte{key}, Options: &sessions.Options{Path: "/", MaxAge: -1}}, field: "Config.Options.MaxAge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var db *sql.DB
			if !tt.nilDB {
				db = openSQLite(t, filepath.Join(t.TempDir(), "s.db"))
			}
			st, err := sqlstore.New(t.Context(), db, tt.cfg)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("got %v; want a store", err)
				}
				st.Close()
				return
			}
			if err == nil {
				st.Close()
				t.Fatalf("got no error; want one naming %s", tt.field)
			}
			if !errors.Is(err, sqlstore.ErrInvalidConfig) {
				t.Fatalf("got %v; want an error wrapping ErrInvalidConfig", err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("got %v; want it to match %v too", err, tt.wantIs)
			}
			if !strings.HasPrefix(err.Error(), "sqlstore: ") || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("got %q; want the package prefix and %s", err, tt.field)
			}
		})
	}
}
