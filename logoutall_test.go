package passport_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy/jwt"
)

// A JWT issuer ends a user's tokens for LogoutAll.
var _ passport.UserRevoker = (*jwt.Issuer)(nil)

// revokerFunc is a UserRevoker from a function.
type revokerFunc func(ctx context.Context, subject string) error

func (f revokerFunc) RevokeUser(ctx context.Context, subject string) error { return f(ctx, subject) }

// TestLogoutAllOnTheCookieStore checks that the revokers run and that the
// cookie store, which cannot end a user's sessions, says so.
func TestLogoutAllOnTheCookieStore(t *testing.T) {
	mgr, err := session.New(session.Config{Store: testCookieStore(t)})
	if err != nil {
		t.Fatal(err)
	}
	var revoked []string
	boom := errors.New("issuer store down")
	tests := []struct {
		name     string
		revokers []passport.UserRevoker
		want     []error
	}{
		{"nok, cookie store: not supported, tokens revoked", []passport.UserRevoker{revokerFunc(func(_ context.Context, s string) error {
			revoked = append(revoked, s)
			return nil
		})}, []error{session.ErrNotSupported}},
		{"nok, a revoker's error is reported too", []passport.UserRevoker{revokerFunc(func(context.Context, string) error { return boom })},
			[]error{session.ErrNotSupported, boom}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			revoked = nil
			auth, err := passport.New(passport.Config[*user]{
				Sessions:    mgr,
				Serialize:   func(u *user) (string, error) { return u.ID, nil },
				Deserialize: func(context.Context, string) (*user, error) { return nil, passport.ErrUserNotFound },
				Revokers:    tt.revokers,
			})
			if err != nil {
				t.Fatal(err)
			}
			err = auth.LogoutAll(t.Context(), "42")
			for _, w := range tt.want {
				if !errors.Is(err, w) {
					t.Errorf("err = %v; want it to wrap %v", err, w)
				}
			}
			if tt.name == tests[0].name && (len(revoked) != 1 || revoked[0] != "42") {
				t.Errorf("revoked %v; want [42]", revoked)
			}
		})
	}
	if _, err := passport.New(passport.Config[*user]{
		Serialize:   func(u *user) (string, error) { return u.ID, nil },
		Deserialize: func(context.Context, string) (*user, error) { return nil, nil },
		Revokers:    []passport.UserRevoker{nil},
	}); !errors.Is(err, passport.ErrInvalidConfig) {
		t.Errorf("a nil revoker: err = %v; want ErrInvalidConfig", err)
	}
}
