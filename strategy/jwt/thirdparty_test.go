package jwt_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jws"
	jwxjwt "github.com/lestrrat-go/jwx/v3/jwt"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/jwt"
)

// mintJWX signs a token with a second implementation, jwx: the claims
// are a jwx token, and the JWS is made by jws.Sign, which writes alg (and
// kid when the key has one) but no typ, as identity providers often do
// (jose's SignJWT writes none either unless asked). jwx's own jwt.Sign
// writes typ "JWT"; withTyp uses it.
func mintJWX(t *testing.T, alg jwa.SignatureAlgorithm, key any, exp time.Time, withTyp bool) string {
	t.Helper()
	tok := jwxjwt.New()
	for name, v := range map[string]any{
		"iss": testIssuer, "sub": "user-1", "aud": []string{testAudience},
		"iat": testNow.Add(-time.Minute), "exp": exp,
	} {
		if err := tok.Set(name, v); err != nil {
			t.Fatal(err)
		}
	}
	if withTyp {
		signed, err := jwxjwt.Sign(tok, jwxjwt.WithKey(alg, key))
		if err != nil {
			t.Fatal(err)
		}
		return string(signed)
	}
	payload, err := json.Marshal(tok)
	if err != nil {
		t.Fatal(err)
	}
	signed, err := jws.Sign(payload, jws.WithKey(alg, key))
	if err != nil {
		t.Fatal(err)
	}
	return string(signed)
}

// headerOf decodes a token's header.
func headerOf(t *testing.T, tok string) map[string]any {
	t.Helper()
	seg, _, _ := strings.Cut(tok, ".")
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

// TestThirdPartyTokensWithoutTyp: tokens minted by another library carry
// no typ. The default TokenTypes refuses them; listing "" accepts them,
// as docs/jwt.md tells for third-party tokens. The Ed25519 token is named
// "Ed25519" (RFC 9864) by jwx.
func TestThirdPartyTokensWithoutTyp(t *testing.T) {
	k := newTestKeys(t)
	tests := []struct {
		name  string
		algs  []string
		keys  []jwt.Key
		token string
	}{
		{name: "ES256", algs: []string{"ES256"}, keys: []jwt.Key{{Key: &k.ec.PublicKey}}, token: mintJWX(t, jwa.ES256(), k.ec, testNow.Add(10*time.Minute), false)},
		{name: "RS256", algs: []string{"RS256"}, keys: []jwt.Key{{Key: &k.rsa.PublicKey}}, token: mintJWX(t, jwa.RS256(), k.rsa, testNow.Add(10*time.Minute), false)},
		{name: "Ed25519", algs: []string{"Ed25519"}, keys: []jwt.Key{{Key: k.ed.Public()}}, token: mintJWX(t, jwa.EdDSAEd25519(), k.ed, testNow.Add(10*time.Minute), false)},
		{name: "EdDSA", algs: []string{"EdDSA"}, keys: []jwt.Key{{Key: k.ed.Public()}}, token: mintJWX(t, jwa.EdDSA(), k.ed, testNow.Add(10*time.Minute), false)},
	}
	for _, tt := range tests {
		h := headerOf(t, tt.token)
		if _, found := h["typ"]; found {
			t.Fatalf("%s: jwx wrote typ %v; the test needs a token without it", tt.name, h["typ"])
		}
		t.Run("nok, "+tt.name+" without typ, default TokenTypes", func(t *testing.T) {
			cfg := baseConfig(k, &counter{})
			cfg.Algorithms, cfg.Keys = tt.algs, tt.keys
			res, err := mustNew(t, cfg).Authenticate(bearerRequest(tt.token))
			wantInvalid(t, res, err, "wrong token type")
		})
		t.Run("ok, "+tt.name+" without typ, TokenTypes allows none", func(t *testing.T) {
			c := &counter{}
			cfg := baseConfig(k, c)
			cfg.Algorithms, cfg.Keys = tt.algs, tt.keys
			cfg.TokenTypes = []string{"at+jwt", "JWT", ""}
			res, err := mustNew(t, cfg).Authenticate(bearerRequest(tt.token))
			if err != nil || res.Kind != strategy.KindSuccess {
				t.Fatalf("got %q %q, %v; want success", res.Kind, res.Challenge, err)
			}
			if res.User != "user-1" || c.n.Load() != 1 {
				t.Errorf("got user %q after %d Verify calls; want user-1 after 1", res.User, c.n.Load())
			}
		})
	}
	t.Run("ok, jwx jwt.Sign writes typ JWT, which the default accepts", func(t *testing.T) {
		tok := mintJWX(t, jwa.ES256(), k.ec, testNow.Add(10*time.Minute), true)
		if typ := headerOf(t, tok)["typ"]; typ != "JWT" {
			t.Fatalf("got typ %v; want JWT", typ)
		}
		cfg := baseConfig(k, &counter{})
		cfg.Algorithms, cfg.Keys = []string{"ES256"}, []jwt.Key{{Key: &k.ec.PublicKey}}
		res, err := mustNew(t, cfg).Authenticate(bearerRequest(tok))
		if err != nil || res.Kind != strategy.KindSuccess {
			t.Fatalf("got %q %q, %v; want success", res.Kind, res.Challenge, err)
		}
	})
	t.Run("nok, jwx token past the lifetime cap", func(t *testing.T) {
		cfg := baseConfig(k, &counter{})
		cfg.Algorithms, cfg.Keys = []string{"ES256"}, []jwt.Key{{Key: &k.ec.PublicKey}}
		cfg.TokenTypes = []string{""}
		tok := mintJWX(t, jwa.ES256(), k.ec, testNow.Add(30*24*time.Hour), false)
		res, err := mustNew(t, cfg).Authenticate(bearerRequest(tok))
		wantInvalid(t, res, err, "token lifetime too long")
	})
}
