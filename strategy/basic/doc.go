// Package basic is the HTTP Basic authentication strategy (RFC 7617): the
// client sends "Authorization: Basic base64(username:password)" with every
// request, and a request without it gets a 401 with the challenge
// `Basic realm="...", charset="UTF-8"`, which makes browsers show their
// login dialog.
//
// Basic suits machine clients, internal tools and a metrics endpoint; the
// password travels with every request, so serve it over TLS only. For people
// logging in through a form, use package local and a session instead.
//
// Wrong, missing and malformed credentials are fail results, never errors
// (see [Strategy] for the statuses); the package also offers [StaticUsers], a Verify for a fixed set of users
// (a comparison that leaks no timing is
// [github.com/gopassport/passport/strategy/password.ConstantTimeEqual]).
//
//	s, err := basic.New(basic.Config[*User]{
//		Realm: "Metrics",
//		Verify: func(ctx context.Context, username, password string) (*User, error) {
//			u, err := users.FindByName(ctx, username)
//			if errors.Is(err, store.ErrNotFound) {
//				return nil, strategy.ErrUserNotFound
//			}
//			if err != nil {
//				return nil, err // a fault: 500
//			}
//			if !u.CheckPassword(password) {
//				return nil, strategy.ErrInvalidCredentials
//			}
//			return u, nil
//		},
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	if err := auth.Use("basic", s); err != nil {
//		log.Fatal(err)
//	}
//	e.GET("/metrics", metrics, auth.Authenticate("basic", passport.Stateless()).Middleware())
package basic
