// Package apikey authenticates requests by an API key: a random secret that
// a client sends in a header (X-API-Key by default), in
// "Authorization: <Scheme> <key>" when a scheme is configured, or, only when
// the app opts in, in a query parameter (see [Config.QueryParam] for why
// that is risky).
//
// The app looks keys up with [Config.Verify]. Keys are made with
// [Generate] (a prefix and 256 random bits), shown to their owner once,
// and stored only as [Hash], a SHA-256 digest that Verify looks up with one
// indexed query; [Hash] explains why a fast hash is right for such keys
// and wrong for passwords.
//
// Missing, malformed and unknown keys are fail results that carry the
// challenge `ApiKey realm="api"` (configurable), never errors; see
// [Strategy] for the statuses.
//
//	s, err := apikey.New(apikey.Config[*User]{
//		Verify: func(ctx context.Context, key string) (*User, error) {
//			u, err := users.FindByKeyHash(ctx, apikey.Hash(key))
//			if errors.Is(err, store.ErrNotFound) {
//				return nil, strategy.ErrInvalidCredentials
//			}
//			return u, err // any other error is a fault: 500
//		},
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	if err := auth.Use("apikey", s); err != nil {
//		log.Fatal(err)
//	}
//	e.GET("/api/v1/orders", orders, auth.Authenticate("apikey", passport.Stateless()).Middleware())
//
// When a key is issued:
//
//	key, err := apikey.Generate("pk")
//	if err != nil {
//		return err
//	}
//	err = users.AddKey(ctx, userID, apikey.Hash(key)) // store the hash only
//	// show key to the user once
package apikey
