package jwt_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jwtlib "github.com/golang-jwt/jwt/v5"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/jwt"
)

// TestVectors runs tokens that must all be refused with a 401 without
// Verify being called, in the style of golang-jwt's test vectors.
func TestVectors(t *testing.T) {
	k := newTestKeys(t)
	var hits atomic.Int64
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		http.Error(w, "no", http.StatusTeapot)
	}))
	defer attacker.Close()

	pubDER, err := x509.MarshalPKIXPublicKey(&k.rsa.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	rsaPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})

	hs := func(header map[string]any, mod func(*jwt.Claims)) string {
		c := goodClaims()
		if mod != nil {
			mod(c)
		}
		return sign(t, jwtlib.SigningMethodHS256, k.secret, header, c)
	}
	good := hs(nil, nil)
	parts := strings.Split(good, ".")
	otherSecret, err := jwt.GenerateHMACSecret()
	if err != nil {
		t.Fatal(err)
	}

	// Strategies the vectors are sent to.
	type target int
	const (
		hsOnly     target = iota // HS256, the shared secret
		rsOnly                   // RS256, the RSA public key
		hsAndRS                  // HS256 and RS256, RSA key only
		withLeeway               // HS256 with one minute of leeway
	)

	tests := []struct {
		name   string
		target target
		token  string
		desc   string
	}{
		{name: "nok, alg none, empty signature", token: rawToken(`{"alg":"none","typ":"at+jwt"}`, payloadJSON(t), ""), desc: "malformed token"},
		{name: "nok, alg none with a signature", token: rawToken(`{"alg":"none","typ":"at+jwt"}`, payloadJSON(t), "sig"), desc: "unsupported algorithm"},
		{name: "nok, alg None", token: rawToken(`{"alg":"None","typ":"at+jwt"}`, payloadJSON(t), "sig"), desc: "unsupported algorithm"},
		{name: "nok, alg NONE", token: rawToken(`{"alg":"NONE","typ":"at+jwt"}`, payloadJSON(t), "sig"), desc: "unsupported algorithm"},
		{name: "nok, alg missing", token: rawToken(`{"typ":"at+jwt"}`, payloadJSON(t), "sig"), desc: "unsupported algorithm"},
		{name: "nok, HS256 signed with the RSA public key PEM, RS256 strategy", target: rsOnly,
			token: sign(t, jwtlib.SigningMethodHS256, rsaPEM, nil, goodClaims()), desc: "unsupported algorithm"},
		{name: "nok, HS256 signed with the RSA public key PEM, HS256+RS256 strategy", target: hsAndRS,
			token: sign(t, jwtlib.SigningMethodHS256, rsaPEM, nil, goodClaims()), desc: "unknown key"},
		{name: "nok, HS256 signed with the RSA public key DER, HS256+RS256 strategy", target: hsAndRS,
			token: sign(t, jwtlib.SigningMethodHS256, pubDER, nil, goodClaims()), desc: "unknown key"},
		{name: "nok, RS256 token to an HS256-only strategy",
			token: sign(t, jwtlib.SigningMethodRS256, k.rsa, nil, goodClaims()), desc: "unsupported algorithm"},
		{name: "nok, ES256 token to an HS256-only strategy",
			token: sign(t, jwtlib.SigningMethodES256, k.ec, nil, goodClaims()), desc: "unsupported algorithm"},
		{name: "nok, kid path traversal", token: hs(map[string]any{"kid": "../../etc/passwd"}, nil), desc: "unknown key"},
		{name: "nok, kid SQL injection", token: hs(map[string]any{"kid": "' OR 1=1 --"}, nil), desc: "unknown key"},
		{name: "nok, unknown kid", token: hs(map[string]any{"kid": "nope"}, nil), desc: "unknown key"},
		{name: "nok, kid not a string", token: hs(map[string]any{"kid": 42}, nil), desc: "unknown key"},
		{name: "nok, jku to a loopback server", token: hs(map[string]any{"jku": attacker.URL + "/jwks.json"}, nil), desc: "unsupported header"},
		{name: "nok, x5u to a loopback server", token: hs(map[string]any{"x5u": attacker.URL + "/cert.pem"}, nil), desc: "unsupported header"},
		{name: "nok, embedded jwk", token: hs(map[string]any{"jwk": map[string]any{"kty": "oct", "k": "AAAA"}}, nil), desc: "unsupported header"},
		{name: "nok, crit header", token: hs(map[string]any{"crit": []string{"b64"}, "b64": false}, nil), desc: "unsupported critical header"},
		{name: "nok, expired", token: hs(nil, func(c *jwt.Claims) { c.ExpiresAt = jwtlib.NewNumericDate(testNow.Add(-time.Second)) }), desc: "token expired"},
		{name: "nok, expired beyond the leeway", target: withLeeway, token: hs(nil, func(c *jwt.Claims) { c.ExpiresAt = jwtlib.NewNumericDate(testNow.Add(-2 * time.Minute)) }), desc: "token expired"},
		{name: "nok, not yet valid", token: hs(nil, func(c *jwt.Claims) { c.NotBefore = jwtlib.NewNumericDate(testNow.Add(30 * time.Second)) }), desc: "token not yet valid"},
		{name: "nok, not yet valid beyond the leeway", target: withLeeway, token: hs(nil, func(c *jwt.Claims) { c.NotBefore = jwtlib.NewNumericDate(testNow.Add(2 * time.Minute)) }), desc: "token not yet valid"},
		{name: "nok, issued in the future", token: hs(nil, func(c *jwt.Claims) { c.IssuedAt = jwtlib.NewNumericDate(testNow.Add(time.Hour)) }), desc: "token issued in the future"},
		{name: "nok, missing exp", token: hs(nil, func(c *jwt.Claims) { c.ExpiresAt = nil }), desc: "missing required claim"},
		{name: "nok, wrong aud", token: hs(nil, func(c *jwt.Claims) { c.Audience = jwtlib.ClaimStrings{"other"} }), desc: "wrong audience"},
		{name: "nok, missing aud", token: hs(nil, func(c *jwt.Claims) { c.Audience = nil }), desc: "missing required claim"},
		{name: "nok, wrong iss", token: hs(nil, func(c *jwt.Claims) { c.Issuer = "https://evil.test" }), desc: "wrong issuer"},
		{name: "nok, missing iss", token: hs(nil, func(c *jwt.Claims) { c.Issuer = "" }), desc: "missing required claim"},
		{name: "nok, refresh token type as access token", token: hs(map[string]any{"typ": "refresh+jwt"}, nil), desc: "wrong token type"},
		{name: "nok, id token type", token: hs(map[string]any{"typ": "id_token+jwt"}, nil), desc: "wrong token type"},
		{name: "nok, missing typ", token: hs(map[string]any{"typ": nil}, nil), desc: "wrong token type"},
		{name: "nok, typ not a string", token: hs(map[string]any{"typ": 7}, nil), desc: "wrong token type"},
		{name: "nok, wrong secret", token: sign(t, jwtlib.SigningMethodHS256, otherSecret, nil, goodClaims()), desc: "invalid signature"},
		{name: "nok, forged and expired", token: sign(t, jwtlib.SigningMethodHS256, otherSecret, nil, func() *jwt.Claims {
			c := goodClaims()
			c.ExpiresAt = jwtlib.NewNumericDate(testNow.Add(-time.Hour))
			return c
		}()), desc: "invalid signature"},
		{name: "nok, payload swapped", token: parts[0] + "." + strings.Split(hs(nil, func(c *jwt.Claims) { c.Subject = "admin" }), ".")[1] + "." + parts[2], desc: "invalid signature"},
		{name: "nok, four segments", token: good + ".AAAA", desc: "malformed token"},
		{name: "nok, two segments", token: parts[0] + "." + parts[1], desc: "malformed token"},
		{name: "nok, empty segment", token: parts[0] + ".." + parts[2], desc: "malformed token"},
		{name: "nok, padded base64", token: parts[0] + "." + parts[1] + "." + parts[2] + "=", desc: "malformed token"},
		{name: "nok, standard alphabet", token: parts[0] + "." + parts[1] + "." + strings.NewReplacer("-", "+", "_", "/").Replace(parts[2]) + "+/", desc: "malformed token"},
		{name: "nok, non-JSON header", token: rawToken(`alg=HS256`, payloadJSON(t), "sig"), desc: "malformed token"},
		{name: "nok, JSON array header", token: rawToken(`["HS256"]`, payloadJSON(t), "sig"), desc: "malformed token"},
		{name: "nok, non-JSON payload", token: rawToken(`{"alg":"HS256","typ":"at+jwt"}`, `sub=admin`, "sig"), desc: "malformed token"},
		{name: "nok, invalid UTF-8 in the header", token: rawToken("{\"alg\":\"HS256\",\"typ\":\"at+jwt\",\"kid\":\"\xff\xfe\"}", payloadJSON(t), "sig"), desc: "unknown key"},
		{name: "nok, invalid UTF-8 in the payload", token: rawToken(`{"alg":"HS256","typ":"at+jwt"}`, "{\"sub\":\"\xff\"}", "sig"), desc: "invalid signature"},
		{name: "nok, 1 MiB of dots", token: strings.Repeat(".", 1<<20), desc: "token too large"},
	}

	newFor := func(tg target) (*jwt.Strategy[string, *jwt.Claims], *counter) {
		c := &counter{}
		cfg := baseConfig(k, c)
		switch tg {
		case rsOnly:
			cfg.Algorithms = []string{"RS256"}
			cfg.Keys = []jwt.Key{{Key: &k.rsa.PublicKey}}
		case hsAndRS:
			cfg.Algorithms = []string{"HS256", "RS256"}
			cfg.Keys = []jwt.Key{{Key: &k.rsa.PublicKey}}
		case withLeeway:
			cfg.Leeway = time.Minute
		}
		return mustNew(t, cfg), c
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newFor(tt.target)
			res, err := s.Authenticate(bearerRequest(tt.token))
			wantInvalid(t, res, err, tt.desc)
			if n := c.n.Load(); n != 0 {
				t.Errorf("got %d Verify calls; want 0", n)
			}
			if strings.Contains(res.Challenge, tt.token[:min(len(tt.token), 20)]) && len(tt.token) > 8 {
				t.Errorf("challenge %q echoes the token", res.Challenge)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("got %d requests to the jku/x5u server; want 0", n)
	}

	t.Run("nok, invalid UTF-8 in the token string", func(t *testing.T) {
		c := &counter{}
		cfg := baseConfig(k, c)
		cfg.Extractor = jwt.Header("X-Token", "")
		s := mustNew(t, cfg)
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("X-Token", parts[0]+"\xff."+parts[1]+"."+parts[2])
		res, err := s.Authenticate(r)
		wantInvalid(t, res, err, "malformed token")
		if c.n.Load() != 0 {
			t.Error("Verify was called")
		}
	})
}

// TestGarbageRefusedBeforeParsing shows that an oversized token costs no
// decoding: the work done does not depend on its content.
func TestGarbageRefusedBeforeParsing(t *testing.T) {
	k := newTestKeys(t)
	s := mustNew(t, baseConfig(k, &counter{}))
	r := bearerRequest(strings.Repeat(".", 1<<20))
	allocs := testing.AllocsPerRun(20, func() {
		res, err := s.Authenticate(r)
		if err != nil || res.Kind != strategy.KindFail {
			t.Fatalf("got %v, %v; want a fail", res.Kind, err)
		}
	})
	if allocs > 3 {
		t.Errorf("got %v allocations for a 1 MiB token; want at most 3 (no decoding)", allocs)
	}
}

func TestAuthenticateOK(t *testing.T) {
	k := newTestKeys(t)
	edPub := k.ed.Public()
	tests := []struct {
		name   string
		algs   []string
		keys   []jwt.Key
		token  string
		leeway time.Duration
	}{
		{name: "ok, HS256", algs: []string{"HS256"}, keys: []jwt.Key{{Key: k.secret}},
			token: sign(t, jwtlib.SigningMethodHS256, k.secret, nil, goodClaims())},
		{name: "ok, ES256", algs: []string{"ES256"}, keys: []jwt.Key{{Key: &k.ec.PublicKey}},
			token: sign(t, jwtlib.SigningMethodES256, k.ec, nil, goodClaims())},
		{name: "ok, EdDSA", algs: []string{"EdDSA"}, keys: []jwt.Key{{Key: edPub}},
			token: sign(t, jwtlib.SigningMethodEdDSA, k.ed, nil, goodClaims())},
		{name: "ok, RS256", algs: []string{"RS256"}, keys: []jwt.Key{{Key: &k.rsa.PublicKey}},
			token: sign(t, jwtlib.SigningMethodRS256, k.rsa, nil, goodClaims())},
		{name: "ok, PS256 with a private key configured", algs: []string{"PS256"}, keys: []jwt.Key{{Key: k.rsa}},
			token: sign(t, jwtlib.SigningMethodPS256, k.rsa, nil, goodClaims())},
		{name: "ok, key chosen by kid", algs: []string{"HS256", "ES256", "EdDSA"},
			keys:  []jwt.Key{{ID: "hs", Key: k.secret}, {ID: "ec", Key: &k.ec.PublicKey}, {ID: "ed", Key: edPub}},
			token: sign(t, jwtlib.SigningMethodES256, k.ec, map[string]any{"kid": "ec"}, goodClaims())},
		{name: "ok, typ JWT", algs: []string{"HS256"}, keys: []jwt.Key{{Key: k.secret}},
			token: sign(t, jwtlib.SigningMethodHS256, k.secret, map[string]any{"typ": "JWT"}, goodClaims())},
		{name: "ok, typ application/AT+JWT", algs: []string{"HS256"}, keys: []jwt.Key{{Key: k.secret}},
			token: sign(t, jwtlib.SigningMethodHS256, k.secret, map[string]any{"typ": "application/AT+JWT"}, goodClaims())},
		{name: "ok, not yet valid within the leeway", algs: []string{"HS256"}, keys: []jwt.Key{{Key: k.secret}}, leeway: time.Minute,
			token: sign(t, jwtlib.SigningMethodHS256, k.secret, nil, func() *jwt.Claims {
				c := goodClaims()
				c.NotBefore = jwtlib.NewNumericDate(testNow.Add(30 * time.Second))
				return c
			}())},
		{name: "ok, expired within the leeway", algs: []string{"HS256"}, keys: []jwt.Key{{Key: k.secret}}, leeway: time.Minute,
			token: sign(t, jwtlib.SigningMethodHS256, k.secret, nil, func() *jwt.Claims {
				c := goodClaims()
				c.ExpiresAt = jwtlib.NewNumericDate(testNow.Add(-30 * time.Second))
				return c
			}())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &counter{}
			cfg := baseConfig(k, c)
			cfg.Algorithms, cfg.Keys, cfg.Leeway = tt.algs, tt.keys, tt.leeway
			s := mustNew(t, cfg)
			res, err := s.Authenticate(bearerRequest(tt.token))
			if err != nil {
				t.Fatal(err)
			}
			if res.Kind != strategy.KindSuccess {
				t.Fatalf("got kind %q (%q); want success", res.Kind, res.Challenge)
			}
			if res.User != "user-1" {
				t.Errorf("got user %q; want %q", res.User, "user-1")
			}
			if c.n.Load() != 1 {
				t.Errorf("got %d Verify calls; want 1", c.n.Load())
			}
		})
	}
}

func TestAuthenticateRequestErrors(t *testing.T) {
	k := newTestKeys(t)
	tok := sign(t, jwtlib.SigningMethodHS256, k.secret, nil, goodClaims())
	tests := []struct {
		name      string
		header    []string
		status    int
		challenge string
		reason    error
	}{
		{name: "nok, no Authorization header", status: 401, challenge: `Bearer realm="api"`, reason: strategy.ErrMissingCredentials},
		{name: "nok, Basic scheme", header: []string{"Basic dXNlcjpwYXNz"}, status: 401, challenge: `Bearer realm="api"`, reason: strategy.ErrMissingCredentials},
		{name: "nok, empty bearer", header: []string{"Bearer "}, status: 401, challenge: `Bearer realm="api"`, reason: strategy.ErrMissingCredentials},
		{name: "nok, two Authorization headers", header: []string{"Bearer " + tok, "Bearer " + tok}, status: 400,
			challenge: `Bearer realm="api", error="invalid_request", error_description="repeated authorization header"`, reason: strategy.ErrMalformedCredentials},
		{name: "nok, space inside the token", header: []string{"Bearer abc def"}, status: 400,
			challenge: `Bearer realm="api", error="invalid_request", error_description="malformed authorization header"`, reason: strategy.ErrMalformedCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &counter{}
			s := mustNew(t, baseConfig(k, c))
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			for _, h := range tt.header {
				r.Header.Add("Authorization", h)
			}
			res, err := s.Authenticate(r)
			if err != nil {
				t.Fatal(err)
			}
			if res.Kind != strategy.KindFail {
				t.Fatalf("got kind %q; want fail", res.Kind)
			}
			if got := res.FailStatus(); got != tt.status {
				t.Errorf("got status %d; want %d", got, tt.status)
			}
			if res.Challenge != tt.challenge {
				t.Errorf("got challenge %q; want %q", res.Challenge, tt.challenge)
			}
			if !errors.Is(res.Reason, tt.reason) {
				t.Errorf("got reason %v; want %v", res.Reason, tt.reason)
			}
			wantHeader := ""
			if tt.status == http.StatusBadRequest {
				wantHeader = tt.challenge
			}
			if got := res.Header.Get("WWW-Authenticate"); got != wantHeader {
				t.Errorf("got WWW-Authenticate header %q; want %q", got, wantHeader)
			}
			if c.n.Load() != 0 {
				t.Error("Verify was called")
			}
		})
	}
}

func TestVerifyOutcomes(t *testing.T) {
	k := newTestKeys(t)
	tok := sign(t, jwtlib.SigningMethodHS256, k.secret, nil, goodClaims())
	boom := errors.New("database down")
	const (
		msgSuspended = "Your account is suspended. Contact support to restore it."
		msgUpgrade   = "Exports need the Pro plan."
		rejected     = `Bearer realm="api", error="invalid_token", error_description="token rejected"`
		scope        = `Bearer realm="api", error="insufficient_scope", error_description="insufficient scope"`
	)
	tests := []struct {
		name      string
		verifyErr error
		status    int
		reason    error
		message   string
		challenge string
		fault     bool
	}{
		{name: "nok, user not found", verifyErr: strategy.ErrUserNotFound, status: 401, reason: strategy.ErrInvalidCredentials, message: "Invalid token.", challenge: rejected},
		{name: "nok, credentials refused", verifyErr: strategy.ErrInvalidCredentials, status: 401, reason: strategy.ErrInvalidCredentials, message: "Invalid token.", challenge: rejected},
		{name: "nok, scope refused by Verify", verifyErr: strategy.ErrInsufficientScope, status: 403, reason: strategy.ErrInsufficientScope, message: "Insufficient scope.", challenge: scope},
		{name: "nok, refused with the app's message", verifyErr: strategy.WithUserMessage(fmt.Errorf("app: suspended: %w", strategy.ErrInvalidCredentials), msgSuspended),
			status: 401, reason: strategy.ErrInvalidCredentials, message: msgSuspended, challenge: rejected},
		{name: "nok, unknown user with the app's message", verifyErr: fmt.Errorf("app: %w", strategy.WithUserMessage(strategy.ErrUserNotFound, msgSuspended)),
			status: 401, reason: strategy.ErrInvalidCredentials, message: msgSuspended, challenge: rejected},
		{name: "nok, scope refused with the app's message", verifyErr: strategy.WithUserMessage(strategy.ErrInsufficientScope, msgUpgrade),
			status: 403, reason: strategy.ErrInsufficientScope, message: msgUpgrade, challenge: scope},
		{name: "fault, other error", verifyErr: boom, fault: true},
		{name: "fault, other error with a message", verifyErr: strategy.WithUserMessage(boom, msgSuspended), fault: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig(k, &counter{})
			cfg.Verify = func(context.Context, *jwt.Claims) (string, error) { return "", tt.verifyErr }
			s := mustNew(t, cfg)
			res, err := s.Authenticate(bearerRequest(tok))
			if tt.fault {
				if !errors.Is(err, boom) {
					t.Fatalf("got error %v; want %v", err, boom)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := res.FailStatus(); res.Kind != strategy.KindFail || got != tt.status {
				t.Fatalf("got %q %d; want fail %d", res.Kind, got, tt.status)
			}
			if !errors.Is(res.Reason, tt.reason) {
				t.Errorf("got reason %v; want %v", res.Reason, tt.reason)
			}
			if res.Info.Message != tt.message {
				t.Errorf("got message %q; want %q", res.Info.Message, tt.message)
			}
			// The app's message never reaches the RFC 6750 challenge.
			if res.Challenge != tt.challenge {
				t.Errorf("got challenge %q; want %q", res.Challenge, tt.challenge)
			}
			if tt.status != http.StatusUnauthorized {
				if got := res.Header.Get("WWW-Authenticate"); got != tt.challenge {
					t.Errorf("got WWW-Authenticate %q; want %q", got, tt.challenge)
				}
			}
		})
	}
}

func TestScopes(t *testing.T) {
	k := newTestKeys(t)
	withScope := func(scope string, scp ...string) string {
		c := goodClaims()
		c.Scope, c.Scp = scope, scp
		return sign(t, jwtlib.SigningMethodHS256, k.secret, nil, c)
	}
	tests := []struct {
		name      string
		required  []string
		token     string
		status    int
		wantScope []string
	}{
		{name: "ok, scope claim", required: []string{"read"}, token: withScope("read write"), wantScope: []string{"read", "write"}},
		{name: "ok, scp array", required: []string{"read", "write"}, token: withScope("", "read", "write"), wantScope: []string{"read", "write"}},
		{name: "ok, scp string", required: []string{"write"}, token: withScope("", "read write"), wantScope: []string{"read", "write"}},
		{name: "ok, nothing required", token: withScope("read"), wantScope: []string{"read"}},
		{name: "nok, missing one scope", required: []string{"read", "admin"}, token: withScope("read write"), status: 403},
		{name: "nok, no scope at all", required: []string{"read"}, token: withScope(""), status: 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &counter{}
			cfg := baseConfig(k, c)
			cfg.RequiredScopes = tt.required
			s := mustNew(t, cfg)
			res, err := s.Authenticate(bearerRequest(tt.token))
			if err != nil {
				t.Fatal(err)
			}
			if tt.status == 0 {
				if res.Kind != strategy.KindSuccess {
					t.Fatalf("got %q %q; want success", res.Kind, res.Challenge)
				}
				if strings.Join(res.Info.Scope, " ") != strings.Join(tt.wantScope, " ") {
					t.Errorf("got scope %q; want %q", res.Info.Scope, tt.wantScope)
				}
				return
			}
			if res.Kind != strategy.KindFail || res.FailStatus() != tt.status {
				t.Fatalf("got %q %d; want fail %d", res.Kind, res.FailStatus(), tt.status)
			}
			want := `Bearer realm="api", error="insufficient_scope", error_description="insufficient scope", scope="` + strings.Join(tt.required, " ") + `"`
			if res.Challenge != want {
				t.Errorf("got challenge %q; want %q", res.Challenge, want)
			}
			if got := res.Header.Get("WWW-Authenticate"); got != want {
				t.Errorf("got header %q; want %q", got, want)
			}
			if !errors.Is(res.Reason, strategy.ErrInsufficientScope) {
				t.Errorf("got reason %v; want %v", res.Reason, strategy.ErrInsufficientScope)
			}
			if c.n.Load() != 0 {
				t.Error("Verify was called")
			}
		})
	}
}

func TestNewErrors(t *testing.T) {
	k := newTestKeys(t)
	pubDER, err := x509.MarshalPKIXPublicKey(&k.rsa.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	rsaPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	tests := []struct {
		name string
		mod  func(*jwt.Config[string, *jwt.Claims])
		want string
	}{
		{name: "nok, no algorithms", mod: func(c *jwt.Config[string, *jwt.Claims]) { c.Algorithms = nil }, want: "Algorithms is required"},
		{name: "nok, none", mod: func(c *jwt.Config[string, *jwt.Claims]) { c.Algorithms = []string{"HS256", "none"} }, want: `"none" is never allowed`},
		{name: "nok, NONE", mod: func(c *jwt.Config[string, *jwt.Claims]) { c.Algorithms = []string{"NONE"} }, want: `"none" is never allowed`},
		{name: "nok, empty algorithm", mod: func(c *jwt.Config[string, *jwt.Claims]) { c.Algorithms = []string{""} }, want: "unsupported algorithm"},
		{name: "nok, unknown algorithm", mod: func(c *jwt.Config[string, *jwt.Claims]) { c.Algorithms = []string{"HS1"} }, want: "unsupported algorithm"},
		{name: "nok, no keys", mod: func(c *jwt.Config[string, *jwt.Claims]) { c.Keys = nil }, want: "Keys or Config.RemoteKeys is required"},
		{name: "nok, no Verify", mod: func(c *jwt.Config[string, *jwt.Claims]) { c.Verify = nil }, want: "Verify is required"},
		{name: "nok, RSA key for HS256 only", mod: func(c *jwt.Config[string, *jwt.Claims]) { c.Keys = []jwt.Key{{Key: &k.rsa.PublicKey}} }, want: "matches none of the allowed algorithms"},
		{name: "nok, RSA public key PEM as HMAC secret", mod: func(c *jwt.Config[string, *jwt.Claims]) { c.Keys = []jwt.Key{{Key: rsaPEM}} }, want: "looks like a PEM block"},
		{name: "nok, RSA public key DER as HMAC secret", mod: func(c *jwt.Config[string, *jwt.Claims]) { c.Keys = []jwt.Key{{Key: pubDER}} }, want: "DER public key"},
		{name: "nok, short secret", mod: func(c *jwt.Config[string, *jwt.Claims]) { c.Keys = []jwt.Key{{Key: []byte("secret")}} }, want: "at least 32"},
		{name: "nok, string secret", mod: func(c *jwt.Config[string, *jwt.Claims]) {
			c.Keys = []jwt.Key{{Key: "0123456789abcdef0123456789abcdef"}}
		}, want: "must be a []byte"},
		{name: "nok, key algorithm of another family", mod: func(c *jwt.Config[string, *jwt.Claims]) {
			c.Algorithms = []string{"HS256", "ES256"}
			c.Keys = []jwt.Key{{Key: k.secret, Algorithm: "ES256"}}
		}, want: "cannot be used with ES256"},
		{name: "nok, ES384 with a P-256 key", mod: func(c *jwt.Config[string, *jwt.Claims]) {
			c.Algorithms = []string{"ES384"}
			c.Keys = []jwt.Key{{Key: &k.ec.PublicKey}}
		}, want: "matches none"},
		{name: "nok, duplicate kid", mod: func(c *jwt.Config[string, *jwt.Claims]) {
			c.Keys = []jwt.Key{{ID: "a", Key: k.secret}, {ID: "a", Key: k.secret}}
		}, want: "duplicate key ID"},
		{name: "nok, realm with a quote", mod: func(c *jwt.Config[string, *jwt.Claims]) { c.Realm = `a"b` }, want: "Realm"},
		{name: "nok, scope with a space", mod: func(c *jwt.Config[string, *jwt.Claims]) { c.RequiredScopes = []string{"a b"} }, want: "invalid required scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig(k, &counter{})
			tt.mod(&cfg)
			_, err := jwt.New(cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v; want an error containing %q", err, tt.want)
			}
		})
	}

	t.Run("nok, custom claims without NewClaims", func(t *testing.T) {
		type myClaims struct{ jwtlib.RegisteredClaims }
		_, err := jwt.New(jwt.Config[string, *myClaims]{
			Algorithms: []string{"HS256"},
			Keys:       []jwt.Key{{Key: k.secret}},
			Verify:     func(context.Context, *myClaims) (string, error) { return "", nil },
		})
		if err == nil || !strings.Contains(err.Error(), "NewClaims is required") {
			t.Fatalf("got %v; want NewClaims is required", err)
		}
	})
	t.Run("nok, RequiredScopes with claims that carry none", func(t *testing.T) {
		_, err := jwt.New(jwt.Config[string, *jwtlib.RegisteredClaims]{
			Algorithms:     []string{"HS256"},
			Keys:           []jwt.Key{{Key: k.secret}},
			RequiredScopes: []string{"read"},
			Verify:         func(context.Context, *jwtlib.RegisteredClaims) (string, error) { return "", nil },
		})
		if err == nil || !strings.Contains(err.Error(), "Scoper") {
			t.Fatalf("got %v; want an error about Scoper", err)
		}
	})
}

func TestCustomClaims(t *testing.T) {
	k := newTestKeys(t)
	type myClaims struct {
		jwtlib.RegisteredClaims
		Role string `json:"role"`
	}
	s, err := jwt.New(jwt.Config[string, *myClaims]{
		Algorithms: []string{"HS256"},
		Keys:       []jwt.Key{{Key: k.secret}},
		Now:        func() time.Time { return testNow },
		NewClaims:  func() *myClaims { return new(myClaims) },
		Verify: func(_ context.Context, c *myClaims) (string, error) {
			return c.Subject + ":" + c.Role, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := &myClaims{RegisteredClaims: goodClaims().RegisteredClaims, Role: "admin"}
	res, err := s.Authenticate(bearerRequest(sign(t, jwtlib.SigningMethodHS256, k.secret, nil, c)))
	if err != nil {
		t.Fatal(err)
	}
	if res.User != "user-1:admin" {
		t.Errorf("got user %q; want %q", res.User, "user-1:admin")
	}
	// A fresh claims value per request: a second token without a role
	// must not see the first one's.
	c.Role = ""
	res, err = s.Authenticate(bearerRequest(sign(t, jwtlib.SigningMethodHS256, k.secret, nil, c)))
	if err != nil {
		t.Fatal(err)
	}
	if res.User != "user-1:" {
		t.Errorf("got user %q; want %q", res.User, "user-1:")
	}
}

func TestAllowNoExpiryAndTokenTypes(t *testing.T) {
	k := newTestKeys(t)
	noExp := goodClaims()
	noExp.ExpiresAt = nil
	cfg := baseConfig(k, &counter{})
	cfg.AllowNoExpiry = true
	cfg.TokenTypes = []string{"at+jwt", ""}
	s := mustNew(t, cfg)
	for name, tok := range map[string]string{
		"ok, no exp allowed":  sign(t, jwtlib.SigningMethodHS256, k.secret, nil, noExp),
		"ok, no typ accepted": sign(t, jwtlib.SigningMethodHS256, k.secret, map[string]any{"typ": nil}, goodClaims()),
	} {
		t.Run(name, func(t *testing.T) {
			res, err := s.Authenticate(bearerRequest(tok))
			if err != nil || res.Kind != strategy.KindSuccess {
				t.Fatalf("got %q %q %v; want success", res.Kind, res.Challenge, err)
			}
		})
	}
	t.Run("nok, typ JWT not in the list", func(t *testing.T) {
		res, err := s.Authenticate(bearerRequest(sign(t, jwtlib.SigningMethodHS256, k.secret, map[string]any{"typ": "JWT"}, goodClaims())))
		wantInvalid(t, res, err, "wrong token type")
	})
}

func TestName(t *testing.T) {
	k := newTestKeys(t)
	if got := mustNew(t, baseConfig(k, &counter{})).Name(); got != "jwt" {
		t.Errorf("got %q; want %q", got, "jwt")
	}
}

func TestReasonCarriesTheDescription(t *testing.T) {
	k := newTestKeys(t)
	c := goodClaims()
	c.ExpiresAt = jwtlib.NewNumericDate(testNow.Add(-time.Hour))
	s := mustNew(t, baseConfig(k, &counter{}))
	res, err := s.Authenticate(bearerRequest(sign(t, jwtlib.SigningMethodHS256, k.secret, nil, c)))
	if err != nil {
		t.Fatal(err)
	}
	if !errors.Is(res.Reason, strategy.ErrInvalidCredentials) {
		t.Errorf("got reason %v; want %v", res.Reason, strategy.ErrInvalidCredentials)
	}
	if want := "jwt: token expired: strategy: invalid credentials"; res.Reason.Error() != want {
		t.Errorf("got %q; want %q", res.Reason.Error(), want)
	}
}
