package apikey_test

import (
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"testing"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/apikey"
	"github.com/gopassport/passport/strategy/basic"
	"github.com/gopassport/passport/strategy/strategytest"
)

// aggregate is how Passport (and DESIGN.md, decision 3) answers a route
// whose strategies all failed: the first status a fail set, else 401, and
// at 401 every challenge as a WWW-Authenticate header, in strategy order.
// It returns ok false when some strategy did not fail.
func aggregate(results ...strategy.Result[string]) (status int, challenges []string, ok bool) {
	for _, r := range results {
		if r.Kind != strategy.KindFail {
			return 0, nil, false
		}
		if status == 0 {
			status = r.Status
		}
	}
	if status == 0 {
		status = http.StatusUnauthorized
	}
	if status == http.StatusUnauthorized {
		for _, r := range results {
			if r.Challenge != "" {
				challenges = append(challenges, r.Challenge)
			}
		}
	}
	return status, challenges, true
}

// TestAggregationWithBasic checks what a route accepting an API key or
// Basic credentials (["apikey", "basic"]) relies on: each strategy's fail
// carries its own challenge, leaves the status unset when it only asks for
// credentials, and neither strategy claims the other's credentials.
func TestAggregationWithBasic(t *testing.T) {
	keys, err := apikey.New(apikey.Config[string]{Scheme: "ApiKey", Verify: verify()})
	if err != nil {
		t.Fatal(err)
	}
	pw, err := basic.New(basic.Config[string]{Realm: "api", Verify: basic.StaticUsers(map[string]string{"alice": "s3cret"})})
	if err != nil {
		t.Fatal(err)
	}
	basicAuth := "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:s3cret"))
	const (
		keyChallenge   = `ApiKey realm="api"`
		basicChallenge = `Basic realm="api", charset="UTF-8"`
	)

	t.Run("nok, no credentials: 401 with both challenges", func(t *testing.T) {
		build := strategytest.NewRequest("GET", "/v1/me")
		k := strategytest.Run(t, keys, build.Build()).FailWithChallenge(t, 401, keyChallenge, strategytest.WantReason(strategy.ErrMissingCredentials))
		b := strategytest.Run(t, pw, build.Build()).FailWithChallenge(t, 401, basicChallenge, strategytest.WantReason(strategy.ErrMissingCredentials))
		status, challenges, ok := aggregate(k, b)
		if !ok || status != 401 || !slices.Equal(challenges, []string{keyChallenge, basicChallenge}) {
			t.Errorf("got %d %q; want 401 %q", status, challenges, []string{keyChallenge, basicChallenge})
		}
	})

	t.Run("nok, wrong key: each fail keeps its own challenge and reason", func(t *testing.T) {
		r := strategytest.NewRequest("GET", "/v1/me").Header("X-API-Key", "pk_wrong")
		k := strategytest.Run(t, keys, r.Build()).FailWithChallenge(t, 401, keyChallenge)
		b := strategytest.Run(t, pw, r.Build()).FailWithChallenge(t, 401, basicChallenge)
		if !errors.Is(k.Reason, strategy.ErrInvalidCredentials) || !errors.Is(b.Reason, strategy.ErrMissingCredentials) {
			t.Errorf("got reasons %v and %v; want invalid and missing", k.Reason, b.Reason)
		}
		if _, challenges, _ := aggregate(k, b); len(challenges) != 2 {
			t.Errorf("got %q; want both challenges", challenges)
		}
	})

	t.Run("nok, malformed Basic: its 400 wins over the other 401", func(t *testing.T) {
		r := strategytest.NewRequest("GET", "/v1/me").Header("Authorization", "Basic %%%")
		k := strategytest.Run(t, keys, r.Build()).Fail(t, 401, strategytest.WantReason(strategy.ErrMissingCredentials))
		b := strategytest.Run(t, pw, r.Build()).Fail(t, 400, strategytest.WantReason(strategy.ErrMalformedCredentials))
		if status, challenges, _ := aggregate(k, b); status != 400 || challenges != nil {
			t.Errorf("got %d %q; want 400 and no challenge", status, challenges)
		}
	})

	t.Run("ok, Basic credentials are left to basic", func(t *testing.T) {
		r := strategytest.NewRequest("GET", "/v1/me").Header("Authorization", basicAuth)
		strategytest.Run(t, keys, r.Build()).FailWithChallenge(t, 401, keyChallenge, strategytest.WantReason(strategy.ErrMissingCredentials))
		strategytest.Run(t, pw, r.Build()).SuccessWith(t, "alice")
	})

	t.Run("ok, an API key is left to apikey", func(t *testing.T) {
		r := strategytest.NewRequest("GET", "/v1/me").Header("Authorization", "ApiKey "+aliceKey)
		strategytest.Run(t, keys, r.Build()).SuccessWith(t, "alice")
		strategytest.Run(t, pw, r.Build()).FailWithChallenge(t, 401, basicChallenge, strategytest.WantReason(strategy.ErrMissingCredentials))
	})
}
