package password_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/password"
)

func TestNewVerifyRehash(t *testing.T) {
	const pw = "correct horse battery staple"
	current := &password.Hasher{Memory: 128, Iterations: 2}
	weak := &password.Hasher{Memory: 64, Iterations: 1}
	bcryptHash, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	weakHash, err := weak.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	currentHash, err := current.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	errStore := errors.New("store down")

	tests := []struct {
		name      string
		stored    string
		password  string
		rehashErr error
		wantOK    bool
		wantNew   bool // a new hash is stored
		wantLog   bool
	}{
		{"ok, bcrypt upgraded to argon2id", string(bcryptHash), pw, nil, true, true, false},
		{"ok, weak argon2id upgraded", weakHash, pw, nil, true, true, false},
		{"ok, current hash left alone", currentHash, pw, nil, true, false, false},
		{"ok, a failing rehash does not fail the login", string(bcryptHash), pw, errStore, true, false, true},
		{"nok, wrong password: no rehash", string(bcryptHash), "wrong", nil, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stored := map[string]string{"alice": tt.stored}
			var calls int
			var logs bytes.Buffer
			verify, err := password.NewVerify(password.VerifyConfig[string]{
				Lookup: func(_ context.Context, name string) (string, string, error) {
					h, ok := stored[name]
					if !ok {
						return "", "", strategy.ErrUserNotFound
					}
					return name, h, nil
				},
				Hasher: current,
				Rehash: func(ctx context.Context, user, newHash string) error {
					calls++
					if ctx == nil {
						t.Error("Rehash got no context")
					}
					if tt.rehashErr != nil {
						return tt.rehashErr
					}
					stored[user] = newHash
					return nil
				},
				Logger: slog.New(slog.NewTextHandler(&logs, nil)),
			})
			if err != nil {
				t.Fatal(err)
			}
			user, err := verify(t.Context(), "alice", tt.password)
			if tt.wantOK != (err == nil) {
				t.Fatalf("verify: got %q, %v; want ok %v", user, err, tt.wantOK)
			}
			if !tt.wantOK && !errors.Is(err, strategy.ErrInvalidCredentials) {
				t.Errorf("verify: got %v; want ErrInvalidCredentials", err)
			}
			changed := stored["alice"] != tt.stored
			if changed != tt.wantNew {
				t.Fatalf("stored hash changed: got %v; want %v", changed, tt.wantNew)
			}
			if tt.wantNew {
				if !strings.HasPrefix(stored["alice"], "$argon2id$v=19$m=128,t=2,p=1$") || current.NeedsRehash(stored["alice"]) {
					t.Errorf("new hash %q: want argon2id with the current parameters", stored["alice"])
				}
				if ok, err := current.Check(stored["alice"], pw); !ok || err != nil {
					t.Errorf("new hash does not check: %v, %v", ok, err)
				}
				if _, err := verify(t.Context(), "alice", pw); err != nil || calls != 1 {
					t.Errorf("second login: got %v after %d rehashes; want success and no second rehash", err, calls)
				}
			}
			if got := strings.Contains(logs.String(), "rehashing a password failed") && strings.Contains(logs.String(), "store down"); got != tt.wantLog {
				t.Errorf("log: got %q; want the failure logged: %v", logs.String(), tt.wantLog)
			}
		})
	}
	t.Run("nok, no lookup", func(t *testing.T) {
		if _, err := password.NewVerify(password.VerifyConfig[string]{}); !errors.Is(err, password.ErrInvalidConfig) {
			t.Errorf("got %v; want ErrInvalidConfig", err)
		}
	})
}
