package apikey_test

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/apikey"
)

func ExampleNew() {
	// The app stores only hashes of the keys it issued.
	key, err := apikey.Generate("pk")
	if err != nil {
		log.Fatal(err)
	}
	owners := map[string]string{apikey.Hash(key): "billing-service"}

	s, err := apikey.New(apikey.Config[string]{
		Verify: func(_ context.Context, key string) (string, error) {
			owner, ok := owners[apikey.Hash(key)]
			if !ok {
				return "", strategy.ErrInvalidCredentials
			}
			return owner, nil
		},
	})
	if err != nil {
		log.Fatal(err)
	}

	r := httptest.NewRequest(http.MethodGet, "/api/v1/orders", nil)
	r.Header.Set("X-API-Key", key)
	res, err := s.Authenticate(r)
	fmt.Println(res.Kind, res.User, err)

	r.Header.Set("X-API-Key", "pk_stolen-or-made-up")
	res, _ = s.Authenticate(r)
	fmt.Println(res.Kind, res.FailStatus(), res.Challenge, res.Info.Message)

	r.Header.Del("X-API-Key")
	res, _ = s.Authenticate(r)
	fmt.Println(res.Kind, res.FailStatus(), res.Challenge, res.Info.Message)

	r.Header.Set("X-API-Key", strings.Repeat("k", 513))
	res, _ = s.Authenticate(r)
	fmt.Println(res.Kind, res.FailStatus(), res.Info.Message)
	// Output:
	// success billing-service <nil>
	// fail 401 ApiKey realm="api" Invalid API key.
	// fail 401 ApiKey realm="api" API key required.
	// fail 400 Malformed API key.
}

func ExampleNew_authorizationScheme() {
	s, err := apikey.New(apikey.Config[string]{
		DisableHeader: true,
		Scheme:        "Bearer",
		Verify: func(_ context.Context, key string) (string, error) {
			if apikey.CheckKey("2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b", key) {
				return "ci-runner", nil
			}
			return "", strategy.ErrInvalidCredentials
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer secret")
	res, _ := s.Authenticate(r)
	fmt.Println(res.Kind, res.User)

	r.Header.Set("Authorization", "Basic YWxpY2U6czNjcmV0")
	res, _ = s.Authenticate(r)
	fmt.Println(res.Kind, res.Challenge)
	// Output:
	// success ci-runner
	// fail Bearer realm="api"
}

func ExampleGenerate() {
	key, err := apikey.Generate("pk")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.HasPrefix(key, "pk_"), len(key))
	// Output: true 46
}

func ExampleHash() {
	fmt.Println(apikey.Hash("secret"))
	fmt.Println(apikey.CheckKey(apikey.Hash("secret"), "secret"))
	fmt.Println(apikey.CheckKey(apikey.Hash("secret"), "Secret"))
	// Output:
	// 2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b
	// true
	// false
}
