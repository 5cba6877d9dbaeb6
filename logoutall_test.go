package passport_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"

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

// TestLogoutAllWithRevocations: on the cookie store with a revocation
// list, LogoutAll refuses every cookie of the user issued until now.
func TestLogoutAllWithRevocations(t *testing.T) {
	rv := session.NewMemoryRevocations(nil)
	mgr, err := session.New(session.Config{Store: testCookieStore(t), Revocations: rv})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t)
	f.auth, err = passport.New(passport.Config[*user]{
		Sessions:    mgr,
		Serialize:   func(u *user) (string, error) { return u.ID, nil },
		Deserialize: func(_ context.Context, id string) (*user, error) { return f.users[id], nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	f.e = echo.New()
	f.e.Use(f.auth.Session())
	cookie := f.login(t)
	f.e.GET("/me", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }, f.auth.RequireLogin())
	me := func() int {
		req := httptest.NewRequest(http.MethodGet, "/me", nil)
		req.AddCookie(cookie)
		return f.do(req).Code
	}
	if got := me(); got != http.StatusNoContent {
		t.Fatalf("before LogoutAll: %d; want 204", got)
	}
	if err := f.auth.LogoutAll(t.Context(), "1"); err != nil {
		t.Fatalf("LogoutAll on the cookie store with revocations: %v; want nil", err)
	}
	if got := me(); got != http.StatusUnauthorized {
		t.Errorf("after LogoutAll: %d; want 401", got)
	}
}
