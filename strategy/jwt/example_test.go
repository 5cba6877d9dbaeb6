package jwt_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	jwtlib "github.com/golang-jwt/jwt/v5"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/jwt"
)

// Verifying HS256 tokens signed by another part of the system with a
// shared secret.
func Example() {
	secret, err := jwt.GenerateHMACSecret() // in production: from a secret store
	if err != nil {
		log.Fatal(err)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	bearer, err := jwt.New(jwt.Config[string, *jwt.Claims]{
		Algorithms: []string{"HS256"},
		Keys:       []jwt.Key{{Key: secret}},
		Issuer:     "https://auth.example.com",
		Audience:   []string{"api"},
		Now:        func() time.Time { return now }, // omit in production
		Verify: func(ctx context.Context, c *jwt.Claims) (string, error) {
			return c.Subject, nil // or load the user; strategy.ErrUserNotFound refuses the token
		},
	})
	if err != nil {
		log.Fatal(err)
	}

	token := func(exp time.Time) string {
		t := jwtlib.NewWithClaims(jwtlib.SigningMethodHS256, jwtlib.RegisteredClaims{
			Issuer:    "https://auth.example.com",
			Subject:   "user-42",
			Audience:  jwtlib.ClaimStrings{"api"},
			IssuedAt:  jwtlib.NewNumericDate(now.Add(-time.Minute)),
			ExpiresAt: jwtlib.NewNumericDate(exp),
		})
		s, err := t.SignedString(secret)
		if err != nil {
			log.Fatal(err)
		}
		return s
	}
	for _, tok := range []string{token(now.Add(time.Hour)), token(now.Add(-time.Hour)), ""} {
		r := httptest.NewRequest(http.MethodGet, "/api/me", nil)
		if tok != "" {
			r.Header.Set("Authorization", "Bearer "+tok)
		}
		res, err := bearer.Authenticate(r)
		if err != nil {
			log.Fatal(err) // a fault: answer 500
		}
		switch res.Kind {
		case strategy.KindSuccess:
			fmt.Println("success:", res.User)
		case strategy.KindFail:
			fmt.Println(res.FailStatus(), res.Challenge)
		}
	}
	// Output:
	// success: user-42
	// 401 Bearer realm="api", error="invalid_token", error_description="token expired"
	// 401 Bearer realm="api"
}

// Issuing access and refresh tokens, rotating the refresh token, and what
// happens when a rotated refresh token is presented again.
func ExampleIssuer_Refresh() {
	ctx := context.Background()
	key, err := jwt.GenerateEd25519Key()
	if err != nil {
		log.Fatal(err)
	}
	iss, err := jwt.NewIssuer(jwt.IssuerConfig{
		Issuer:   "https://api.example.com",
		Audience: []string{"api"},
		Key:      jwt.Key{ID: "2026-01", Key: key},
		Store:    jwt.NewMemoryStore(jwt.MemoryStoreConfig{}), // sqlstore.New for several instances
	})
	if err != nil {
		log.Fatal(err)
	}

	login, err := iss.Issue(ctx, "user-42", "read")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(login.TokenType, login.ExpiresIn, login.Scope)

	rotated, err := iss.Refresh(ctx, login.RefreshToken)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("rotated:", rotated.RefreshToken != login.RefreshToken)

	// The old refresh token again: a replay or a theft. The family is
	// revoked, so the rotated token stops working too.
	_, err = iss.Refresh(ctx, login.RefreshToken)
	fmt.Println(errors.Is(err, jwt.ErrRefreshReused))
	_, err = iss.Refresh(ctx, rotated.RefreshToken)
	fmt.Println(errors.Is(err, jwt.ErrRefreshRevoked))
	// Output:
	// Bearer 900 read
	// rotated: true
	// true
	// true
}

// Another service verifies the issuer's tokens through its published JWK
// Set.
func ExampleNewRemoteKeySet() {
	key, err := jwt.GenerateECDSAKey()
	if err != nil {
		log.Fatal(err)
	}
	iss, err := jwt.NewIssuer(jwt.IssuerConfig{
		Issuer: "https://api.example.com",
		Key:    jwt.Key{ID: "ec-1", Key: key},
	})
	if err != nil {
		log.Fatal(err)
	}
	handler, err := iss.JWKSHandler()
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(handler) // /.well-known/jwks.json in a real app
	defer srv.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // stops the refresh goroutine
	keys, err := jwt.NewRemoteKeySet(ctx, jwt.RemoteKeySetConfig{
		URL:    srv.URL,
		Client: &http.Client{Timeout: 5 * time.Second},
	})
	if err != nil {
		log.Fatal(err)
	}
	bearer, err := jwt.New(jwt.Config[string, *jwt.Claims]{
		Algorithms: []string{"ES256"},
		RemoteKeys: keys,
		Issuer:     "https://api.example.com",
		TokenTypes: []string{jwt.AccessTokenType},
		Verify:     func(_ context.Context, c *jwt.Claims) (string, error) { return c.Subject, nil },
	})
	if err != nil {
		log.Fatal(err)
	}

	tok, _, err := iss.AccessToken("user-42", "read")
	if err != nil {
		log.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	res, err := bearer.Authenticate(r)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.Kind, res.User, res.Info.Scope)
	// Output:
	// success user-42 [read]
}

// Reading the token from a cookie for browser pages and from the
// Authorization header for API clients.
func ExampleChain() {
	extract := jwt.Chain(jwt.Bearer(), jwt.Cookie("access_token"))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(&http.Cookie{Name: "access_token", Value: "aaa.bbb.ccc"})
	tok, err := extract(r)
	fmt.Println(tok, err)

	r = httptest.NewRequest(http.MethodGet, "/", nil)
	_, err = extract(r)
	fmt.Println(errors.Is(err, strategy.ErrMissingCredentials))
	// Output:
	// aaa.bbb.ccc <nil>
	// true
}

// Binding access tokens kept by a browser to a fingerprint cookie (the
// OWASP JWT cheat sheet's __Secure-Fgp): the token alone is refused.
func ExampleConfig_fingerprintCookie() {
	ctx := context.Background()
	secret, err := jwt.GenerateHMACSecret()
	if err != nil {
		log.Fatal(err)
	}
	store := jwt.NewMemoryStore(jwt.MemoryStoreConfig{})
	iss, err := jwt.NewIssuer(jwt.IssuerConfig{
		Issuer:      "https://app.example.com",
		Key:         jwt.Key{Key: secret},
		Store:       store,
		Fingerprint: true,
	})
	if err != nil {
		log.Fatal(err)
	}
	bearer, err := jwt.New(jwt.Config[string, *jwt.Claims]{
		Algorithms:        []string{iss.Algorithm()},
		Keys:              iss.VerificationKeys(),
		Issuer:            "https://app.example.com",
		Revocations:       store,
		FingerprintCookie: jwt.FingerprintCookieName,
		Verify:            func(_ context.Context, c *jwt.Claims) (string, error) { return c.Subject, nil },
	})
	if err != nil {
		log.Fatal(err)
	}
	pair, err := iss.Issue(ctx, "alice")
	if err != nil {
		log.Fatal(err)
	}
	ck := pair.FingerprintCookie() // set it with the token response
	fmt.Println(ck.Name, ck.HttpOnly, ck.Secure, ck.SameSite == http.SameSiteStrictMode)

	call := func(withCookie bool) {
		r := httptest.NewRequest(http.MethodGet, "/api/v1/me", nil)
		r.Header.Set("Authorization", "Bearer "+pair.AccessToken)
		if withCookie {
			r.AddCookie(&http.Cookie{Name: ck.Name, Value: ck.Value})
		}
		res, err := bearer.Authenticate(r)
		if err != nil {
			log.Fatal(err)
		}
		if res.Kind == strategy.KindSuccess {
			fmt.Println("success", res.User)
			return
		}
		fmt.Println(res.Kind, res.FailStatus(), res.Challenge)
	}
	call(true)
	call(false)

	// Logging out ends the access token at once.
	if err := iss.Revoke(ctx, pair.RefreshToken); err != nil {
		log.Fatal(err)
	}
	call(true)
	// Output:
	// __Secure-Fgp true true true
	// success alice
	// fail 401 Bearer realm="api", error="invalid_token", error_description="fingerprint mismatch"
	// fail 401 Bearer realm="api", error="invalid_token", error_description="token revoked"
}
