package password_test

import (
	"context"
	"errors"
	"runtime"
	"testing"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/password"
)

// errDatabase stands for a fault of the app's store.
var errDatabase = errors.New("database down")

// userStore is a lookup over username → stored hash.
type userStore map[string]string

func (u userStore) lookup(_ context.Context, username string) (string, string, error) {
	if username == "down" {
		return "", "", errDatabase
	}
	hash, ok := u[username]
	if !ok {
		return "", "", strategy.ErrUserNotFound
	}
	return username, hash, nil
}

func TestVerify(t *testing.T) {
	h := cheapHasher()
	aliceHash, err := h.Hash("s3cret")
	if err != nil {
		t.Fatal(err)
	}
	users := userStore{
		"alice":  aliceHash,
		"social": "", // signs in with a provider only
		"broken": "$argon2id$v=19$m=0",
	}
	verify := password.Verify(users.lookup, h)

	tests := []struct {
		name      string
		username  string
		password  string
		wantUser  string
		wantErr   []error // nil: no error
		wantFault bool    // an error that is none of the credential sentinels
	}{
		{name: "ok, right password", username: "alice", password: "s3cret", wantUser: "alice"},
		{name: "nok, wrong password", username: "alice", password: "nope", wantErr: []error{strategy.ErrInvalidCredentials}},
		{name: "nok, unknown user", username: "mallory", password: "s3cret", wantErr: []error{strategy.ErrUserNotFound}},
		{name: "nok, account without a password", username: "social", password: "", wantErr: []error{strategy.ErrInvalidCredentials}},
		{name: "nok, malformed stored hash is a fault", username: "broken", password: "x", wantErr: []error{password.ErrMalformedHash}, wantFault: true},
		{name: "nok, lookup fault", username: "down", password: "x", wantErr: []error{errDatabase}, wantFault: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			user, err := verify(context.Background(), tt.username, tt.password)
			if user != tt.wantUser {
				t.Errorf("user: got %q; want %q", user, tt.wantUser)
			}
			if tt.wantErr == nil && err != nil {
				t.Fatalf("error: got %v; want nil", err)
			}
			for _, want := range tt.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("error: got %v; want it to match %v", err, want)
				}
			}
			if tt.wantFault && (errors.Is(err, strategy.ErrInvalidCredentials) || errors.Is(err, strategy.ErrUserNotFound)) {
				t.Errorf("error: got %v; want a fault, not wrong credentials", err)
			}
		})
	}

	t.Run("nok, nil lookup", func(t *testing.T) {
		v := password.Verify[string](nil, h)
		if _, err := v(context.Background(), "alice", "s3cret"); err == nil {
			t.Errorf("error: got nil; want one")
		}
	})
}

// TestVerifyDummyCheck checks that an unknown username still costs
// a password check: the argon2id memory is allocated as for a known one.
func TestVerifyDummyCheck(t *testing.T) {
	const memory = 8 << 10 // KiB
	h := &password.Hasher{Memory: memory, Iterations: 1}
	hash, err := h.Hash("s3cret")
	if err != nil {
		t.Fatal(err)
	}
	verify := password.Verify(userStore{"alice": hash}.lookup, h)
	allocated := func(username string) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := verify(context.Background(), username, "guess"); err == nil {
			t.Fatalf("verify(%q): got nil error; want wrong credentials", username)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	for _, username := range []string{"alice", "mallory"} {
		if got := allocated(username); got < memory<<10 {
			t.Errorf("%s: allocated %d bytes; want at least %d (one argon2id check)", username, got, memory<<10)
		}
	}
}
