// Package devoidc runs a local OpenID Connect provider for development and
// tests, so that the whole social sign-in flow works offline: "Sign in
// with Dev OIDC" signs in a test user at once, with no login page.
//
// It is built on github.com/oauth2-proxy/mockoidc, listens on a random
// 127.0.0.1 port, must be enabled explicitly (Config.Enabled), and logs a
// warning that it is not for production when it starts. Never enable it
// where strangers can reach the app: anyone who clicks is signed in.
//
// What it adds to mockoidc: requests are served one at a time (mockoidc
// keeps its sessions in maps without a lock, which concurrent sign-ins
// would race on), client credentials sent with HTTP Basic are accepted
// (mockoidc reads them only from the form), tokens are signed with a key
// generated per run rather than mockoidc's public default key, and the
// provider plugs into a providers.Catalogue with its button and ID token
// verification.
//
//	dev, err := devoidc.Start(devoidc.Config{Enabled: *devOIDC})
//	if err != nil { ... }
//	defer dev.Close()
//	if err := dev.AddTo(cat); err != nil { ... } // cat is a *providers.Catalogue
//	err = providers.Register(cat, auth.Use, verify)
//
// Its issuer is http://127.0.0.1:PORT/oidc; the user is mockoidc's
// default (subject "1234567890", jane.doe@example.com) unless Config.User
// says otherwise.
package devoidc
