package basic_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/basic"
)

func ExampleNew() {
	s, err := basic.New(basic.Config[string]{
		Realm:  "Metrics",
		Verify: basic.StaticUsers(map[string]string{"prometheus": "correct horse battery staple"}),
	})
	if err != nil {
		log.Fatal(err)
	}

	r := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	r.SetBasicAuth("prometheus", "correct horse battery staple")
	res, err := s.Authenticate(r)
	fmt.Println(res.Kind, res.User, err)

	r = httptest.NewRequest(http.MethodGet, "/metrics", nil)
	res, _ = s.Authenticate(r)
	fmt.Println(res.Kind, res.FailStatus(), res.Challenge)

	r.SetBasicAuth("prometheus", "wrong")
	res, _ = s.Authenticate(r)
	fmt.Println(res.Kind, res.FailStatus(), res.Info.Message)

	r.Header.Set("Authorization", "Basic not-base64!")
	res, _ = s.Authenticate(r)
	fmt.Println(res.Kind, res.FailStatus(), res.Info.Message)
	// Output:
	// success prometheus <nil>
	// fail 401 Basic realm="Metrics", charset="UTF-8"
	// fail 401 Invalid username or password.
	// fail 400 Malformed credentials.
}

func ExampleNew_reasons() {
	s, err := basic.New(basic.Config[string]{Verify: basic.StaticUsers(map[string]string{"alice": "s3cret"})})
	if err != nil {
		log.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.SetBasicAuth("mallory", "guess")
	res, _ := s.Authenticate(r)

	// The reason is for logs and branching, never for the client.
	switch {
	case errors.Is(res.Reason, strategy.ErrUserNotFound):
		fmt.Println("unknown user")
	case errors.Is(res.Reason, strategy.ErrInvalidCredentials):
		fmt.Println("wrong password")
	}
	fmt.Println(errors.Is(res.Reason, strategy.ErrInvalidCredentials))
	// Output:
	// unknown user
	// true
}

func ExampleStaticUsers() {
	verify := basic.StaticUsers(map[string]string{"alice": "s3cret"})
	ctx := context.Background()

	user, err := verify(ctx, "alice", "s3cret")
	fmt.Printf("%q %v\n", user, err)
	_, err = verify(ctx, "alice", "nope")
	fmt.Println(err)
	_, err = verify(ctx, "bob", "s3cret")
	fmt.Println(err)
	// Output:
	// "alice" <nil>
	// strategy: invalid credentials
	// strategy: user not found
}
