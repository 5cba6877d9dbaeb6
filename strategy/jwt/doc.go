// Package jwt is the bearer-token strategy: it authenticates requests that
// carry a JSON Web Token (RFC 7519) as an OAuth 2.0 access token (RFC 6750,
// RFC 9068), and it issues such tokens with rotating refresh tokens.
//
// Verifying is built on github.com/golang-jwt/jwt/v5 with the checks that
// matter always on:
//
//   - an algorithm allow-list ([Config.Algorithms]) is required; "none" is
//     refused at [New], and every key is tied to its algorithm family, so a
//     public key is never used as an HMAC secret;
//   - keys come only from the configuration ([Config.Keys]) or from a JWK
//     Set at a configured URL ([NewRemoteKeySet], through keyfunc/v3, refreshed in
//     the background and at most once per interval for unknown kids); the
//     token's jku, x5u, jwk and x5c headers are never followed, and a kid
//     is only ever a map key;
//   - exp is required by default, iss, aud and typ are checked, a token is
//     refused by size before it is decoded;
//   - failures follow RFC 6750: 401 with `Bearer realm="api"` when there
//     is no token, 401 invalid_token, 400 invalid_request, 403
//     insufficient_scope, with short fixed descriptions.
//
// Issuing ([Issuer]) signs short-lived access tokens with an HMAC, ECDSA,
// Ed25519 or RSA key, rotates opaque refresh tokens stored only as hashes
// (a reused refresh token revokes its whole family), revokes a login or
// every token of a user, and publishes the public keys as a JWK Set.
// [MemoryStore] keeps that state in memory; package sqlstore keeps it in a
// SQL database.
//
// A program that issues and verifies its own tokens:
//
//	key, _ := jwt.GenerateEd25519Key()
//	store := jwt.NewMemoryStore(jwt.MemoryStoreConfig{})
//	iss, err := jwt.NewIssuer(jwt.IssuerConfig{
//		Issuer:   "https://api.example.com",
//		Audience: []string{"api"},
//		Key:      jwt.Key{ID: "2026-01", Key: key},
//		Store:    store,
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	bearer, err := jwt.New(jwt.Config[string, *jwt.Claims]{
//		Algorithms:  []string{iss.Algorithm()},
//		Keys:        iss.VerificationKeys(),
//		Issuer:      "https://api.example.com",
//		Audience:    []string{"api"},
//		TokenTypes:  []string{jwt.AccessTokenType},
//		Revocations: store,
//		Verify: func(ctx context.Context, c *jwt.Claims) (string, error) {
//			return c.Subject, nil
//		},
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	pair, _ := iss.Issue(ctx, "user-42", "read")
//	req := httptest.NewRequest("GET", "/api/me", nil)
//	req.Header.Set("Authorization", "Bearer "+pair.AccessToken)
//	res, _ := bearer.Authenticate(req) // res.Kind == strategy.KindSuccess, res.User == "user-42"
//
// The strategy, the issuer, the stores and [RemoteKeySet] are safe for concurrent
// use.
package jwt
