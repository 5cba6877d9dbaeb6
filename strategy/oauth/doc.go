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
//	cb := "https://app.example/auth/github/callback"
//	s, err := oauth.New(oauth.Config[*User]{
//		Provider: github.New(id, secret, cb, "user:email"), // fetches the profile
//		OAuth2: &oauth2.Config{ClientID: id, ClientSecret: secret, RedirectURL: cb, Scopes: []string{"user:email"},
//			Endpoint: endpoints.GitHub}, // the strategy's own exchange, with PKCE
//		Label: "GitHub",
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
//   - The authorization request and the code exchange are the
//     strategy's, with golang.org/x/oauth2, whenever the provider's
//     endpoints are known (Config.OAuth2; derived for goth's openidConnect;
//     the providers package gives them for its catalogue): PKCE S256 with
//     a fresh verifier per flow, the exchange tried once with the
//     request's context and the app's client. goth then only fetches the
//     profile, from a session of its own type that holds the token. A goth
//     provider without known endpoints keeps goth's flow, with PKCE only
//     where goth's session sends a code_verifier (zoom, fitbit).
//   - The caller's goth provider is never changed: where it needs the
//     strategy's HTTP client for the profile, a shallow copy gets it.
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
//   - error= from the provider, a refused code or ID token are fails (401)
//     with a generic message (the provider's description is never
//     reflected); a provider that stalls, fails or answers nonsense at its
//     token, userinfo or discovery endpoint is a fail with status 503 or
//     502 ([ErrUnavailable]) and the same message; never a 500, and a
//     panic inside a goth provider is a fail too. Reasons never hold the
//     code, the state, a token or the provider's response body, so they
//     can go to passport's audit log.
//   - OpenID Connect Core 3.1.3.7: an ID token with several audiences must
//     name our client as azp.
//   - Provider logout: with an end_session_endpoint (Config.EndSessionURL)
//     a successful sign-in hands the verified ID token on
//     (Info.Extra[InfoIDToken]) and [Strategy.EndSessionURL] builds the
//     RP-Initiated Logout request; passport's ProviderLogout uses both.
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
// supported: their callback carries no state. goth's own flow (a provider
// without Config.OAuth2) cannot carry the request's context; it leaves
// x/oauth2's client authentication on auto-detect, so a failed exchange is
// retried once with the client credentials in the body; and a few goth
// providers exchange the code with http.DefaultClient whatever their
// HTTPClient (apple, auth0, dailymotion, fitbit, intercom, oura, seatalk,
// yandex in goth v1.82). Give such a provider Config.OAuth2. goth fetches
// the profile without the request's context: the client's timeout bounds
// it.
package oauth
