package local_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/local"
	"github.com/gopassport/passport/strategy/password"
	"github.com/gopassport/passport/strategy/throttle"
)

// A login strategy over users kept in a map, with their passwords hashed.
// An app keeps its users in a database and registers the strategy with
// passport; here the strategy is called directly.
func Example() {
	hasher := &password.Hasher{} // the defaults: argon2id, 19 MiB, t=2
	hash, err := hasher.Hash("correct horse battery staple")
	if err != nil {
		log.Fatal(err)
	}
	users := map[string]string{"alice@example.com": hash} // email → stored hash

	s, err := local.New(local.Config[string]{
		UsernameField: "email",
		Throttle:      throttle.NewMemory(throttle.MemoryConfig{}),
		Verify: password.Verify(func(ctx context.Context, email string) (string, string, error) {
			h, ok := users[strings.ToLower(email)]
			if !ok {
				return "", "", strategy.ErrUserNotFound // still costs one hash check
			}
			return email, h, nil
		}, hasher),
	})
	if err != nil {
		log.Fatal(err)
	}

	for _, body := range []string{
		"email=alice%40example.com&password=correct+horse+battery+staple",
		"email=alice%40example.com&password=Tr0ub4dor%263",
		"email=bob%40example.com&password=correct+horse+battery+staple",
		"email=alice%40example.com",
	} {
		r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := s.Authenticate(r)
		if err != nil {
			log.Fatal(err) // a fault: answer 500
		}
		switch res.Kind {
		case strategy.KindSuccess:
			fmt.Println("success:", res.User)
		default:
			fmt.Println("fail:", res.FailStatus(), res.Info.Message)
		}
	}
	// Output:
	// success: alice@example.com
	// fail: 401 Incorrect credentials.
	// fail: 401 Incorrect credentials.
	// fail: 400 Missing credentials.
}

// Usernames and e-mail addresses have one canonical form: register and look
// accounts up under it. Format and bidi characters are refused.
func ExampleCanonicalUsername() {
	for _, name := range []string{"Alice", "ａｌｉｃｅ", " alice\u0301 ", "alice\u202eecila"} {
		canon, err := local.CanonicalUsername(name)
		if err != nil {
			fmt.Printf("%+q: refused (%v)\n", name, errors.Is(err, local.ErrInvalidIdentifier))
			continue
		}
		fmt.Printf("%+q: %+q\n", name, canon)
	}
	email, _ := local.CanonicalEmail("Alice@Bücher.Example")
	fmt.Println(email)
	// Output:
	// "Alice": "alice"
	// "\uff41\uff4c\uff49\uff43\uff45": "alice"
	// " alice\u0301 ": "alic\u00e9"
	// "alice\u202eecila": refused (true)
	// alice@xn--bcher-kva.example
}
