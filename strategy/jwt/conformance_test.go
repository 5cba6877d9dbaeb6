package jwt_test

import (
	"net/http"
	"testing"

	jwtlib "github.com/golang-jwt/jwt/v5"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/jwt"
	"github.com/gopassport/passport/strategy/strategytest"
)

// TestConformance runs the project's strategy kit: hostile requests, bad
// and good tokens, concurrency and stability, through the header, cookie,
// form and query extractors at once.
func TestConformance(t *testing.T) {
	k := newTestKeys(t)
	good := sign(t, jwtlib.SigningMethodHS256, k.secret, nil, goodClaims())
	expired := goodClaims()
	expired.ExpiresAt = jwtlib.NewNumericDate(testNow.Add(-1))
	other, err := jwt.GenerateHMACSecret()
	if err != nil {
		t.Fatal(err)
	}
	req := func() *strategytest.RequestBuilder { return strategytest.NewRequest("GET", "/api/me") }
	strategytest.Conformance(t, func(t testing.TB) strategy.Strategy[string] {
		cfg := baseConfig(k, &counter{})
		cfg.Extractor = jwt.Chain(jwt.Bearer(), jwt.Cookie("at"), jwt.Form("access_token"), jwt.Query("access_token"))
		return mustNew(t, cfg)
	}, strategytest.ConformanceCases{
		Good: []strategytest.Case{
			{Name: "bearer header", Request: req().Header("Authorization", "Bearer "+good)},
			{Name: "query parameter", Request: strategytest.NewRequest("GET", "/api/me?access_token="+good)},
			{Name: "cookie", Request: req().Cookie(&http.Cookie{Name: "at", Value: good})},
		},
		Bad: []strategytest.Case{
			{Name: "no token", Request: req()},
			{Name: "expired", Request: req().Header("Authorization", "Bearer "+sign(t, jwtlib.SigningMethodHS256, k.secret, nil, expired))},
			{Name: "wrong secret", Request: req().Header("Authorization", "Bearer "+sign(t, jwtlib.SigningMethodHS256, other, nil, goodClaims()))},
			{Name: "two headers", Request: req().Header("Authorization", "Bearer "+good).Header("Authorization", "Bearer "+good)},
		},
	})
}
