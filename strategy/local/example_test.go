package local_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/local"
)

// A login strategy over users kept in a map, with their passwords hashed.
// An app keeps its users in a database and registers the strategy with
// passport; here the strategy is called directly.
func Example() {
	hasher := &local.Hasher{} // the defaults: argon2id, 19 MiB, t=2
	hash, err := hasher.Hash("correct horse battery staple")
	if err != nil {
		log.Fatal(err)
	}
	users := map[string]string{"alice@example.com": hash} // email → stored hash

	s, err := local.New(local.Config[string]{
		UsernameField: "email",
		Throttle:      local.NewMemoryThrottle(local.MemoryThrottleConfig{}),
		Verify: local.VerifyWithHash(func(ctx context.Context, email string) (string, string, error) {
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

func ExampleHashPassword() {
	hash, err := local.HashPassword("correct horse battery staple")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$"))

	ok, err := local.CheckPassword(hash, "correct horse battery staple")
	fmt.Println(ok, err)
	ok, err = local.CheckPassword(hash, "Tr0ub4dor&3")
	fmt.Println(ok, err)
	_, err = local.CheckPassword("not a hash", "Tr0ub4dor&3")
	fmt.Println(errors.Is(err, local.ErrMalformedHash))
	// Output:
	// true
	// true <nil>
	// false <nil>
	// true
}

// Rehash on login: a password stored as bcrypt by an older system is
// checked, then replaced by an argon2id hash while the password is at hand.
func ExampleNeedsRehash() {
	old, err := bcrypt.GenerateFromPassword([]byte("hunter2"), bcrypt.DefaultCost)
	if err != nil {
		log.Fatal(err)
	}
	stored := string(old)

	// In the app's Verify:
	ok, err := local.CheckPassword(stored, "hunter2")
	if err != nil || !ok {
		log.Fatal("wrong password")
	}
	if local.NeedsRehash(stored) {
		fresh, err := local.HashPassword("hunter2")
		if err != nil {
			log.Fatal(err)
		}
		stored = fresh // save it with the user
	}
	fmt.Println(strings.HasPrefix(stored, "$argon2id$"), local.NeedsRehash(stored))
	// Output:
	// true false
}

// The 11th wrong attempt on an account within 15 minutes is refused, and a
// later one waits twice as long.
func ExampleNewMemoryThrottle() {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	t := local.NewMemoryThrottle(local.MemoryThrottleConfig{
		Now: func() time.Time { return now }, // a fake clock, for the example
	})
	ctx := context.Background()
	a := local.Attempt{Username: "alice", IP: "192.0.2.1"}
	attempt := func() {
		wait, err := t.Allow(ctx, a)
		if err != nil {
			log.Fatal(err)
		}
		if wait > 0 {
			fmt.Println("refused, retry after", wait)
			return
		}
		// Verify runs here, and the password is wrong.
		if err := t.Done(ctx, a, local.OutcomeFailure); err != nil {
			log.Fatal(err)
		}
	}
	for range 11 {
		attempt()
	}
	now = now.Add(time.Second)
	attempt() // allowed: the lock has ended, and it fails again
	attempt()
	// Output:
	// refused, retry after 1s
	// refused, retry after 2s
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

// NewHashVerify with Rehash upgrades an old bcrypt hash to argon2id on the
// first successful login, while the password is at hand.
func ExampleNewHashVerify() {
	old, err := bcrypt.GenerateFromPassword([]byte("hunter2 hunter2"), bcrypt.MinCost)
	if err != nil {
		log.Fatal(err)
	}
	hashes := map[string]string{"alice": string(old)}
	verify, err := local.NewHashVerify(local.HashVerifyConfig[string]{
		Lookup: func(_ context.Context, name string) (string, string, error) {
			h, ok := hashes[name]
			if !ok {
				return "", "", strategy.ErrUserNotFound
			}
			return name, h, nil
		},
		Hasher: &local.Hasher{Memory: 64, Iterations: 1}, // cheap for the example; keep the defaults
		Rehash: func(_ context.Context, user, newHash string) error {
			hashes[user] = newHash // an app writes it to its database
			return nil
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	user, err := verify(context.Background(), "alice", "hunter2 hunter2")
	fmt.Println(user, err, strings.HasPrefix(hashes["alice"], "$argon2id$"))
	// Output:
	// alice <nil> true
}
