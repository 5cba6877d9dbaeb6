// Package oauthtest imitates OAuth providers on httptest servers, so that
// sign-in flows run in tests without the network: [GitHub] (authorize,
// token, user and e-mail endpoints), [Google] (authorize, token, and the
// userinfo endpoint goth's google provider calls, reached through
// [Google.Client]'s transport) and [OIDC] (an OpenID Connect provider with
// discovery, keys, authorize, token, userinfo and end_session). Each
// counts the requests that reach its token endpoint, records the
// authorization requests, checks PKCE S256 verifiers against the
// challenge (and, after SetRequirePKCE, refuses a code that had none), and
// can be told to misbehave: a token or profile endpoint that answers 500,
// stalls or sends malformed JSON ([Fault]), a provider that refuses
// consent, or ID tokens with a bad signature, a wrong nonce, audience,
// authorized party or issuer, an expiry in the past or "alg": "none"
// ([IDTokenFault]). The OIDC imitation can publish its issuer with a
// trailing slash.
//
//	func TestSignIn(t *testing.T) {
//		gh := oauthtest.NewGitHub(t) // closed when the test ends
//		gh.SetRequirePKCE(true)
//		cb := app.URL + "/auth/github/callback"
//		s, err := oauth.New(oauth.Config[string]{Provider: gh.Provider(cb), OAuth2: gh.OAuth2(cb), Verify: verify})
//		// ... run the flow with a cookie jar ...
//		if gh.TokenCalls() != 1 {
//			t.Errorf("token endpoint called %d times; want 1", gh.TokenCalls())
//		}
//	}
package oauthtest
