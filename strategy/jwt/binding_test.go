package jwt_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	jwtlib "github.com/golang-jwt/jwt/v5"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/jwt"
)

// TestFingerprintBinding: with Config.FingerprintCookie, a token is
// accepted only with the cookie whose hash it carries (OWASP's
// __Secure-Fgp): a token without its cookie is a 401.
func TestFingerprintBinding(t *testing.T) {
	k := newTestKeys(t)
	ctx := context.Background()
	store := jwt.NewMemoryStore(jwt.MemoryStoreConfig{})
	iss, err := jwt.NewIssuer(jwt.IssuerConfig{
		Issuer: testIssuer, Audience: []string{testAudience}, Key: jwt.Key{Key: k.secret},
		Store: store, Now: func() time.Time { return testNow }, Fingerprint: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	pair, err := iss.Issue(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	other, err := iss.Issue(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	ck := pair.FingerprintCookie()
	if ck == nil || ck.Name != "__Secure-Fgp" || !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || len(ck.Value) < 40 {
		t.Fatalf("got cookie %+v; want __Secure-Fgp, HttpOnly, Secure, SameSite=Strict, Path=/, a random value", ck)
	}
	unbound := sign(t, jwtlib.SigningMethodHS256, k.secret, nil, goodClaims())

	c := &counter{}
	cfg := baseConfig(k, c)
	cfg.FingerprintCookie = jwt.FingerprintCookieName
	cfg.Revocations = store
	s := mustNew(t, cfg)

	tests := []struct {
		name    string
		token   string
		cookies []*http.Cookie
		ok      bool
	}{
		{name: "ok, token with its cookie", token: pair.AccessToken, cookies: []*http.Cookie{ck}, ok: true},
		{name: "nok, token without its cookie", token: pair.AccessToken},
		{name: "nok, token with another login's cookie", token: pair.AccessToken, cookies: []*http.Cookie{other.FingerprintCookie()}},
		{name: "nok, cookie sent twice", token: pair.AccessToken, cookies: []*http.Cookie{ck, other.FingerprintCookie()}},
		{name: "nok, empty cookie", token: pair.AccessToken, cookies: []*http.Cookie{{Name: jwt.FingerprintCookieName, Value: ""}}},
		{name: "nok, token without fgp", token: unbound, cookies: []*http.Cookie{ck}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := c.n.Load()
			r := bearerRequest(tt.token)
			for _, x := range tt.cookies {
				r.AddCookie(&http.Cookie{Name: x.Name, Value: x.Value})
			}
			res, err := s.Authenticate(r)
			if tt.ok {
				if err != nil || res.Kind != strategy.KindSuccess {
					t.Fatalf("got %q %q, %v; want success", res.Kind, res.Challenge, err)
				}
				return
			}
			wantInvalid(t, res, err, "fingerprint mismatch")
			if c.n.Load() != before {
				t.Error("Verify was called")
			}
		})
	}

	t.Run("ok, unbound issuer sets no cookie", func(t *testing.T) {
		plain, _, _, _ := issuerAndStrategy(t, jwt.Key{Key: k.secret})
		p, err := plain.Issue(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if p.Fingerprint != "" || p.FingerprintCookie() != nil {
			t.Errorf("got fingerprint %q; want none", p.Fingerprint)
		}
	})

	t.Run("nok, config", func(t *testing.T) {
		cfg := baseConfig(k, &counter{})
		cfg.FingerprintCookie = "bad name"
		if _, err := jwt.New(cfg); err == nil {
			t.Error("bad cookie name: got no error")
		}
		rc := jwt.Config[string, *jwtlib.RegisteredClaims]{
			Algorithms: []string{"HS256"}, Keys: []jwt.Key{{Key: k.secret}}, FingerprintCookie: jwt.FingerprintCookieName,
			Verify: func(context.Context, *jwtlib.RegisteredClaims) (string, error) { return "", nil },
		}
		if _, err := jwt.New(rc); err == nil {
			t.Error("claims without Fingerprinter: got no error")
		}
	})
}
