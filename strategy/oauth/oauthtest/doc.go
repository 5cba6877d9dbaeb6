// Package oauthtest imitates OAuth providers on httptest servers, so that
// sign-in flows run in tests without the network: [GitHub] (authorize,
// token, user and e-mail endpoints) and [OIDC] (an OpenID Connect
// provider with discovery, keys, authorize, token and userinfo). Both
// count the requests that reach their token endpoint, record the
// authorization requests, check PKCE S256 verifiers, and can be told to
// misbehave: a token endpoint that answers 500, stalls or sends malformed
// JSON ([Fault]), a provider that refuses consent, or ID tokens with a bad
// signature, a wrong nonce, audience or issuer, an expiry in the past or
// "alg": "none" ([IDTokenFault]).
//
//	func TestSignIn(t *testing.T) {
//		gh := oauthtest.NewGitHub(t) // closed when the test ends
//		provider := gh.Provider(app.URL + "/auth/github/callback")
//		s, err := oauth.New(oauth.Config[string]{Provider: provider, Verify: verify})
//		// ... run the flow with a cookie jar ...
//		if gh.TokenCalls() != 1 {
//			t.Errorf("token endpoint called %d times; want 1", gh.TokenCalls())
//		}
//	}
package oauthtest
