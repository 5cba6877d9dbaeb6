// Package redisopt holds what the module's Redis stores check of a
// go-redis client before they use it.
package redisopt

import "github.com/redis/go-redis/v9"

// IgnoresDeadlines reports whether client is a go-redis client whose
// options leave ContextTimeoutEnabled off: go-redis then ignores the
// context's deadline on its connections, and a store's Timeout could not
// bound a call to a stalled server. A client of another type is trusted.
func IgnoresDeadlines(client redis.UniversalClient) bool {
	switch c := client.(type) {
	case *redis.Client:
		return !c.Options().ContextTimeoutEnabled
	case *redis.ClusterClient:
		return !c.Options().ContextTimeoutEnabled
	case *redis.Ring:
		return !c.Options().ContextTimeoutEnabled
	}
	return false
}
