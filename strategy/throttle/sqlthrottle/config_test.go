package sqlthrottle_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gopassport/passport/strategy/throttle"
	"github.com/gopassport/passport/strategy/throttle/sqlthrottle"
)

// TestNewRefusesBadConfig: New returns an error wrapping ErrInvalidConfig
// that names the field for a Config that can only be a mistake, before it
// touches the database (the pool here points at nothing). Zero values are
// the defaults.
func TestNewRefusesBadConfig(t *testing.T) {
	nowhere, err := sql.Open("pgx", "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=1")
	if err != nil {
		t.Fatal(err)
	}
	defer nowhere.Close()
	tests := []struct {
		name string
		db   *sql.DB
		cfg  sqlthrottle.Config
		want string // "" when usable (on SQLite), else what the message names
	}{
		{"ok, zero means default", nil, sqlthrottle.Config{}, ""},
		{"ok, MaxDelay shorter than the default BaseDelay", nil, sqlthrottle.Config{MaxDelay: 500 * time.Millisecond}, ""},
		{"ok, BaseDelay equal to MaxDelay", nil, sqlthrottle.Config{BaseDelay: time.Minute, MaxDelay: time.Minute}, ""},
		{"ok, Table of 48 bytes", nil, sqlthrottle.Config{Table: strings.Repeat("t", 48)}, ""},
		{"ok, Table a reserved word", nil, sqlthrottle.Config{Table: "order"}, ""},
		{"nok, AccountLimit", nowhere, sqlthrottle.Config{AccountLimit: -1}, "Config.AccountLimit"},
		{"nok, IPLimit", nowhere, sqlthrottle.Config{IPLimit: -5}, "Config.IPLimit"},
		{"nok, DeviceLimit", nowhere, sqlthrottle.Config{DeviceLimit: -1}, "Config.DeviceLimit"},
		{"nok, Window", nowhere, sqlthrottle.Config{Window: -time.Minute}, "Config.Window"},
		{"nok, BaseDelay negative", nowhere, sqlthrottle.Config{BaseDelay: -time.Second}, "Config.BaseDelay"},
		{"nok, MaxDelay", nowhere, sqlthrottle.Config{MaxDelay: -time.Second}, "Config.MaxDelay"},
		{"nok, BaseDelay longer than MaxDelay", nowhere, sqlthrottle.Config{BaseDelay: time.Minute, MaxDelay: time.Second}, "Config.BaseDelay"},
		{"nok, BaseDelay longer than the default MaxDelay", nowhere, sqlthrottle.Config{BaseDelay: time.Hour}, "Config.BaseDelay"},
		{"nok, Timeout", nowhere, sqlthrottle.Config{Timeout: -time.Millisecond}, "Config.Timeout"},
		{"nok, Dialect", nowhere, sqlthrottle.Config{Dialect: sqlthrottle.Dialect(7)}, "Config.Dialect"},
		{"nok, Table too long", nowhere, sqlthrottle.Config{Table: strings.Repeat("t", 49)}, "Config.Table"},
		{"nok, Table with a quote", nowhere, sqlthrottle.Config{Table: `t"; DROP TABLE x; --`}, "Config.Table"},
		{"nok, Table starting with a digit", nowhere, sqlthrottle.Config{Table: "1throttle"}, "Config.Table"},
		{"nok, Table with a space", nowhere, sqlthrottle.Config{Table: "my throttle"}, "Config.Table"},
		{"nok, db nil", nil, sqlthrottle.Config{Table: "nil_db"}, "nil *sql.DB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := tt.db
			if db == nil && tt.want == "" {
				db = sqliteFixture(t).connect(t)
			}
			tt.cfg.CleanupInterval = -1
			th, err := sqlthrottle.New(context.Background(), db, tt.cfg)
			if tt.want == "" {
				if err != nil || th == nil {
					t.Fatalf("New: got %v, %v; want a Throttle", th, err)
				}
				_ = th.Close()
				return
			}
			if th != nil || !errors.Is(err, sqlthrottle.ErrInvalidConfig) {
				t.Fatalf("New: got %v, %v; want an error wrapping ErrInvalidConfig", th, err)
			}
			if !strings.HasPrefix(err.Error(), "sqlthrottle: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q; want the package prefix and %q", err, tt.want)
			}
		})
	}
}

// TestZeroConfigDefaults: the zero Config locks an account at its 10th
// failure for one second, and an address at its 100th, as Memory does.
func TestZeroConfigDefaults(t *testing.T) {
	forEachBackend(t, func(t *testing.T, fx fixture) {
		clock := newFakeClock()
		th := newThrottle(t, fx.connect(t), fx.config(sqlthrottle.Config{Now: clock.Now}))
		a := throttle.Attempt{Username: "alice", IP: "192.0.2.1"}
		for i := range throttle.DefaultAccountLimit {
			if wait := fail(t, th, a); wait != 0 {
				t.Fatalf("attempt %d: got wait %v; want allowed", i+1, wait)
			}
		}
		if wait := fail(t, th, a); wait != throttle.DefaultBaseDelay {
			t.Errorf("after %d failures: got wait %v; want %v", throttle.DefaultAccountLimit, wait, throttle.DefaultBaseDelay)
		}
		for i := throttle.DefaultAccountLimit; i < throttle.DefaultIPLimit; i++ {
			if wait := fail(t, th, throttle.Attempt{Username: "user" + string(rune('a'+i%26)) + string(rune('a'+i/26)), IP: "192.0.2.1"}); wait != 0 {
				t.Fatalf("address failure %d: got wait %v; want allowed", i+1, wait)
			}
		}
		if wait := fail(t, th, throttle.Attempt{Username: "bob", IP: "192.0.2.1"}); wait != throttle.DefaultBaseDelay {
			t.Errorf("after %d failures from one address: got wait %v; want %v", throttle.DefaultIPLimit, wait, throttle.DefaultBaseDelay)
		}
	})
}
