package passport_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	jwtlib "github.com/golang-jwt/jwt/v5"
	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/strategy/jwt"
)

const (
	benchIssuer   = "https://issuer.bench"
	benchAudience = "api"
)

// benchKey is a signing key and the key that verifies its tokens.
type benchKey struct {
	alg          string
	method       jwtlib.SigningMethod
	sign, verify any
}

func newBenchKey(b *testing.B, alg string) benchKey {
	b.Helper()
	switch alg {
	case "HS256":
		secret, err := jwt.GenerateHMACSecret()
		if err != nil {
			b.Fatal(err)
		}
		return benchKey{alg, jwtlib.SigningMethodHS256, secret, secret}
	case "ES256":
		k, err := jwt.GenerateECDSAKey()
		if err != nil {
			b.Fatal(err)
		}
		return benchKey{alg, jwtlib.SigningMethodES256, k, &k.PublicKey}
	case "EdDSA":
		k, err := jwt.GenerateEd25519Key()
		if err != nil {
			b.Fatal(err)
		}
		return benchKey{alg, jwtlib.SigningMethodEdDSA, k, k.Public()}
	}
	b.Fatalf("no key for %s", alg)
	return benchKey{}
}

// benchToken is an access token for benchUser, valid for an hour: as an
// Issuer signs it (typ at+jwt, sub, iss, aud, iat, exp, jti).
func benchToken(b *testing.B, k benchKey) string {
	b.Helper()
	now := time.Now()
	t := jwtlib.NewWithClaims(k.method, &jwtlib.RegisteredClaims{
		Issuer:    benchIssuer,
		Subject:   benchUser.ID,
		Audience:  jwtlib.ClaimStrings{benchAudience},
		IssuedAt:  jwtlib.NewNumericDate(now.Add(-time.Minute)),
		ExpiresAt: jwtlib.NewNumericDate(now.Add(time.Hour)),
		ID:        "Zm9vYmFyYmF6cXV4cXV1eA",
	})
	t.Header["typ"] = jwt.AccessTokenType
	s, err := t.SignedString(k.sign)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// newJWTBenchApp is the route under test: the jwt strategy, stateless,
// as Echo middleware, and a handler that reads auth.User(c).
func newJWTBenchApp(b *testing.B, k benchKey) *echo.Echo {
	b.Helper()
	auth, err := passport.New(passport.Config[*user]{
		Serialize:   func(u *user) (string, error) { return u.ID, nil },
		Deserialize: benchDeserialize,
	})
	if err != nil {
		b.Fatal(err)
	}
	s, err := jwt.New(jwt.Config[*user, *jwtlib.RegisteredClaims]{
		Algorithms: []string{k.alg},
		Keys:       []jwt.Key{{Key: k.verify}},
		Issuer:     benchIssuer,
		Audience:   []string{benchAudience},
		Verify: func(ctx context.Context, c *jwtlib.RegisteredClaims) (*user, error) {
			return benchDeserialize(ctx, c.Subject)
		},
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := auth.Use("jwt", s); err != nil {
		b.Fatal(err)
	}
	e := echo.New()
	e.GET("/me", func(c echo.Context) error {
		u, ok := auth.User(c)
		if !ok {
			return echo.ErrUnauthorized
		}
		return c.String(http.StatusOK, u.Name)
	}, auth.Authenticate("jwt", passport.Stateless()).Middleware())
	return e
}

// newHandwrittenJWTApp is the baseline: the same route with the check
// written by hand in a middleware, as an app without passport would.
func newHandwrittenJWTApp(k benchKey) *echo.Echo {
	parser := jwtlib.NewParser(
		jwtlib.WithValidMethods([]string{k.alg}),
		jwtlib.WithExpirationRequired(),
		jwtlib.WithAudience(benchAudience),
		jwtlib.WithIssuer(benchIssuer),
	)
	keyfunc := func(*jwtlib.Token) (any, error) { return k.verify, nil }
	requireJWT := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			tok, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
			if !ok {
				return echo.ErrUnauthorized
			}
			claims := &jwtlib.RegisteredClaims{}
			if _, err := parser.ParseWithClaims(tok, claims, keyfunc); err != nil {
				return echo.ErrUnauthorized
			}
			u, err := benchDeserialize(c.Request().Context(), claims.Subject)
			if err != nil {
				return echo.ErrUnauthorized
			}
			c.Set("user", u)
			return next(c)
		}
	}
	e := echo.New()
	e.GET("/me", func(c echo.Context) error {
		u, ok := c.Get("user").(*user)
		if !ok {
			return echo.ErrUnauthorized
		}
		return c.String(http.StatusOK, u.Name)
	}, requireJWT)
	return e
}

// runBearer sends GET /me with the token to e in a loop and checks the
// status.
func runBearer(b *testing.B, e *echo.Echo, token string, want int) {
	b.Helper()
	req := httptest.NewRequest(http.MethodGet, "/me", nil)
	req.Header.Set(echo.HeaderAuthorization, "Bearer "+token)
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		w.code = 0
		e.ServeHTTP(w, req)
		if w.code != want {
			b.Fatalf("got %d; want %d", w.code, want)
		}
	}
}

// BenchmarkJWTAuthenticated measures a GET with a valid bearer token
// through auth.Authenticate("jwt", passport.Stateless()).Middleware() and
// a handler reading auth.User(c), for each algorithm; route=handwritten is
// the same route with a hand-written golang-jwt check (allow-list, exp
// required, aud, iss) in a middleware, the baseline.
func BenchmarkJWTAuthenticated(b *testing.B) {
	for _, alg := range []string{"HS256", "ES256", "EdDSA"} {
		k := newBenchKey(b, alg)
		tok := benchToken(b, k)
		b.Run("alg="+alg+"/route=passport", func(b *testing.B) {
			runBearer(b, newJWTBenchApp(b, k), tok, http.StatusOK)
		})
		b.Run("alg="+alg+"/route=handwritten", func(b *testing.B) {
			runBearer(b, newHandwrittenJWTApp(k), tok, http.StatusOK)
		})
	}
}

// BenchmarkJWTGarbageToken sends a 1 MiB token (three segments of
// base64url, the shape a parser would start decoding) through the same
// routes: passport refuses it by its length, before any decoding.
func BenchmarkJWTGarbageToken(b *testing.B) {
	k := newBenchKey(b, "HS256")
	seg := strings.Repeat("A", (1<<20)/3)
	tok := seg + "." + seg + "." + seg
	b.Run("route=passport", func(b *testing.B) {
		runBearer(b, newJWTBenchApp(b, k), tok, http.StatusUnauthorized)
	})
	b.Run("route=handwritten", func(b *testing.B) {
		runBearer(b, newHandwrittenJWTApp(k), tok, http.StatusUnauthorized)
	})
}
