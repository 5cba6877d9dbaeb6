package jwt_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	jwtlib "github.com/golang-jwt/jwt/v5"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/jwt"
)

// benchStrategy returns a strategy for alg with key and a request carrying
// a token signed with signKey.
func benchStrategy(b *testing.B, alg string, method jwtlib.SigningMethod, verifyKey, signKey any) (*jwt.Strategy[string, *jwt.Claims], *http.Request) {
	b.Helper()
	s := mustNew(b, jwt.Config[string, *jwt.Claims]{
		Algorithms: []string{alg},
		Keys:       []jwt.Key{{Key: verifyKey}},
		Issuer:     testIssuer,
		Audience:   []string{testAudience},
		Now:        func() time.Time { return testNow },
		Verify:     func(_ context.Context, c *jwt.Claims) (string, error) { return c.Subject, nil },
	})
	return s, bearerRequest(sign(b, method, signKey, nil, goodClaims()))
}

func runAuthenticate(b *testing.B, s *jwt.Strategy[string, *jwt.Claims], r *http.Request, want strategy.Kind) {
	b.Helper()
	b.ReportAllocs()
	for b.Loop() {
		res, err := s.Authenticate(r)
		if err != nil || res.Kind != want {
			b.Fatalf("got %q %v; want %q", res.Kind, err, want)
		}
	}
}

func BenchmarkVerifyHS256(b *testing.B) {
	k := newTestKeys(b)
	s, r := benchStrategy(b, "HS256", jwtlib.SigningMethodHS256, k.secret, k.secret)
	runAuthenticate(b, s, r, strategy.KindSuccess)
}

func BenchmarkVerifyES256(b *testing.B) {
	k := newTestKeys(b)
	s, r := benchStrategy(b, "ES256", jwtlib.SigningMethodES256, &k.ec.PublicKey, k.ec)
	runAuthenticate(b, s, r, strategy.KindSuccess)
}

func BenchmarkVerifyEdDSA(b *testing.B) {
	k := newTestKeys(b)
	s, r := benchStrategy(b, "EdDSA", jwtlib.SigningMethodEdDSA, k.ed.Public(), k.ed)
	runAuthenticate(b, s, r, strategy.KindSuccess)
}

// BenchmarkGarbageToken1MiB shows that a 1 MiB token is refused by its
// size: no decoding, no parsing, a constant number of allocations.
func BenchmarkGarbageToken1MiB(b *testing.B) {
	k := newTestKeys(b)
	s, _ := benchStrategy(b, "HS256", jwtlib.SigningMethodHS256, k.secret, k.secret)
	runAuthenticate(b, s, bearerRequest(strings.Repeat(".", 1<<20)), strategy.KindFail)
}

// BenchmarkHandwrittenHS256 is the baseline: the same checks written by
// hand with golang-jwt (header read, parser built once, allow-list, exp
// required, iss, aud, iat, the user callback).
func BenchmarkHandwrittenHS256(b *testing.B) {
	k := newTestKeys(b)
	r := bearerRequest(sign(b, jwtlib.SigningMethodHS256, k.secret, nil, goodClaims()))
	parser := jwtlib.NewParser(
		jwtlib.WithValidMethods([]string{"HS256"}),
		jwtlib.WithExpirationRequired(),
		jwtlib.WithIssuedAt(),
		jwtlib.WithIssuer(testIssuer),
		jwtlib.WithAudience(testAudience),
		jwtlib.WithTimeFunc(func() time.Time { return testNow }),
	)
	keyfunc := func(t *jwtlib.Token) (any, error) {
		if t.Header["typ"] != "at+jwt" {
			return nil, errors.New("wrong type")
		}
		return k.secret, nil
	}
	verify := func(_ context.Context, c *jwt.Claims) (string, error) { return c.Subject, nil }
	b.ReportAllocs()
	for b.Loop() {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			b.Fatal("no token")
		}
		claims := &jwt.Claims{}
		if _, err := parser.ParseWithClaims(tok, claims, keyfunc); err != nil {
			b.Fatal(err)
		}
		user, err := verify(r.Context(), claims)
		if err != nil || user != "user-1" {
			b.Fatal(user, err)
		}
	}
}

// BenchmarkVerifyHS256Revocations is BenchmarkVerifyHS256 with
// Config.Revocations set to a MemoryStore that holds a live login: the
// per-user "not before" and the family of the token's sid are looked up.
func BenchmarkVerifyHS256Revocations(b *testing.B) {
	k := newTestKeys(b)
	ctx := context.Background()
	store := jwt.NewMemoryStore(jwt.MemoryStoreConfig{})
	iss, err := jwt.NewIssuer(jwt.IssuerConfig{
		Issuer: testIssuer, Audience: []string{testAudience}, Key: jwt.Key{Key: k.secret},
		Store: store, Now: func() time.Time { return testNow },
	})
	if err != nil {
		b.Fatal(err)
	}
	pair, err := iss.Issue(ctx, "user-1")
	if err != nil {
		b.Fatal(err)
	}
	if err := iss.RevokeUser(ctx, "someone-else"); err != nil {
		b.Fatal(err)
	}
	s := mustNew(b, jwt.Config[string, *jwt.Claims]{
		Algorithms:  []string{"HS256"},
		Keys:        iss.VerificationKeys(),
		Issuer:      testIssuer,
		Audience:    []string{testAudience},
		Revocations: store,
		Now:         func() time.Time { return testNow },
		Verify:      func(_ context.Context, c *jwt.Claims) (string, error) { return c.Subject, nil },
	})
	runAuthenticate(b, s, bearerRequest(pair.AccessToken), strategy.KindSuccess)
}
