package redisthrottle_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/strategy/throttle"
	"github.com/gopassport/passport/strategy/throttle/redisthrottle"
)

// TestNewRefusesBadConfig: New returns an error wrapping ErrInvalidConfig
// that names the field for a Config that can only be a mistake, and for a
// client that would ignore Timeout. It sends nothing to Redis, so no server
// is needed. Zero values are the defaults.
func TestNewRefusesBadConfig(t *testing.T) {
	good := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	defer good.Close()
	deaf := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer deaf.Close()
	deafCluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}})
	defer deafCluster.Close()
	okCluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}, ContextTimeoutEnabled: true})
	defer okCluster.Close()

	tests := []struct {
		name   string
		client redis.UniversalClient
		cfg    redisthrottle.Config
		want   string // "" when usable, else what the message names
	}{
		{"ok, zero means default", good, redisthrottle.Config{}, ""},
		{"ok, a cluster client", okCluster, redisthrottle.Config{}, ""},
		{"ok, MaxDelay shorter than the default BaseDelay", good, redisthrottle.Config{MaxDelay: 500 * time.Millisecond}, ""},
		{"ok, BaseDelay equal to MaxDelay", good, redisthrottle.Config{BaseDelay: time.Minute, MaxDelay: time.Minute}, ""},
		{"ok, KeyPrefix of 64 bytes", good, redisthrottle.Config{KeyPrefix: strings.Repeat("p", 64)}, ""},
		{"ok, KeyPrefix with punctuation", good, redisthrottle.Config{KeyPrefix: "app-1:login/throttle:"}, ""},
		{"nok, AccountLimit", good, redisthrottle.Config{AccountLimit: -1}, "Config.AccountLimit"},
		{"nok, IPLimit", good, redisthrottle.Config{IPLimit: -5}, "Config.IPLimit"},
		{"nok, DeviceLimit", good, redisthrottle.Config{DeviceLimit: -1}, "Config.DeviceLimit"},
		{"nok, Window", good, redisthrottle.Config{Window: -time.Minute}, "Config.Window"},
		{"nok, BaseDelay negative", good, redisthrottle.Config{BaseDelay: -time.Second}, "Config.BaseDelay"},
		{"nok, MaxDelay", good, redisthrottle.Config{MaxDelay: -time.Second}, "Config.MaxDelay"},
		{"nok, BaseDelay longer than MaxDelay", good, redisthrottle.Config{BaseDelay: time.Minute, MaxDelay: time.Second}, "Config.BaseDelay"},
		{"nok, BaseDelay longer than the default MaxDelay", good, redisthrottle.Config{BaseDelay: time.Hour}, "Config.BaseDelay"},
		{"nok, Timeout", good, redisthrottle.Config{Timeout: -time.Millisecond}, "Config.Timeout"},
		{"nok, KeyPrefix too long", good, redisthrottle.Config{KeyPrefix: strings.Repeat("p", 65)}, "Config.KeyPrefix"},
		{"nok, KeyPrefix with a space", good, redisthrottle.Config{KeyPrefix: "my app:"}, "Config.KeyPrefix"},
		{"nok, KeyPrefix with a control character", good, redisthrottle.Config{KeyPrefix: "app\n:"}, "Config.KeyPrefix"},
		{"nok, KeyPrefix not ASCII", good, redisthrottle.Config{KeyPrefix: "appé:"}, "Config.KeyPrefix"},
		{"nok, KeyPrefix with a brace", good, redisthrottle.Config{KeyPrefix: "{app}:"}, "Config.KeyPrefix"},
		{"nok, client nil", nil, redisthrottle.Config{}, "client is nil"},
		{"nok, client without ContextTimeoutEnabled", deaf, redisthrottle.Config{}, "ContextTimeoutEnabled"},
		{"nok, cluster client without ContextTimeoutEnabled", deafCluster, redisthrottle.Config{}, "ContextTimeoutEnabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th, err := redisthrottle.New(tt.client, tt.cfg)
			if tt.want == "" {
				if err != nil || th == nil {
					t.Fatalf("New: got %v, %v; want a Throttle", th, err)
				}
				return
			}
			if th != nil || !errors.Is(err, redisthrottle.ErrInvalidConfig) {
				t.Fatalf("New: got %v, %v; want an error wrapping ErrInvalidConfig", th, err)
			}
			if !strings.HasPrefix(err.Error(), "redisthrottle: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %q; want the package prefix and %q", err, tt.want)
			}
		})
	}
}

// TestZeroConfigDefaults: the zero Config locks an account at its 10th
// failure for one second, and an address at its 100th, as Memory does.
func TestZeroConfigDefaults(t *testing.T) {
	c, prefix := sharedClient(t)
	clock := newFakeClock()
	th := newThrottle(t, c, redisthrottle.Config{KeyPrefix: prefix, Now: clock.Now})
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
}
