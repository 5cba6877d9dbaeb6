package basic

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"

	"github.com/gopassport/passport/strategy"
)

// StaticUsers returns a [Config.Verify] for a fixed set of users, mapping
// each username to its password; the user it returns is the username.
// The map is copied and only digests of the passwords are kept. Passwords
// are compared in constant time, and an unknown username costs the same
// comparison as a wrong password before it reports
// [strategy.ErrUserNotFound]; a wrong password reports
// [strategy.ErrInvalidCredentials].
//
// It suits tests, internal tools and a metrics endpoint behind Basic auth.
// Passwords that people choose belong in a store under a slow hash
// (package local hashes with argon2id), never in source code: load these
// from the environment or a secrets file. The returned func is safe for
// concurrent use.
func StaticUsers(users map[string]string) func(ctx context.Context, username, password string) (string, error) {
	digests := make(map[string][sha256.Size]byte, len(users))
	for name, pw := range users {
		digests[name] = sha256.Sum256([]byte(pw))
	}
	var dummy [sha256.Size]byte
	return func(_ context.Context, username, password string) (string, error) {
		want, known := digests[username]
		if !known {
			want = dummy
		}
		got := sha256.Sum256([]byte(password))
		match := subtle.ConstantTimeCompare(got[:], want[:]) == 1
		switch {
		case !known:
			return "", strategy.ErrUserNotFound
		case !match:
			return "", strategy.ErrInvalidCredentials
		}
		return username, nil
	}
}
