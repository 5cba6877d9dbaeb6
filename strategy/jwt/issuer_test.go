package jwt_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	jwtlib "github.com/golang-jwt/jwt/v5"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/jwt"
)

// clock is a settable clock, safe for concurrent use.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// issuerAndStrategy builds an issuer on key and a strategy that verifies
// its tokens, sharing a clock and a memory store.
func issuerAndStrategy(t *testing.T, key jwt.Key) (*jwt.Issuer, *jwt.Strategy[string, *jwt.Claims], *clock, *counter) {
	t.Helper()
	clk := &clock{now: testNow}
	store := jwt.NewMemoryStore(jwt.MemoryStoreConfig{})
	iss, err := jwt.NewIssuer(jwt.IssuerConfig{
		Issuer:   testIssuer,
		Audience: []string{testAudience},
		Key:      key,
		Store:    store,
		Now:      clk.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	c := &counter{}
	s := mustNew(t, jwt.Config[string, *jwt.Claims]{
		Algorithms:  []string{iss.Algorithm()},
		Keys:        iss.VerificationKeys(),
		Issuer:      testIssuer,
		Audience:    []string{testAudience},
		TokenTypes:  []string{jwt.AccessTokenType},
		Revocations: store,
		Now:         clk.Now,
		Verify:      c.verify,
	})
	return iss, s, clk, c
}

func authenticate(t *testing.T, s *jwt.Strategy[string, *jwt.Claims], tok string) strategy.Result[string] {
	t.Helper()
	res, err := s.Authenticate(bearerRequest(tok))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestIssuerRoundTrip(t *testing.T) {
	k := newTestKeys(t)
	tests := []struct {
		name string
		key  jwt.Key
		alg  string
	}{
		{name: "ok, HS256", key: jwt.Key{Key: k.secret}, alg: "HS256"},
		{name: "ok, ES256", key: jwt.Key{ID: "ec", Key: k.ec}, alg: "ES256"},
		{name: "ok, EdDSA", key: jwt.Key{ID: "ed", Key: k.ed}, alg: "EdDSA"},
		{name: "ok, PS256", key: jwt.Key{ID: "rsa", Algorithm: "PS256", Key: k.rsa}, alg: "PS256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			iss, s, clk, _ := issuerAndStrategy(t, tt.key)
			if iss.Algorithm() != tt.alg {
				t.Errorf("got algorithm %q; want %q", iss.Algorithm(), tt.alg)
			}
			pair, err := iss.Issue(context.Background(), "user-1", "read", "write")
			if err != nil {
				t.Fatal(err)
			}
			if pair.TokenType != "Bearer" || pair.ExpiresIn != 900 || pair.Scope != "read write" {
				t.Errorf("got %q %d %q; want Bearer 900 \"read write\"", pair.TokenType, pair.ExpiresIn, pair.Scope)
			}
			res := authenticate(t, s, pair.AccessToken)
			if res.Kind != strategy.KindSuccess || res.User != "user-1" {
				t.Fatalf("got %q %q %q; want success for user-1", res.Kind, res.User, res.Challenge)
			}
			if strings.Join(res.Info.Scope, " ") != "read write" {
				t.Errorf("got scope %q; want %q", res.Info.Scope, "read write")
			}

			// The header and claims the issuer writes.
			tok, _, err := jwtlib.NewParser().ParseUnverified(pair.AccessToken, &jwt.Claims{})
			if err != nil {
				t.Fatal(err)
			}
			if tok.Header["typ"] != "at+jwt" || tok.Header["alg"] != tt.alg {
				t.Errorf("got header %v", tok.Header)
			}
			if kid, _ := tok.Header["kid"].(string); kid != tt.key.ID {
				t.Errorf("got kid %q; want %q", kid, tt.key.ID)
			}
			c, ok := tok.Claims.(*jwt.Claims)
			if !ok {
				t.Fatal("claims type")
			}
			if c.ID == "" || c.Issuer != testIssuer || c.Subject != "user-1" || !c.IssuedAt.Equal(testNow) || !c.ExpiresAt.Equal(testNow.Add(15*time.Minute)) {
				t.Errorf("got claims %+v", c)
			}

			// Expired after AccessTTL.
			clk.Advance(16 * time.Minute)
			res = authenticate(t, s, pair.AccessToken)
			if res.Kind != strategy.KindFail || !strings.Contains(res.Challenge, "token expired") {
				t.Errorf("after expiry: got %q %q; want token expired", res.Kind, res.Challenge)
			}
			// The refresh token gives a new, valid access token.
			pair2, err := iss.Refresh(context.Background(), pair.RefreshToken)
			if err != nil {
				t.Fatal(err)
			}
			if res := authenticate(t, s, pair2.AccessToken); res.Kind != strategy.KindSuccess {
				t.Errorf("after refresh: got %q %q; want success", res.Kind, res.Challenge)
			}
		})
	}
}

func TestIssuerJTIUnique(t *testing.T) {
	k := newTestKeys(t)
	iss, _, _, _ := issuerAndStrategy(t, jwt.Key{Key: k.secret})
	seen := map[string]bool{}
	for range 50 {
		tok, _, err := iss.AccessToken("u")
		if err != nil {
			t.Fatal(err)
		}
		c := &jwt.Claims{}
		if _, _, err := jwtlib.NewParser().ParseUnverified(tok, c); err != nil {
			t.Fatal(err)
		}
		if seen[c.ID] {
			t.Fatalf("jti %q issued twice", c.ID)
		}
		seen[c.ID] = true
	}
}

func TestRevokeUserRefusesAccessTokens(t *testing.T) {
	k := newTestKeys(t)
	ctx := context.Background()
	iss, s, clk, c := issuerAndStrategy(t, jwt.Key{ID: "ed", Key: k.ed})
	alice, err := iss.Issue(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	bob, err := iss.Issue(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(2 * time.Second)
	if err := iss.RevokeUser(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	res := authenticate(t, s, alice.AccessToken)
	wantInvalid(t, res, nil, "token revoked")
	if c.n.Load() != 0 {
		t.Error("Verify was called for a revoked token")
	}
	if res := authenticate(t, s, bob.AccessToken); res.Kind != strategy.KindSuccess {
		t.Errorf("bob: got %q %q; want success", res.Kind, res.Challenge)
	}
	if _, err := iss.Refresh(ctx, alice.RefreshToken); !errors.Is(err, jwt.ErrRefreshRevoked) {
		t.Errorf("alice's refresh: got %v; want %v", err, jwt.ErrRefreshRevoked)
	}
	// In the same second, a new login is refused too; a second later it
	// works.
	same, err := iss.Issue(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	wantInvalid(t, authenticate(t, s, same.AccessToken), nil, "token revoked")
	clk.Advance(time.Second)
	later, err := iss.Issue(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if res := authenticate(t, s, later.AccessToken); res.Kind != strategy.KindSuccess {
		t.Errorf("new login: got %q %q; want success", res.Kind, res.Challenge)
	}
}

// failingChecker is a revocation store that is down.
type failingChecker struct{}

func (failingChecker) NotBefore(context.Context, string) (time.Time, error) {
	return time.Time{}, errors.New("database down")
}

func TestRevocationFaultIsAnError(t *testing.T) {
	k := newTestKeys(t)
	cfg := baseConfig(k, &counter{})
	cfg.Revocations = failingChecker{}
	s := mustNew(t, cfg)
	if _, err := s.Authenticate(bearerRequest(sign(t, jwtlib.SigningMethodHS256, k.secret, nil, goodClaims()))); err == nil {
		t.Fatal("got no error; want a fault")
	}
}

func TestIssuerWithoutStore(t *testing.T) {
	k := newTestKeys(t)
	iss, err := jwt.NewIssuer(jwt.IssuerConfig{Issuer: testIssuer, Key: jwt.Key{Key: k.secret}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := iss.Issue(ctx, "u"); !errors.Is(err, jwt.ErrNoStore) {
		t.Errorf("Issue: got %v; want %v", err, jwt.ErrNoStore)
	}
	if _, err := iss.Refresh(ctx, "x"); !errors.Is(err, jwt.ErrNoStore) {
		t.Errorf("Refresh: got %v; want %v", err, jwt.ErrNoStore)
	}
	if err := iss.Revoke(ctx, "x"); !errors.Is(err, jwt.ErrNoStore) {
		t.Errorf("Revoke: got %v; want %v", err, jwt.ErrNoStore)
	}
	if err := iss.RevokeUser(ctx, "u"); !errors.Is(err, jwt.ErrNoStore) {
		t.Errorf("RevokeUser: got %v; want %v", err, jwt.ErrNoStore)
	}
	if tok, _, err := iss.AccessToken("u"); err != nil || tok == "" {
		t.Errorf("AccessToken: got %q, %v", tok, err)
	}
	if _, _, err := iss.AccessToken(""); err == nil {
		t.Error("AccessToken with an empty subject: got no error")
	}
	if _, _, err := iss.AccessToken("u", "a b"); err == nil {
		t.Error("AccessToken with a scope holding a space: got no error")
	}
}

func TestNewIssuerErrors(t *testing.T) {
	k := newTestKeys(t)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  jwt.IssuerConfig
		want string
	}{
		{name: "nok, no issuer", cfg: jwt.IssuerConfig{Key: jwt.Key{Key: k.secret}}, want: "Issuer is required"},
		{name: "nok, no key", cfg: jwt.IssuerConfig{Issuer: testIssuer}, want: "cannot sign"},
		{name: "nok, public key", cfg: jwt.IssuerConfig{Issuer: testIssuer, Key: jwt.Key{Key: &k.ec.PublicKey}}, want: "cannot sign"},
		{name: "nok, short secret", cfg: jwt.IssuerConfig{Issuer: testIssuer, Key: jwt.Key{Key: []byte("short")}}, want: "at least 32"},
		{name: "nok, HS512 with 32 bytes", cfg: jwt.IssuerConfig{Issuer: testIssuer, Key: jwt.Key{Algorithm: "HS512", Key: k.secret}}, want: "cannot sign with HS512"},
		{name: "nok, ES256 on P-384", cfg: jwt.IssuerConfig{Issuer: testIssuer, Key: jwt.Key{Algorithm: "ES256", Key: p384}}, want: "cannot sign with ES256"},
		{name: "nok, EdDSA with an ECDSA key", cfg: jwt.IssuerConfig{Issuer: testIssuer, Key: jwt.Key{Algorithm: "EdDSA", Key: k.ec}}, want: "cannot sign with EdDSA"},
		{name: "nok, none", cfg: jwt.IssuerConfig{Issuer: testIssuer, Key: jwt.Key{Algorithm: "none", Key: k.secret}}, want: "unsupported algorithm"},
		{name: "nok, small RSA key", cfg: jwt.IssuerConfig{Issuer: testIssuer, Key: jwt.Key{Key: small}}, want: "cannot sign with RS256"},
		{name: "nok, duplicate previous key", cfg: jwt.IssuerConfig{Issuer: testIssuer, Key: jwt.Key{ID: "a", Key: k.ed}, PreviousKeys: []jwt.Key{{ID: "a", Key: k.ec}}}, want: "duplicate key ID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := jwt.NewIssuer(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v; want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestIssuerJWKS(t *testing.T) {
	k := newTestKeys(t)
	old, err := jwt.GenerateECDSAKey()
	if err != nil {
		t.Fatal(err)
	}
	iss, err := jwt.NewIssuer(jwt.IssuerConfig{
		Issuer:       testIssuer,
		Audience:     []string{testAudience},
		Key:          jwt.Key{ID: "ed-2026", Key: k.ed},
		PreviousKeys: []jwt.Key{{ID: "ec-2025", Algorithm: "ES256", Key: old}},
		Now:          func() time.Time { return testNow },
	})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := iss.MarshalJWKS()
	if err != nil {
		t.Fatal(err)
	}
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(doc, &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 2 {
		t.Fatalf("got %d keys; want 2", len(set.Keys))
	}
	wantKeys := []map[string]string{
		{"kty": "OKP", "crv": "Ed25519", "kid": "ed-2026", "alg": "EdDSA", "use": "sig"},
		{"kty": "EC", "crv": "P-256", "kid": "ec-2025", "alg": "ES256", "use": "sig"},
	}
	for i, want := range wantKeys {
		for f, v := range want {
			if got, _ := set.Keys[i][f].(string); got != v {
				t.Errorf("key %d: got %s %q; want %q", i, f, got, v)
			}
		}
		if _, private := set.Keys[i]["d"]; private {
			t.Errorf("key %d holds private material", i)
		}
	}

	h, err := iss.JWKSHandler()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("got Content-Type %q; want application/json", ct)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: got %d; want %d", rec.Code, http.StatusMethodNotAllowed)
	}

	// Another service verifies the issuer's tokens through the published
	// set, including one signed with the previous key.
	j, err := jwt.NewRemoteKeySet(context.Background(), jwt.RemoteKeySetConfig{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	s := jwksStrategy(t, j, &counter{})
	tok, _, err := iss.AccessToken("user-1")
	if err != nil {
		t.Fatal(err)
	}
	if res := authenticate(t, s, tok); res.Kind != strategy.KindSuccess {
		t.Errorf("current key: got %q %q; want success", res.Kind, res.Challenge)
	}
	oldTok := sign(t, jwtlib.SigningMethodES256, old, map[string]any{"kid": "ec-2025"}, goodClaims())
	if res := authenticate(t, s, oldTok); res.Kind != strategy.KindSuccess {
		t.Errorf("previous key: got %q %q; want success", res.Kind, res.Challenge)
	}

	// HMAC secrets are never published.
	hs, err := jwt.NewIssuer(jwt.IssuerConfig{Issuer: testIssuer, Key: jwt.Key{Key: k.secret}})
	if err != nil {
		t.Fatal(err)
	}
	doc, err = hs.MarshalJWKS()
	if err != nil {
		t.Fatal(err)
	}
	if string(doc) != `{"keys":[]}` {
		t.Errorf("got %s; want an empty set", doc)
	}
	if _, err := jwt.MarshalJWKS(jwt.Key{Key: k.secret}); err == nil {
		t.Error("MarshalJWKS of a secret: got no error")
	}
	if _, err := jwt.JWKSHandler(jwt.Key{ID: "ed", Key: k.ed.Public()}); err != nil {
		t.Error(err)
	}
}

func TestPEM(t *testing.T) {
	k := newTestKeys(t)
	signers := []struct {
		name string
		key  crypto.Signer
	}{
		{name: "ok, RSA", key: k.rsa},
		{name: "ok, ECDSA", key: k.ec},
		{name: "ok, Ed25519", key: k.ed},
	}
	for _, tt := range signers {
		t.Run(tt.name, func(t *testing.T) {
			privPEM, err := jwt.MarshalPrivateKeyPEM(tt.key)
			if err != nil {
				t.Fatal(err)
			}
			priv, err := jwt.ParsePrivateKeyPEM(privPEM)
			if err != nil {
				t.Fatal(err)
			}
			pubPEM, err := jwt.MarshalPublicKeyPEM(tt.key.Public())
			if err != nil {
				t.Fatal(err)
			}
			pub, err := jwt.ParsePublicKeyPEM(pubPEM)
			if err != nil {
				t.Fatal(err)
			}
			eq, ok := pub.(interface{ Equal(crypto.PublicKey) bool })
			if !ok || !eq.Equal(priv.Public()) || !eq.Equal(tt.key.Public()) {
				t.Error("the parsed keys differ from the original")
			}
		})
	}
	t.Run("ok, PKCS #1 and SEC 1 blocks", func(t *testing.T) {
		rsaPriv := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k.rsa)})
		if _, err := jwt.ParsePrivateKeyPEM(rsaPriv); err != nil {
			t.Error(err)
		}
		rsaPub := pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k.rsa.PublicKey)})
		if _, err := jwt.ParsePublicKeyPEM(rsaPub); err != nil {
			t.Error(err)
		}
		der, err := x509.MarshalECPrivateKey(k.ec)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := jwt.ParsePrivateKeyPEM(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})); err != nil {
			t.Error(err)
		}
	})
	t.Run("nok, garbage", func(t *testing.T) {
		for _, in := range [][]byte{nil, []byte("not pem"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte("junk")}),
			pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: []byte("junk")})} {
			if _, err := jwt.ParsePublicKeyPEM(in); err == nil {
				t.Errorf("ParsePublicKeyPEM(%q): got no error", in)
			}
			if _, err := jwt.ParsePrivateKeyPEM(in); err == nil {
				t.Errorf("ParsePrivateKeyPEM(%q): got no error", in)
			}
		}
	})
	t.Run("ok, parsed keys verify tokens", func(t *testing.T) {
		pubPEM, err := jwt.MarshalPublicKeyPEM(k.ec.Public())
		if err != nil {
			t.Fatal(err)
		}
		pub, err := jwt.ParsePublicKeyPEM(pubPEM)
		if err != nil {
			t.Fatal(err)
		}
		cfg := baseConfig(k, &counter{})
		cfg.Algorithms, cfg.Keys = []string{"ES256"}, []jwt.Key{{Key: pub}}
		s := mustNew(t, cfg)
		if res := authenticate(t, s, sign(t, jwtlib.SigningMethodES256, k.ec, nil, goodClaims())); res.Kind != strategy.KindSuccess {
			t.Errorf("got %q %q; want success", res.Kind, res.Challenge)
		}
	})
}

// TestRevokeForOnlyRevokesTheOwnersToken checks that RevokeFor leaves a
// refresh token of another subject usable and answers it as an unknown
// one, and revokes the owner's.
func TestRevokeForOnlyRevokesTheOwnersToken(t *testing.T) {
	k := newTestKeys(t)
	ctx := context.Background()
	iss, _, _, _ := issuerAndStrategy(t, jwt.Key{ID: "ed", Key: k.ed})
	alice, err := iss.Issue(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if err := iss.RevokeFor(ctx, alice.RefreshToken, "bob"); !errors.Is(err, jwt.ErrRefreshInvalid) {
		t.Fatalf("bob revoking alice's token: got %v; want %v", err, jwt.ErrRefreshInvalid)
	}
	if err := iss.RevokeFor(ctx, strings.Repeat("A", 43), "alice"); !errors.Is(err, jwt.ErrRefreshInvalid) {
		t.Fatalf("an unknown token: got %v; want %v", err, jwt.ErrRefreshInvalid)
	}
	if err := iss.RevokeFor(ctx, alice.RefreshToken, ""); err == nil {
		t.Fatal("an empty subject was accepted")
	}
	next, err := iss.Refresh(ctx, alice.RefreshToken)
	if err != nil {
		t.Fatalf("alice's token after bob's attempt: %v", err)
	}
	for range 2 { // the second time it is already revoked: still nil
		if err := iss.RevokeFor(ctx, next.RefreshToken, "alice"); err != nil {
			t.Fatalf("alice revoking her token: %v", err)
		}
	}
	if _, err := iss.Refresh(ctx, next.RefreshToken); !errors.Is(err, jwt.ErrRefreshRevoked) {
		t.Errorf("refresh after RevokeFor: got %v; want %v", err, jwt.ErrRefreshRevoked)
	}
}
