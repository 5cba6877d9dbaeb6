package sqlstore_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gopassport/passport/strategy/jwt/sqlstore"
)

// TestNewRefusesBadConfig: New refuses what can only be a mistake with an
// error wrapping ErrInvalidConfig that names the field, before it touches
// the database.
func TestNewRefusesBadConfig(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		nilDB bool
		cfg   sqlstore.Config
		field string // "" when New must succeed
	}{
		{name: "ok, zero value means default", cfg: sqlstore.Config{}},
		{name: "ok, prefix of 48 bytes", cfg: sqlstore.Config{TablePrefix: strings.Repeat("a", 47) + "_"}},
		{name: "nok, db nil", nilDB: true, field: "*sql.DB"},
		{name: "nok, TablePrefix starts with a digit", cfg: sqlstore.Config{TablePrefix: "1auth_"}, field: "TablePrefix"},
		{name: "nok, TablePrefix too long", cfg: sqlstore.Config{TablePrefix: strings.Repeat("a", 49)}, field: "TablePrefix"},
		{name: "nok, TablePrefix with a quote", cfg: sqlstore.Config{TablePrefix: `x"; DROP TABLE users; --`}, field: "TablePrefix"},
		{name: "nok, TablePrefix upper case", cfg: sqlstore.Config{TablePrefix: "App_"}, field: "TablePrefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := memoryDB(t)
			if tt.nilDB {
				db = nil
			}
			s, err := sqlstore.New(ctx, db, tt.cfg)
			if tt.field == "" {
				if err != nil || s == nil {
					t.Fatalf("got %v; want a store", err)
				}
				return
			}
			if !errors.Is(err, sqlstore.ErrInvalidConfig) {
				t.Fatalf("got %v; want an error wrapping ErrInvalidConfig", err)
			}
			if !strings.HasPrefix(err.Error(), "sqlstore: ") || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("got %q; want the package prefix and %s", err, tt.field)
			}
		})
	}
}
