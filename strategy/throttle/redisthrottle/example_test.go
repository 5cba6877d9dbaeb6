package redisthrottle_test

import (
	"context"
	"log"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/local"
	"github.com/gopassport/passport/strategy/password"
	"github.com/gopassport/passport/strategy/throttle/redisthrottle"
)

// Every instance of the app builds its login strategy on the same Redis
// and KeyPrefix, and so shares one failure budget per account, address and
// device. The example needs a Redis server, so it is compiled, not run.
func Example() {
	rdb := redis.NewUniversalClient(&redis.UniversalOptions{
		Addrs:                 []string{"127.0.0.1:6379"}, // one address; several for Cluster; MasterName for Sentinel
		ContextTimeoutEnabled: true,                       // required: Config.Timeout bounds every call
	})
	defer rdb.Close()

	t, err := redisthrottle.New(rdb, redisthrottle.Config{
		KeyPrefix: "myapp:throttle:", // the same on every instance
		// The defaults otherwise: 10 failures per account, 100 per
		// address, per 15 minutes; Redis down → the login answers 503.
	})
	if err != nil {
		log.Fatal(err)
	}

	hasher := &password.Hasher{}
	hash, err := hasher.Hash("correct horse battery staple")
	if err != nil {
		log.Fatal(err)
	}
	users := map[string]string{"alice@example.com": hash}
	s, err := local.New(local.Config[string]{
		UsernameField: "email",
		Throttle:      t,
		Verify: password.Verify(func(ctx context.Context, email string) (string, string, error) {
			h, ok := users[strings.ToLower(email)]
			if !ok {
				return "", "", strategy.ErrUserNotFound
			}
			return email, h, nil
		}, hasher),
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = s // register it: auth.Use("local", s)
}
