package redistokens_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/strategy/jwt/redistokens"
)

// TestNewRefusesBadConfig: New refuses what can only be a mistake with an
// error wrapping ErrInvalidConfig that names the field, without talking to
// Redis; zero values are the defaults.
func TestNewRefusesBadConfig(t *testing.T) {
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true}) // never dialled
	t.Cleanup(func() { _ = client.Close() })
	deaf := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	t.Cleanup(func() { _ = deaf.Close() })
	tests := []struct {
		name      string
		nilClient bool
		deaf      bool // a client that ignores context deadlines
		cfg       redistokens.Config
		field     string // "" when New must succeed
	}{
		{name: "ok, zero means default", cfg: redistokens.Config{}},
		{name: "ok, prefix of 64 bytes", cfg: redistokens.Config{KeyPrefix: strings.Repeat("a", 64)}},
		{name: "ok, prefix with a hash tag", cfg: redistokens.Config{KeyPrefix: "app1:{jwt}:"}},
		{name: "ok, every field", cfg: redistokens.Config{KeyPrefix: "x:", Timeout: time.Second, NotBeforeTTL: time.Hour, Now: time.Now}},
		{name: "nok, client nil", nilClient: true, field: "redis.UniversalClient"},
		{name: "nok, client ignores deadlines", deaf: true, field: "ContextTimeoutEnabled"},
		{name: "nok, KeyPrefix too long", cfg: redistokens.Config{KeyPrefix: strings.Repeat("a", 65)}, field: "Config.KeyPrefix"},
		{name: "nok, KeyPrefix with a space", cfg: redistokens.Config{KeyPrefix: "pass port:"}, field: "Config.KeyPrefix"},
		{name: "nok, KeyPrefix with a control character", cfg: redistokens.Config{KeyPrefix: "pass\nport:"}, field: "Config.KeyPrefix"},
		{name: "nok, KeyPrefix not ASCII", cfg: redistokens.Config{KeyPrefix: "pässport:"}, field: "Config.KeyPrefix"},
		{name: "nok, Timeout negative", cfg: redistokens.Config{Timeout: -time.Second}, field: "Config.Timeout"},
		{name: "nok, NotBeforeTTL negative", cfg: redistokens.Config{NotBeforeTTL: -time.Hour}, field: "Config.NotBeforeTTL"},
		{name: "nok, NotBeforeTTL under a millisecond", cfg: redistokens.Config{NotBeforeTTL: time.Microsecond}, field: "Config.NotBeforeTTL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c redis.UniversalClient = client
			if tt.nilClient {
				c = nil
			}
			if tt.deaf {
				c = deaf
			}
			s, err := redistokens.New(c, tt.cfg)
			if tt.field == "" {
				if err != nil || s == nil {
					t.Fatalf("got %v; want a store", err)
				}
				return
			}
			if !errors.Is(err, redistokens.ErrInvalidConfig) {
				t.Fatalf("got %v; want an error wrapping ErrInvalidConfig", err)
			}
			if !strings.HasPrefix(err.Error(), "redistokens: ") || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("got %q; want the package prefix and %s", err, tt.field)
			}
		})
	}
}
