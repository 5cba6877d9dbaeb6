package redisstore_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/sessions"
	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/redisstore"
)

// TestNewRefusesBadConfig: New refuses a Config value that can only be a
// mistake with an error wrapping ErrInvalidConfig that names the field,
// without talking to Redis; zero values are the defaults.
func TestNewRefusesBadConfig(t *testing.T) {
	key := newKey(t)
	// Nothing listens there: New must not need a server.
	client := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true})
	t.Cleanup(func() { client.Close() })
	tests := []struct {
		name    string
		nilConn bool
		conn    redis.UniversalClient
		cfg     redisstore.Config
		field   string // "" when New must succeed
		wantIs  error
	}{
		{name: "ok, zero means default", cfg: redisstore.Config{Keys: [][]byte{key}}},
		{name: "ok, own prefix, timeout and options", cfg: redisstore.Config{Keys: [][]byte{key}, KeyPrefix: "app:{x}:sess:", Timeout: time.Second, Options: &sessions.Options{Path: "/", MaxAge: 0}}},
		{name: "ok, 64-byte KeyPrefix", cfg: redisstore.Config{Keys: [][]byte{key}, KeyPrefix: strings.Repeat("p", 64)}},
		{name: "nok, client without ContextTimeoutEnabled", conn: redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}), cfg: redisstore.Config{Keys: [][]byte{key}}, field: "ContextTimeoutEnabled"},
		{name: "nok, cluster client without ContextTimeoutEnabled", conn: redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}}), cfg: redisstore.Config{Keys: [][]byte{key}}, field: "ContextTimeoutEnabled"},
		{name: "ok, cluster client", conn: redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}, ContextTimeoutEnabled: true}), cfg: redisstore.Config{Keys: [][]byte{key}}},
		{name: "ok, universal client of one address", conn: redis.NewUniversalClient(&redis.UniversalOptions{Addrs: []string{"127.0.0.1:1"}, ContextTimeoutEnabled: true}), cfg: redisstore.Config{Keys: [][]byte{key}}},
		{name: "nok, client nil", nilConn: true, cfg: redisstore.Config{Keys: [][]byte{key}}, field: "redis.UniversalClient"},
		{name: "nok, Keys missing", cfg: redisstore.Config{}, field: "Config.Keys"},
		{name: "nok, Keys too short", cfg: redisstore.Config{Keys: [][]byte{[]byte("short")}}, field: "Config.Keys", wantIs: session.ErrKeyTooShort},
		{name: "nok, Keys second one too short", cfg: redisstore.Config{Keys: [][]byte{key, make([]byte, 31)}}, field: "Config.Keys", wantIs: session.ErrKeyTooShort},
		{name: "nok, KeyPrefix with a space", cfg: redisstore.Config{Keys: [][]byte{key}, KeyPrefix: "my app:"}, field: "Config.KeyPrefix"},
		{name: "nok, KeyPrefix with a newline", cfg: redisstore.Config{Keys: [][]byte{key}, KeyPrefix: "app\n"}, field: "Config.KeyPrefix"},
		{name: "nok, KeyPrefix not ASCII", cfg: redisstore.Config{Keys: [][]byte{key}, KeyPrefix: "séssion:"}, field: "Config.KeyPrefix"},
		{name: "nok, KeyPrefix of 65 bytes", cfg: redisstore.Config{Keys: [][]byte{key}, KeyPrefix: strings.Repeat("p", 65)}, field: "Config.KeyPrefix"},
		{name: "nok, Timeout negative", cfg: redisstore.Config{Keys: [][]byte{key}, Timeout: -time.Second}, field: "Config.Timeout"},
		{name: "nok, Options MaxAge negative", cfg: redisstore.Config{Keys: [][]byte{key}, Options: &sessions.Options{Path: "/", MaxAge: -1}}, field: "Config.Options.MaxAge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c redis.UniversalClient = client
			if tt.conn != nil {
				c = tt.conn
				defer tt.conn.Close()
			}
			if tt.nilConn {
				c = nil
			}
			st, err := redisstore.New(c, tt.cfg)
			if tt.field == "" {
				if err != nil || st == nil {
					t.Fatalf("got %v; want a store", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("got no error; want one naming %s", tt.field)
			}
			if !errors.Is(err, redisstore.ErrInvalidConfig) {
				t.Fatalf("got %v; want an error wrapping ErrInvalidConfig", err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("got %v; want it to match %v too", err, tt.wantIs)
			}
			if !strings.HasPrefix(err.Error(), "redisstore: ") || !strings.Contains(err.Error(), tt.field) {
				t.Errorf("got %q; want the package prefix and %s", err, tt.field)
			}
		})
	}
}
