package redistokens_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/redis/go-redis/v9"

	"github.com/gopassport/passport/strategy/jwt"
	"github.com/gopassport/passport/strategy/jwt/redistokens"
)

// An issuer whose refresh tokens live in Redis, and a strategy that checks
// access tokens against the same store; every instance of the app builds
// the same two on the same Redis. This example needs a Redis server, so it
// is compiled but not run.
func Example() {
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{
		Addr:                  "localhost:6379",
		ContextTimeoutEnabled: true, // so that Config.Timeout bounds each call
	})
	defer rdb.Close()
	store, err := redistokens.New(rdb, redistokens.Config{})
	if err != nil {
		log.Fatal(err)
	}
	key, err := jwt.GenerateEd25519Key()
	if err != nil {
		log.Fatal(err)
	}
	iss, err := jwt.NewIssuer(jwt.IssuerConfig{
		Issuer: "https://api.example.com",
		Key:    jwt.Key{ID: "ed-1", Key: key},
		Store:  store,
	})
	if err != nil {
		log.Fatal(err)
	}
	_, err = jwt.New(jwt.Config[string, *jwt.Claims]{
		Algorithms:  []string{iss.Algorithm()},
		Keys:        iss.VerificationKeys(),
		Issuer:      "https://api.example.com",
		Revocations: store, // logouts and reuse on any instance refuse access tokens
		Verify:      func(_ context.Context, c *jwt.Claims) (string, error) { return c.Subject, nil },
	})
	if err != nil {
		log.Fatal(err)
	}

	pair, err := iss.Issue(ctx, "user-42")
	if err != nil {
		log.Fatal(err) // wraps strategy.ErrUnavailable when Redis is down
	}
	if err := iss.Revoke(ctx, pair.RefreshToken); err != nil { // logout
		log.Fatal(err)
	}
	_, err = iss.Refresh(ctx, pair.RefreshToken)
	fmt.Println(errors.Is(err, jwt.ErrRefreshRevoked))
}
