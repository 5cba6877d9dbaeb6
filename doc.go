// Package passport is Passport.js-style authentication for Echo v4.
//
// An [Authenticator] holds named strategies (see package strategy and its
// subpackages: local passwords, OAuth and OpenID Connect, JWT bearer
// tokens, HTTP Basic, API keys). A route asks it to authenticate with one
// strategy or several; each strategy answers success, fail, redirect or
// pass, and the Authenticator turns that into a login, a redirect, a 401
// with challenges, or a call of the next handler.
//
// The app owns its users: it gives Serialize and Deserialize, and only the
// serialized key is kept in the session. Users are typed: auth.User(c)
// returns the app's own *User.
//
//	auth, err := passport.New(passport.Config[*User]{
//		Sessions:    mgr, // *session.Manager
//		Serialize:   func(u *User) (string, error) { return u.ID, nil },
//		Deserialize: func(ctx context.Context, id string) (*User, error) { return users.Find(ctx, id) },
//	})
//	auth.Use("local", localStrategy)
//	e.Use(auth.Session(), passport.CSRF()) // forms send c.Get("csrf") back as _csrf
//	e.POST("/login", auth.Authenticate("local",
//		passport.SuccessReturnToOrRedirect("/"),
//		passport.FailureRedirect("/login"), passport.FailureFlash("")).Handler())
//	e.GET("/account", account, auth.RequireLoginWithConfig(passport.RequireLoginConfig{LoginURL: "/login"}))
//
// Sessions are regenerated at login and logout (session fixation), the
// return-to URL and flash messages survive that, users are deserialized
// lazily at most once per request, and every failure leaves as an
// *echo.HTTPError so the app's error handler renders it. [CSRF] keeps its
// secret in the session, so a token from before login or logout is
// refused after it.
//
// # The Authenticator's methods
//
// go doc lists the methods of the generic [Authenticator] under its type,
// not in the package overview: run go doc passport.Authenticator (or
// go doc -all). In short:
//
//   - strategies: [Authenticator.Use], [Authenticator.Unuse], [Authenticator.Strategy]
//   - routes: [Authenticator.Authenticate], [Authenticator.AuthenticateAny]
//     (each a [Route] with Handler and Middleware), [Authenticator.MountOAuth];
//     [Authenticator.Chain] runs strategies for a net/http handler (the token
//     endpoints of strategy/jwt), mounted with [WrapHandler]
//   - sessions: [Authenticator.Session] and [Authenticator.SessionWithConfig]
//     (the middleware), [Authenticator.SessionManager] (Config.Sessions),
//     [Authenticator.SessionLoginStrategy] (the login of the session, as a
//     strategy); [SessionFrom] reads a request's session
//   - guards: [Authenticator.RequireLogin], [Authenticator.RequireLoginWithConfig],
//     [Authenticator.RequireLogout], [Authenticator.RequireLogoutWithConfig]
//   - login state: [Authenticator.Login], [Authenticator.Logout], [Authenticator.ProviderLogout],
//     [Authenticator.LogoutAll] (every session and token of one user)
//   - the user: [Authenticator.User], [Authenticator.LoadUser], [Authenticator.IsAuthenticated],
//     [Authenticator.Info], [Authenticator.Assigned]
//
// # Guides
//
// The guides are in the repository's docs directory: getting-started.md
// (a password login step by step, and how to use a checkout before the
// module is published), concepts.md, local.md, sessions.md, security.md,
// oauth.md, providers.md, jwt.md, api-tokens.md, writing-a-strategy.md and
// migrating-from-passport.md.
package passport
