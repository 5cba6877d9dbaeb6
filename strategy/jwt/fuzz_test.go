package jwt_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	jwtlib "github.com/golang-jwt/jwt/v5"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/jwt"
)

// fixedDescriptions are every error_description the strategy may send:
// fixed texts, never request content.
var fixedDescriptions = []string{
	"repeated authorization header", "token sent more than once", "malformed authorization header",
	"unreadable form", "token too large", "malformed token", "unknown key", "wrong token type",
	"unsupported header", "unsupported critical header", "unsupported algorithm", "invalid signature",
	"token expired", "token not yet valid", "token issued in the future", "wrong audience",
	"wrong issuer", "missing required claim", "invalid token", "token revoked", "token has no subject",
	"token lifetime too long", "fingerprint mismatch",
	"token rejected", "insufficient scope",
}

// FuzzExtractAndParse sends arbitrary Authorization header values through
// the extractor and the parser: the strategy must never panic or return an
// error, must answer with a fail carrying a fixed description unless the
// token is genuinely valid, and must never call Verify for a token that a
// hand-written golang-jwt check refuses.
func FuzzExtractAndParse(f *testing.F) {
	secret, err := jwt.GenerateHMACSecret()
	if err != nil {
		f.Fatal(err)
	}
	good := sign(f, jwtlib.SigningMethodHS256, secret, nil, goodClaims())
	f.Add("Bearer " + good)
	f.Add("bearer  " + good)
	f.Add("Bearer " + good + ".x")
	f.Add("Bearer " + strings.Replace(good, ".", "=.", 1))

	c := &counter{}
	s := mustNew(f, jwt.Config[string, *jwt.Claims]{
		Algorithms: []string{"HS256"},
		Keys:       []jwt.Key{{Key: secret}},
		Issuer:     testIssuer,
		Audience:   []string{testAudience},
		Now:        func() time.Time { return testNow },
		Verify:     c.verify,
		Extractor:  jwt.Chain(jwt.Bearer(), jwt.Header("X-Token", "")),
	})
	hand := jwtlib.NewParser(
		jwtlib.WithValidMethods([]string{"HS256"}),
		jwtlib.WithExpirationRequired(),
		jwtlib.WithIssuedAt(),
		jwtlib.WithIssuer(testIssuer),
		jwtlib.WithAudience(testAudience),
		jwtlib.WithTimeFunc(func() time.Time { return testNow }),
	)

	f.Fuzz(func(t *testing.T, value string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header["Authorization"] = []string{value}
		r.Header["X-Token"] = []string{value}
		before := c.n.Load()
		res, err := s.Authenticate(r)
		if err != nil {
			t.Fatalf("got error %v", err)
		}
		switch res.Kind {
		case strategy.KindSuccess:
			tok := strings.TrimSpace(value)
			if i := strings.IndexByte(tok, ' '); i >= 0 {
				tok = strings.TrimLeft(tok[i:], " ")
			}
			if _, err := hand.ParseWithClaims(tok, &jwt.Claims{}, func(*jwtlib.Token) (any, error) { return secret, nil }); err != nil {
				t.Fatalf("accepted a token that golang-jwt refuses (%v): %q", err, value)
			}
		case strategy.KindFail:
			if c.n.Load() != before {
				t.Fatal("Verify was called for a refused token")
			}
			if res.Challenge == `Bearer realm="api"` {
				return
			}
			_, desc, ok := strings.Cut(res.Challenge, `error_description="`)
			desc = strings.TrimSuffix(desc, `"`)
			if !ok || !contains(fixedDescriptions, desc) {
				t.Fatalf("unexpected challenge %q", res.Challenge)
			}
		default:
			t.Fatalf("got kind %q", res.Kind)
		}
	})
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
