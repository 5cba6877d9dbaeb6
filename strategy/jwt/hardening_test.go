package jwt_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	jwtlib "github.com/golang-jwt/jwt/v5"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/jwt"
)

// signPayload signs a raw JSON payload with method and key under a raw
// JSON header.
func signPayload(t testing.TB, method jwtlib.SigningMethod, key any, header, payload string) string {
	t.Helper()
	input := b64([]byte(header)) + "." + b64([]byte(payload))
	sig, err := method.Sign(input, key)
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + b64(sig)
}

// ed25519Alias signs as golang-jwt's EdDSA but names the algorithm
// "Ed25519" (RFC 9864); the tests sign with it only.
type ed25519Alias struct{}

func (ed25519Alias) Alg() string { return "Ed25519" }
func (ed25519Alias) Verify(s string, sig []byte, key any) error {
	return jwtlib.SigningMethodEdDSA.Verify(s, sig, key)
}
func (ed25519Alias) Sign(s string, key any) ([]byte, error) {
	return jwtlib.SigningMethodEdDSA.Sign(s, key)
}

// unix is t in NumericDate seconds, as a JSON number.
func unix(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }

// TestNumericDateStrings: exp, nbf and iat must be JSON numbers (RFC 7519
// section 2, NumericDate); golang-jwt also accepts numeric strings. The
// check holds for every key path: pooled HMAC and golang-jwt's Verify.
func TestNumericDateStrings(t *testing.T) {
	k := newTestKeys(t)
	iat, exp, nbf := unix(testNow.Add(-time.Minute)), unix(testNow.Add(10*time.Minute)), unix(testNow.Add(-time.Minute))
	claims := func(dates string) string {
		return `{"iss":"` + testIssuer + `","sub":"user-1","aud":"` + testAudience + `",` + dates + `}`
	}
	tests := []struct {
		name    string
		payload string
		ok      bool
	}{
		{name: "ok, numbers", payload: claims(`"iat":` + iat + `,"exp":` + exp + `,"nbf":` + nbf), ok: true},
		{name: "ok, fractional exp", payload: claims(`"iat":` + iat + `,"exp":` + exp + `.5`), ok: true},
		{name: "nok, exp as a string", payload: claims(`"iat":` + iat + `,"exp":"` + exp + `"`)},
		{name: "nok, nbf as a string", payload: claims(`"iat":` + iat + `,"exp":` + exp + `,"nbf":"` + nbf + `"`)},
		{name: "nok, iat as a string", payload: claims(`"iat":"` + iat + `","exp":` + exp)},
		{name: "nok, EXP in upper case as a string", payload: claims(`"iat":` + iat + `,"EXP":"` + exp + `"`)},
		{name: "nok, escaped exp key as a string", payload: claims(`"iat":` + iat + `,"\u0065xp":"` + exp + `"`)},
		{name: "nok, exp as a string before a number", payload: claims(`"iat":` + iat + `,"exp":"` + exp + `","exp":` + exp)},
	}
	type path struct {
		name   string
		algs   []string
		keys   []jwt.Key
		method jwtlib.SigningMethod
		key    any
	}
	paths := []path{
		{name: "HS256", algs: []string{"HS256"}, keys: []jwt.Key{{Key: k.secret}}, method: jwtlib.SigningMethodHS256, key: k.secret},
		{name: "EdDSA", algs: []string{"EdDSA"}, keys: []jwt.Key{{Key: k.ed.Public()}}, method: jwtlib.SigningMethodEdDSA, key: k.ed},
	}
	for _, p := range paths {
		for _, tt := range tests {
			t.Run(p.name+"/"+tt.name, func(t *testing.T) {
				c := &counter{}
				cfg := baseConfig(k, c)
				cfg.Algorithms, cfg.Keys = p.algs, p.keys
				s := mustNew(t, cfg)
				tok := signPayload(t, p.method, p.key, `{"alg":"`+p.method.Alg()+`","typ":"at+jwt"}`, tt.payload)
				res, err := s.Authenticate(bearerRequest(tok))
				if tt.ok {
					if err != nil || res.Kind != strategy.KindSuccess {
						t.Fatalf("got %q %q, %v; want success", res.Kind, res.Challenge, err)
					}
					return
				}
				wantInvalid(t, res, err, "malformed token")
				if !errors.Is(res.Reason, strategy.ErrMalformedCredentials) {
					t.Errorf("got reason %v; want %v", res.Reason, strategy.ErrMalformedCredentials)
				}
				if c.n.Load() != 0 {
					t.Error("Verify was called")
				}
			})
		}
	}
}

// TestEd25519AlgorithmName: RFC 9864 names the Ed25519 algorithm
// "Ed25519", beside the polymorphic "EdDSA"; both verify with an Ed25519
// key, each only when it is on the allow-list.
func TestEd25519AlgorithmName(t *testing.T) {
	k := newTestKeys(t)
	edPub := k.ed.Public()
	tokEd := sign(t, ed25519Alias{}, k.ed, nil, goodClaims())
	tokEdDSA := sign(t, jwtlib.SigningMethodEdDSA, k.ed, nil, goodClaims())
	tests := []struct {
		name  string
		algs  []string
		keys  []jwt.Key
		token string
		desc  string // "" for success
	}{
		{name: "ok, Ed25519", algs: []string{"Ed25519"}, keys: []jwt.Key{{Key: edPub}}, token: tokEd},
		{name: "ok, Ed25519 beside EdDSA", algs: []string{"EdDSA", "Ed25519"}, keys: []jwt.Key{{Key: edPub}}, token: tokEd},
		{name: "ok, EdDSA beside Ed25519", algs: []string{"EdDSA", "Ed25519"}, keys: []jwt.Key{{Key: edPub}}, token: tokEdDSA},
		{name: "ok, key restricted to Ed25519", algs: []string{"EdDSA", "Ed25519"}, keys: []jwt.Key{{Key: edPub, Algorithm: "Ed25519"}}, token: tokEd},
		{name: "nok, Ed25519 not allowed", algs: []string{"EdDSA"}, keys: []jwt.Key{{Key: edPub}}, token: tokEd, desc: "unsupported algorithm"},
		{name: "nok, EdDSA not allowed", algs: []string{"Ed25519"}, keys: []jwt.Key{{Key: edPub}}, token: tokEdDSA, desc: "unsupported algorithm"},
		{name: "nok, key restricted to EdDSA", algs: []string{"EdDSA", "Ed25519"}, keys: []jwt.Key{{Key: edPub, Algorithm: "EdDSA"}}, token: tokEd, desc: "unknown key"},
		{name: "nok, Ed25519 with an HMAC key", algs: []string{"HS256", "Ed25519"}, keys: []jwt.Key{{Key: k.secret}},
			token: signPayload(t, jwtlib.SigningMethodHS256, k.secret, `{"alg":"Ed25519","typ":"at+jwt"}`, payloadJSON(t)), desc: "unknown key"},
		{name: "nok, Ed25519 signed by another key", algs: []string{"Ed25519"}, keys: []jwt.Key{{Key: edPub}},
			token: sign(t, ed25519Alias{}, edKey(t), nil, goodClaims()), desc: "invalid signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &counter{}
			cfg := baseConfig(k, c)
			cfg.Algorithms, cfg.Keys = tt.algs, tt.keys
			s := mustNew(t, cfg)
			res, err := s.Authenticate(bearerRequest(tt.token))
			if tt.desc == "" {
				if err != nil || res.Kind != strategy.KindSuccess {
					t.Fatalf("got %q %q, %v; want success", res.Kind, res.Challenge, err)
				}
				return
			}
			wantInvalid(t, res, err, tt.desc)
		})
	}

	t.Run("ok, issuer signs with Ed25519", func(t *testing.T) {
		iss, s, _, _ := issuerAndStrategy(t, jwt.Key{ID: "ed", Algorithm: "Ed25519", Key: k.ed})
		if iss.Algorithm() != "Ed25519" {
			t.Fatalf("got algorithm %q; want Ed25519", iss.Algorithm())
		}
		tok, _, err := iss.AccessToken("alice")
		if err != nil {
			t.Fatal(err)
		}
		if res := authenticate(t, s, tok); res.Kind != strategy.KindSuccess {
			t.Fatalf("got %q %q; want success", res.Kind, res.Challenge)
		}
		doc, err := iss.MarshalJWKS()
		if err != nil {
			t.Fatalf("JWKS: %v", err)
		}
		// jwkset publishes the key with alg "EdDSA" (it does not know
		// RFC 9864's name); a JWKS strategy allowing Ed25519 verifies with
		// it all the same.
		if !strings.Contains(string(doc), `"alg":"EdDSA"`) || !strings.Contains(string(doc), `"crv":"Ed25519"`) {
			t.Errorf("got JWK Set %s; want an Ed25519 OKP key with alg EdDSA", doc)
		}
		ks := newKeyServer(t, jwt.Key{ID: "ed", Algorithm: "Ed25519", Key: k.ed})
		js := mustNew(t, jwt.Config[string, *jwt.Claims]{
			Algorithms: []string{"Ed25519"},
			RemoteKeys: newJWKS(t, ks),
			Issuer:     testIssuer,
			Audience:   []string{testAudience},
			Now:        func() time.Time { return testNow },
			Verify:     (&counter{}).verify,
		})
		if res := authenticate(t, js, tok); res.Kind != strategy.KindSuccess {
			t.Fatalf("through the JWK Set: got %q %q; want success", res.Kind, res.Challenge)
		}
	})
}

// TestDefaultLifetimeCap: without configuration, a token may live at most
// a day, counted from iat or, when it has none, from now.
func TestDefaultLifetimeCap(t *testing.T) {
	k := newTestKeys(t)
	tests := []struct {
		name     string
		iat, exp time.Duration // from testNow; iat 0: no iat
		ok       bool
	}{
		{name: "ok, an hour", iat: -time.Minute, exp: time.Hour, ok: true},
		{name: "ok, a day exactly", iat: -time.Hour, exp: 23 * time.Hour, ok: true},
		{name: "ok, no iat, expires within a day", exp: 23 * time.Hour, ok: true},
		{name: "nok, exp - iat over a day", iat: -23 * time.Hour, exp: 2 * time.Hour},
		{name: "nok, exp a year away", iat: -time.Minute, exp: 365 * 24 * time.Hour},
		{name: "nok, no iat, exp two days away", exp: 48 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &counter{}
			s := mustNew(t, baseConfig(k, c))
			cl := goodClaims()
			cl.IssuedAt = nil
			if tt.iat != 0 {
				cl.IssuedAt = jwtlib.NewNumericDate(testNow.Add(tt.iat))
			}
			cl.ExpiresAt = jwtlib.NewNumericDate(testNow.Add(tt.exp))
			res, err := s.Authenticate(bearerRequest(sign(t, jwtlib.SigningMethodHS256, k.secret, nil, cl)))
			if tt.ok {
				if err != nil || res.Kind != strategy.KindSuccess {
					t.Fatalf("got %q %q, %v; want success", res.Kind, res.Challenge, err)
				}
				return
			}
			wantInvalid(t, res, err, "token lifetime too long")
			if c.n.Load() != 0 {
				t.Error("Verify was called")
			}
		})
	}
}

// TestLogoutAndReuseRevokeAccessTokens: revoking a login (logout) or the
// family of a reused refresh token refuses the access tokens issued to
// that family, at once; other logins of the user keep working.
func TestLogoutAndReuseRevokeAccessTokens(t *testing.T) {
	k := newTestKeys(t)
	ctx := context.Background()

	t.Run("nok, access token after logout", func(t *testing.T) {
		iss, s, _, _ := issuerAndStrategy(t, jwt.Key{Key: k.secret})
		p, err := iss.Issue(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		other, err := iss.Issue(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if res := authenticate(t, s, p.AccessToken); res.Kind != strategy.KindSuccess {
			t.Fatalf("before logout: got %q %q; want success", res.Kind, res.Challenge)
		}
		if err := iss.Revoke(ctx, p.RefreshToken); err != nil {
			t.Fatal(err)
		}
		wantInvalid(t, authenticate(t, s, p.AccessToken), nil, "token revoked")
		if res := authenticate(t, s, other.AccessToken); res.Kind != strategy.KindSuccess {
			t.Errorf("another login: got %q %q; want success", res.Kind, res.Challenge)
		}
	})

	t.Run("nok, access tokens after a refresh token is reused", func(t *testing.T) {
		iss, s, clk, _ := issuerAndStrategy(t, jwt.Key{Key: k.secret})
		p1, err := iss.Issue(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
		p2, err := iss.Refresh(ctx, p1.RefreshToken)
		if err != nil {
			t.Fatal(err)
		}
		if res := authenticate(t, s, p2.AccessToken); res.Kind != strategy.KindSuccess {
			t.Fatalf("rotated: got %q %q; want success", res.Kind, res.Challenge)
		}
		if _, err := iss.Refresh(ctx, p1.RefreshToken); !errors.Is(err, jwt.ErrRefreshReused) {
			t.Fatalf("reuse: got %v; want %v", err, jwt.ErrRefreshReused)
		}
		for name, tok := range map[string]string{"first": p1.AccessToken, "rotated": p2.AccessToken} {
			wantInvalid(t, authenticate(t, s, tok), nil, "token revoked")
			_ = name
		}
	})
}

// TestMaxTokenLifetime: the cap is configurable, and a negative value
// turns it off.
func TestMaxTokenLifetime(t *testing.T) {
	k := newTestKeys(t)
	tests := []struct {
		name   string
		max    time.Duration
		leeway time.Duration
		iat    time.Duration // 0: no iat
		exp    time.Duration
		ok     bool
	}{
		{name: "ok, within an hour", max: time.Hour, iat: -time.Minute, exp: 50 * time.Minute, ok: true},
		{name: "nok, two hours with a one-hour cap", max: time.Hour, iat: -time.Minute, exp: 2 * time.Hour},
		{name: "nok, no iat, exp beyond the cap", max: time.Hour, exp: 61 * time.Minute},
		{name: "ok, no iat, exp beyond the cap within the leeway", max: time.Hour, leeway: 2 * time.Minute, exp: 61 * time.Minute, ok: true},
		{name: "nok, exp - iat beyond the cap despite the leeway", max: time.Hour, leeway: 2 * time.Minute, iat: -2 * time.Minute, exp: 59 * time.Minute},
		{name: "ok, cap off, a year", max: -1, iat: -time.Minute, exp: 365 * 24 * time.Hour, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := baseConfig(k, &counter{})
			cfg.MaxTokenLifetime, cfg.Leeway = tt.max, tt.leeway
			s := mustNew(t, cfg)
			cl := goodClaims()
			cl.IssuedAt = nil
			if tt.iat != 0 {
				cl.IssuedAt = jwtlib.NewNumericDate(testNow.Add(tt.iat))
			}
			cl.ExpiresAt = jwtlib.NewNumericDate(testNow.Add(tt.exp))
			res, err := s.Authenticate(bearerRequest(sign(t, jwtlib.SigningMethodHS256, k.secret, nil, cl)))
			if tt.ok {
				if err != nil || res.Kind != strategy.KindSuccess {
					t.Fatalf("got %q %q, %v; want success", res.Kind, res.Challenge, err)
				}
				return
			}
			wantInvalid(t, res, err, "token lifetime too long")
		})
	}

	t.Run("nok, issuer with a refresh lifetime shorter than the access lifetime", func(t *testing.T) {
		_, err := jwt.NewIssuer(jwt.IssuerConfig{Issuer: testIssuer, Key: jwt.Key{Key: k.secret}, AccessTTL: time.Hour, RefreshTTL: time.Minute})
		if err == nil {
			t.Fatal("got no error")
		}
	})
}

// ctxKey marks the request context in TestFamilyCheckContext.
type ctxKey struct{}

// recordingChecker records the context of each check and answers from a
// set of revoked families, or fails.
type recordingChecker struct {
	revoked map[string]bool
	fail    bool
	ctxs    []context.Context
}

func (c *recordingChecker) NotBefore(ctx context.Context, _ string) (time.Time, error) {
	c.ctxs = append(c.ctxs, ctx)
	return time.Time{}, nil
}

func (c *recordingChecker) FamilyRevoked(ctx context.Context, family string) (bool, error) {
	c.ctxs = append(c.ctxs, ctx)
	if c.fail {
		return false, errors.New("database down")
	}
	return c.revoked[family], nil
}

// TestFamilyCheck: the family check runs with the request's context, for
// tokens with a sid only; a store fault is an error (500), not a fail.
func TestFamilyCheck(t *testing.T) {
	k := newTestKeys(t)
	withSid := func(sid string) string {
		cl := goodClaims()
		cl.Sid = sid
		return sign(t, jwtlib.SigningMethodHS256, k.secret, nil, cl)
	}
	tests := []struct {
		name    string
		token   string
		fail    bool
		kind    strategy.Kind
		wantErr bool
		checks  int
	}{
		{name: "ok, live family", token: withSid("live"), kind: strategy.KindSuccess, checks: 2},
		{name: "ok, no sid: only the subject is checked", token: withSid(""), kind: strategy.KindSuccess, checks: 1},
		{name: "nok, revoked family", token: withSid("gone"), kind: strategy.KindFail, checks: 2},
		{name: "nok, store down", token: withSid("live"), fail: true, wantErr: true, checks: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc := &recordingChecker{revoked: map[string]bool{"gone": true}, fail: tt.fail}
			cfg := baseConfig(k, &counter{})
			cfg.Revocations = rc
			s := mustNew(t, cfg)
			r := bearerRequest(tt.token)
			r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, "request"))
			res, err := s.Authenticate(r)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("got %q, no error; want a fault", res.Kind)
				}
			} else {
				if err != nil {
					t.Fatal(err)
				}
				if res.Kind != tt.kind {
					t.Fatalf("got %q %q; want %q", res.Kind, res.Challenge, tt.kind)
				}
				if tt.kind == strategy.KindFail {
					wantInvalid(t, res, err, "token revoked")
				}
			}
			if len(rc.ctxs) != tt.checks {
				t.Fatalf("got %d checks; want %d", len(rc.ctxs), tt.checks)
			}
			for _, ctx := range rc.ctxs {
				if ctx.Value(ctxKey{}) != "request" {
					t.Error("a check did not get the request's context")
				}
			}
		})
	}
}
