package password_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/password"
)

func ExampleHash() {
	hash, err := password.Hash("correct horse battery staple")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$"))

	ok, err := password.Check(hash, "correct horse battery staple")
	fmt.Println(ok, err)
	ok, err = password.Check(hash, "Tr0ub4dor&3")
	fmt.Println(ok, err)
	_, err = password.Check("not a hash", "Tr0ub4dor&3")
	fmt.Println(errors.Is(err, password.ErrMalformedHash))
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
	ok, err := password.Check(stored, "hunter2")
	if err != nil || !ok {
		log.Fatal("wrong password")
	}
	if password.NeedsRehash(stored) {
		fresh, err := password.Hash("hunter2")
		if err != nil {
			log.Fatal(err)
		}
		stored = fresh // save it with the user
	}
	fmt.Println(strings.HasPrefix(stored, "$argon2id$"), password.NeedsRehash(stored))
	// Output:
	// true false
}

// NewVerify with Rehash upgrades an old bcrypt hash to argon2id on the
// first successful login, while the password is at hand.
func ExampleNewVerify() {
	old, err := bcrypt.GenerateFromPassword([]byte("hunter2 hunter2"), bcrypt.MinCost)
	if err != nil {
		log.Fatal(err)
	}
	hashes := map[string]string{"alice": string(old)}
	verify, err := password.NewVerify(password.VerifyConfig[string]{
		Lookup: func(_ context.Context, name string) (string, string, error) {
			h, ok := hashes[name]
			if !ok {
				return "", "", strategy.ErrUserNotFound
			}
			return name, h, nil
		},
		Hasher: &password.Hasher{Memory: 64, Iterations: 1}, // cheap for the example; keep the defaults
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

// ConstantTimeEqual compares secrets without telling, by its time, where
// they differ or which is longer.
func ExampleConstantTimeEqual() {
	fmt.Println(password.ConstantTimeEqual("s3cret", "s3cret"))
	fmt.Println(password.ConstantTimeEqual("s3cret", "s3cret-and-more"))
	// Output:
	// true
	// false
}
