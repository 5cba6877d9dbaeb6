package jwt_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jwtlib "github.com/golang-jwt/jwt/v5"
	"go.uber.org/goleak"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/jwt"
)

// keyServer is an httptest JWK Set endpoint whose document can change and
// which counts its hits.
type keyServer struct {
	*httptest.Server
	mu   sync.Mutex
	doc  []byte
	code int
	hits atomic.Int64
}

func newKeyServer(t *testing.T, keys ...jwt.Key) *keyServer {
	t.Helper()
	ks := &keyServer{code: http.StatusOK}
	ks.set(t, keys...)
	ks.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ks.hits.Add(1)
		ks.mu.Lock()
		doc, code := ks.doc, ks.code
		ks.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = w.Write(doc)
	}))
	t.Cleanup(ks.Close)
	return ks
}

func (ks *keyServer) set(t *testing.T, keys ...jwt.Key) {
	t.Helper()
	doc, err := jwt.MarshalJWKS(keys...)
	if err != nil {
		t.Fatal(err)
	}
	ks.mu.Lock()
	ks.doc = doc
	ks.mu.Unlock()
}

// newJWKS builds a RemoteKeySet on ks that is closed at the end of the
// test. The client does not keep connections alive, so that no idle
// connection's goroutines outlive the test for a leak check to find.
func newJWKS(t *testing.T, ks *keyServer) *jwt.RemoteKeySet {
	t.Helper()
	j, err := jwt.NewRemoteKeySet(context.Background(), jwt.RemoteKeySetConfig{
		URL:          ks.URL,
		Client:       &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}},
		ErrorHandler: func(context.Context, error) {},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return j
}

func jwksStrategy(t *testing.T, j *jwt.RemoteKeySet, c *counter) *jwt.Strategy[string, *jwt.Claims] {
	t.Helper()
	return mustNew(t, jwt.Config[string, *jwt.Claims]{
		Algorithms: []string{"ES256", "EdDSA"},
		RemoteKeys: j,
		Issuer:     testIssuer,
		Audience:   []string{testAudience},
		Now:        func() time.Time { return testNow },
		Verify:     c.verify,
	})
}

func edKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	k, err := jwt.GenerateEd25519Key()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func ecKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := jwt.GenerateECDSAKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestJWKS(t *testing.T) {
	ed1, ec1, ed2 := edKey(t), ecKey(t), edKey(t)
	signEd := func(k ed25519.PrivateKey, kid string) string {
		h := map[string]any{}
		if kid != "" {
			h["kid"] = kid
		}
		return sign(t, jwtlib.SigningMethodEdDSA, k, h, goodClaims())
	}

	t.Run("ok, known kids", func(t *testing.T) {
		ks := newKeyServer(t, jwt.Key{ID: "ed1", Key: ed1}, jwt.Key{ID: "ec1", Algorithm: "ES256", Key: ec1})
		c := &counter{}
		s := jwksStrategy(t, newJWKS(t, ks), c)
		for _, tok := range []string{
			signEd(ed1, "ed1"),
			sign(t, jwtlib.SigningMethodES256, ec1, map[string]any{"kid": "ec1"}, goodClaims()),
			signEd(ed1, ""), // no kid: every key of the right family is tried
		} {
			res, err := s.Authenticate(bearerRequest(tok))
			if err != nil || res.Kind != strategy.KindSuccess {
				t.Fatalf("got %q %q %v; want success", res.Kind, res.Challenge, err)
			}
		}
		if got := ks.hits.Load(); got != 1 {
			t.Errorf("got %d fetches; want 1", got)
		}
	})

	t.Run("nok, key of the set used with another algorithm", func(t *testing.T) {
		ks := newKeyServer(t, jwt.Key{ID: "ec1", Algorithm: "ES256", Key: ec1})
		s := jwksStrategy(t, newJWKS(t, ks), &counter{})
		// An Ed25519 signature under the kid of an EC key.
		res, err := s.Authenticate(bearerRequest(signEd(ed1, "ec1")))
		wantInvalid(t, res, err, "unknown key")
	})

	t.Run("ok, new kid accepted after a refresh", func(t *testing.T) {
		ks := newKeyServer(t, jwt.Key{ID: "ed1", Key: ed1})
		c := &counter{}
		s := jwksStrategy(t, newJWKS(t, ks), c)
		ks.set(t, jwt.Key{ID: "ed1", Key: ed1}, jwt.Key{ID: "ed2", Key: ed2})
		res, err := s.Authenticate(bearerRequest(signEd(ed2, "ed2")))
		if err != nil || res.Kind != strategy.KindSuccess {
			t.Fatalf("got %q %q %v; want success", res.Kind, res.Challenge, err)
		}
		if got := ks.hits.Load(); got != 2 {
			t.Errorf("got %d fetches; want 2", got)
		}
	})

	t.Run("nok, a flood of unknown kids causes a bounded number of fetches", func(t *testing.T) {
		ks := newKeyServer(t, jwt.Key{ID: "ed1", Key: ed1})
		c := &counter{}
		s := jwksStrategy(t, newJWKS(t, ks), c)
		var wg sync.WaitGroup
		for i := range 200 {
			wg.Go(func() {
				res, err := s.Authenticate(bearerRequest(signEd(ed2, fmt.Sprintf("made-up-%d", i))))
				if err != nil || res.Kind != strategy.KindFail {
					t.Errorf("got %q %v; want a fail", res.Kind, err)
				}
			})
		}
		wg.Wait()
		// One initial fetch, at most one refresh per UnknownKIDInterval.
		if got := ks.hits.Load(); got > 2 {
			t.Errorf("got %d fetches for 200 unknown kids; want at most 2", got)
		}
		if c.n.Load() != 0 {
			t.Error("Verify was called")
		}
		// The known key still works.
		res, err := s.Authenticate(bearerRequest(signEd(ed1, "ed1")))
		if err != nil || res.Kind != strategy.KindSuccess {
			t.Fatalf("got %q %v; want success", res.Kind, err)
		}
	})

	t.Run("nok, jku, x5u and jwk headers are never followed", func(t *testing.T) {
		ks := newKeyServer(t, jwt.Key{ID: "ed1", Key: ed1})
		attacker := newKeyServer(t, jwt.Key{ID: "evil", Key: ed2})
		s := jwksStrategy(t, newJWKS(t, ks), &counter{})
		edPub, ok := ed2.Public().(ed25519.PublicKey)
		if !ok {
			t.Fatal("no public key")
		}
		for _, h := range []map[string]any{
			{"kid": "evil", "jku": attacker.URL},
			{"jku": attacker.URL},
			{"kid": "evil", "x5u": attacker.URL + "/cert.pem"},
			{"kid": "evil", "jwk": map[string]any{"kty": "OKP", "crv": "Ed25519", "x": fmt.Sprintf("%x", []byte(edPub))}},
		} {
			res, err := s.Authenticate(bearerRequest(sign(t, jwtlib.SigningMethodEdDSA, ed2, h, goodClaims())))
			wantInvalid(t, res, err, "unsupported header")
		}
		if got := attacker.hits.Load(); got != 0 {
			t.Errorf("got %d requests to the jku/x5u server; want 0", got)
		}
	})

	t.Run("nok, symmetric keys of a remote set are ignored", func(t *testing.T) {
		secret, err := jwt.GenerateHMACSecret()
		if err != nil {
			t.Fatal(err)
		}
		oct := fmt.Sprintf(`{"keys":[{"kty":"oct","kid":"hs","k":%q}]}`, strings.TrimRight(b64(secret), "="))
		ks := newKeyServer(t)
		ks.mu.Lock()
		ks.doc = []byte(oct)
		ks.mu.Unlock()
		j := newJWKS(t, ks)
		s := mustNew(t, jwt.Config[string, *jwt.Claims]{
			Algorithms: []string{"HS256", "EdDSA"},
			RemoteKeys: j,
			Now:        func() time.Time { return testNow },
			Verify:     (&counter{}).verify,
		})
		res, err := s.Authenticate(bearerRequest(sign(t, jwtlib.SigningMethodHS256, secret, map[string]any{"kid": "hs"}, goodClaims())))
		wantInvalid(t, res, err, "unknown key")
	})

	t.Run("fault, the set could never be fetched", func(t *testing.T) {
		ks := newKeyServer(t)
		ks.mu.Lock()
		ks.code = http.StatusInternalServerError
		ks.mu.Unlock()
		s := jwksStrategy(t, newJWKS(t, ks), &counter{})
		_, err := s.Authenticate(bearerRequest(signEd(ed1, "ed1")))
		if err == nil {
			t.Fatal("got no error; want a fault")
		}
	})

	t.Run("nok, configuration", func(t *testing.T) {
		for _, u := range []string{"", "http://example.com/jwks", "ftp://127.0.0.1/jwks", "/jwks"} {
			if _, err := jwt.NewRemoteKeySet(context.Background(), jwt.RemoteKeySetConfig{URL: u}); err == nil {
				t.Errorf("NewRemoteKeySet(%q): got no error", u)
			}
		}
		ks := newKeyServer(t, jwt.Key{ID: "ed1", Key: ed1})
		_, err := jwt.New(jwt.Config[string, *jwt.Claims]{
			Algorithms: []string{"HS256"},
			RemoteKeys: newJWKS(t, ks),
			Verify:     (&counter{}).verify,
		})
		if err == nil {
			t.Error("got no error for a JWK Set with HMAC algorithms only")
		}
	})
}

func TestJWKSCloseStopsGoroutine(t *testing.T) {
	ks := newKeyServer(t, jwt.Key{ID: "ed1", Key: edKey(t)})
	// Only the goroutines started from here on must be gone after Close:
	// the key server's, and other tests', are not this test's business.
	ignore := goleak.IgnoreCurrent()
	j, err := jwt.NewRemoteKeySet(context.Background(), jwt.RemoteKeySetConfig{
		URL:             ks.URL,
		Client:          &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}},
		RefreshInterval: time.Hour,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
	goleak.VerifyNone(t, ignore)
}

func TestJWKSContextCancel(t *testing.T) {
	ks := newKeyServer(t, jwt.Key{ID: "ed1", Key: edKey(t)})
	ctx, cancel := context.WithCancel(context.Background())
	j, err := jwt.NewRemoteKeySet(ctx, jwt.RemoteKeySetConfig{URL: ks.URL})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	// Closing after the context ended is harmless.
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	var nilCtx context.Context
	if _, err := jwt.NewRemoteKeySet(nilCtx, jwt.RemoteKeySetConfig{URL: ks.URL}); err == nil {
		t.Error("got no error for a nil context")
	}
}
