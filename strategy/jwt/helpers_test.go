package jwt_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	jwtlib "github.com/golang-jwt/jwt/v5"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/jwt"
)

// testNow is the fixed clock of the tests.
var testNow = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

const (
	testIssuer   = "https://issuer.test"
	testAudience = "api"
)

// keys holds keys generated once per test binary run.
type testKeys struct {
	secret []byte
	rsa    *rsa.PrivateKey
	ec     *ecdsa.PrivateKey
	ed     ed25519.PrivateKey
}

func newTestKeys(t testing.TB) testKeys {
	t.Helper()
	secret, err := jwt.GenerateHMACSecret()
	if err != nil {
		t.Fatal(err)
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := jwt.GenerateECDSAKey()
	if err != nil {
		t.Fatal(err)
	}
	dk, err := jwt.GenerateEd25519Key()
	if err != nil {
		t.Fatal(err)
	}
	return testKeys{secret: secret, rsa: rk, ec: ek, ed: dk}
}

// goodClaims are valid claims at testNow.
func goodClaims() *jwt.Claims {
	return &jwt.Claims{RegisteredClaims: jwtlib.RegisteredClaims{
		Issuer:    testIssuer,
		Subject:   "user-1",
		Audience:  jwtlib.ClaimStrings{testAudience},
		IssuedAt:  jwtlib.NewNumericDate(testNow.Add(-time.Minute)),
		ExpiresAt: jwtlib.NewNumericDate(testNow.Add(10 * time.Minute)),
	}}
}

// sign signs claims with method and key, setting the given header fields
// (typ defaults to "at+jwt").
func sign(t testing.TB, method jwtlib.SigningMethod, key any, header map[string]any, claims jwtlib.Claims) string {
	t.Helper()
	tok := jwtlib.NewWithClaims(method, claims)
	tok.Header["typ"] = "at+jwt"
	for k, v := range header {
		if v == nil {
			delete(tok.Header, k)
			continue
		}
		tok.Header[k] = v
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rawToken assembles a token from a raw header, a raw payload and a raw
// signature, each base64url encoded here.
func rawToken(header, payload, sig string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(header)) + "." + enc([]byte(payload)) + "." + enc([]byte(sig))
}

// payloadJSON is the JSON of goodClaims.
func payloadJSON(t testing.TB) string {
	t.Helper()
	b, err := json.Marshal(goodClaims())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// counter counts Verify calls.
type counter struct{ n atomic.Int64 }

func (c *counter) verify(_ context.Context, cl *jwt.Claims) (string, error) {
	c.n.Add(1)
	return cl.Subject, nil
}

// baseConfig is a strategy config that accepts goodClaims signed with
// keys.secret under HS256.
func baseConfig(k testKeys, c *counter) jwt.Config[string, *jwt.Claims] {
	return jwt.Config[string, *jwt.Claims]{
		Algorithms: []string{"HS256"},
		Keys:       []jwt.Key{{Key: k.secret}},
		Issuer:     testIssuer,
		Audience:   []string{testAudience},
		Now:        func() time.Time { return testNow },
		Verify:     c.verify,
	}
}

func mustNew(t testing.TB, cfg jwt.Config[string, *jwt.Claims]) *jwt.Strategy[string, *jwt.Claims] {
	t.Helper()
	s, err := jwt.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// bearerRequest is a GET with an Authorization: Bearer header.
func bearerRequest(tok string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/api/me", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	return r
}

// wantInvalid checks a 401 invalid_token fail with desc.
func wantInvalid(t *testing.T, res strategy.Result[string], err error, desc string) {
	t.Helper()
	if err != nil {
		t.Fatalf("got error %v; want a fail", err)
	}
	if res.Kind != strategy.KindFail {
		t.Fatalf("got kind %q; want %q", res.Kind, strategy.KindFail)
	}
	if got := res.FailStatus(); got != http.StatusUnauthorized {
		t.Errorf("got status %d; want %d", got, http.StatusUnauthorized)
	}
	want := `Bearer realm="api", error="invalid_token", error_description="` + desc + `"`
	if res.Challenge != want {
		t.Errorf("got challenge %q; want %q", res.Challenge, want)
	}
}

// b64 is base64url without padding.
func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
