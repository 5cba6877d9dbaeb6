package redisopt_test

import (
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/internal/redisopt"
)

func TestIgnoresDeadlines(t *testing.T) {
	tests := []struct {
		name   string
		client redis.UniversalClient
		want   bool
	}{
		{"nok, client without ContextTimeoutEnabled", redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"}), true},
		{"ok, client with it", redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", ContextTimeoutEnabled: true}), false},
		{"nok, cluster without it", redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}}), true},
		{"ok, cluster with it", redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"127.0.0.1:1"}, ContextTimeoutEnabled: true}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer tt.client.Close()
			if got := redisopt.IgnoresDeadlines(tt.client); got != tt.want {
				t.Errorf("IgnoresDeadlines = %v; want %v", got, tt.want)
			}
		})
	}
}
