package sqltokens_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/gopassport/passport/strategy/jwt/sqltokens"
)

// TestNewRefusesBadConfig: New refuses what can only be a mistake with an
// error wrapping ErrInvalidConfig that names the field, before it touches
// the database; zero values are the defaults.
func TestNewRefusesBadConfig(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		nilDB bool
		cfg   sqltokens.Config
		field string // "" when New must succeed
	}{
		{name: "ok, zero value means default", cfg: sqltokens.Config{}},
		{name: "ok, prefix of 48 bytes", cfg: sqltokens.Config{TablePrefix: strings.Repeat("a", 47) + "_"}},
		{name: "ok, negative CleanupInterval turns the cleanup off", cfg: sqltokens.Config{CleanupInterval: -1}},
		{name: "nok, db nil", nilDB: true, field: "*sql.DB"},
		{name: "nok, Dialect unknown", cfg: sqltokens.Config{Dialect: sqltokens.Dialect(7)}, field: "Config.Dialect"},
		{name: "nok, TablePrefix starts with a digit", cfg: sqltokens.Config{TablePrefix: "1auth_"}, field: "Config.TablePrefix"},
		{name: "nok, TablePrefix too long", cfg: sqltokens.Config{TablePrefix: strings.Repeat("a", 49)}, field: "Config.TablePrefix"},
		{name: "nok, TablePrefix with a quote", cfg: sqltokens.Config{TablePrefix: `x"; DROP TABLE users; --`}, field: "Config.TablePrefix"},
		{name: "nok, TablePrefix with a dot", cfg: sqltokens.Config{TablePrefix: "main.auth_"}, field: "Config.TablePrefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := memoryDB(t)
			if tt.nilDB {
				db = nil
			}
			s, err := sqltokens.New(ctx, db, tt.cfg)
			if tt.field == "" {
				if err != nil || s == nil {
					t.Fatalf("got %v; want a store", err)
				}
				s.Close()
				return
			}
			if !errors.Is(err, sqltokens.ErrInvalidConfig) {
				t.Fatalf("got %v; want an error wrapping ErrInvalidConfig", err)
			}
			if !strings.HasPrefix(err.Error(), "sqltokens: ") || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("got %q; want the package prefix and %s", err, tt.field)
			}
		})
	}
}
