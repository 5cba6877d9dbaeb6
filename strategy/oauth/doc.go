// Package oauth turns any goth provider (github.com/markbates/goth) into
// a passport strategy: "Sign in with GitHub / Google / your OpenID Connect
// provider", with the app's verify callback finding or creating the user.
//
// A [Strategy] runs on two routes. The begin route (GET /auth/github)
// answers with a redirect to the provider; the callback route
// (GET|POST /auth/github/callback, told apart by the "/callback" suffix,
// see Config.IsCallback) completes the sign-in and answers with a success
// or a fail. passport's MountOAuth mounts both.
//
//	s, err := oauth.New(oauth.Config[*User]{
//		Provider: github.New(id, secret, "https://app.example/auth/github/callback", "user:email"),
//		Label:    "GitHub",
//		Verify: func(ctx context.Context, u goth.User) (*User, error) {
//			return users.FindOrCreateByIdentity(ctx, oauth.IdentityOf(u), u)
//		},
//	})
//	if err != nil { ... }
//	auth.Use(s.Name(), s)
//	err = auth.MountOAuth(e.Group("/auth"), []string{"github"},
//		passport.SuccessRedirect("/"), passport.FailureRedirect("/login"), passport.FailureFlash(""))
//
// # What it does that goth's gothic helper does not
//
//   - The state is 256 random bits per flow; a state sent by the caller
//     is ignored. The callback compares it in constant time.
//   - PKCE S256 for every provider whose goth session sends a
//     code_verifier at the exchange (openidConnect, zoom, fitbit): a fresh
//     verifier per flow, never goth's provider-wide SetAuthCodeOptions,
//     which would share one between users.
//   - OpenID Connect: a fresh nonce per flow, and the ID token verified
//     with github.com/coreos/go-oidc/v3 (signature against the provider's
//     JWKS, issuer, audience, expiry, nonce, at_hash) before the user is
//     accepted. goth's openidConnect.FetchUser checks none of the
//     signature or the nonce.
//   - The handshake (goth's session, state, verifier, nonce, provider,
//     return-to page, time) lives in passport's session under
//     "passport.oauth.<name>", not in a cookie of its own, and is taken out
//     and saved before the code exchange: a replayed callback never
//     reaches the token endpoint. Use a server-side session store.
//   - error= from the provider, exchange or profile failures, timeouts and
//     malformed JSON are fails with a generic message (the provider's
//     description is never reflected), never a 500, and a panic inside a
//     goth provider is a fail too.
//   - Every outbound call uses an *http.Client with a timeout the app can
//     replace (Config.HTTPClient).
//   - No global state: goth.UseProviders and goth's registry are not used.
//
// # Identities and account linking
//
// Key accounts on the pair provider + subject ([IdentityOf]), never on the
// e-mail address a provider reports. Verify receives the request's
// context: [strategy.CurrentUser] tells it who is logged in, so that a
// callback route mounted with passport's AssignTo attaches the identity to
// that account instead of logging someone else in. A linking route needs
// its own strategy (a goth provider whose callback URL is the linking
// route's), registered under another name with the same
// Config.IdentityProvider.
//
// # Limits
//
// OAuth 1.0a providers (goth's twitter, tumblr and the like) are not
// supported: their callback carries no state. goth leaves x/oauth2's
// client authentication on auto-detect, so a failed exchange is retried
// once with the client credentials in the body (two requests to the token
// endpoint, each bounded by the client's timeout). A few goth providers
// exchange the code with http.DefaultClient whatever their HTTPClient
// (apple, auth0, dailymotion, discord, fitbit, intercom, oura, seatalk,
// yandex in goth v1.82); the providers package wraps discord to fix that.
package oauth
