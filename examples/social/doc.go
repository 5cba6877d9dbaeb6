// Command social is the smallest app with "Sign in with …" buttons:
// passport, one OAuth/OpenID Connect provider, and a page that says who
// you are.
//
// By default the provider is a local development OpenID Connect server
// (package providers/devoidc) started in the same process, so the whole
// flow works offline: click "Sign in with Dev OIDC" and you are signed in
// as its test user. Real providers join when their credentials are in the
// environment (GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET, likewise GOOGLE_,
// GITLAB_, DISCORD_, MICROSOFT_, or OIDC_ISSUER, OIDC_CLIENT_ID and
// OIDC_CLIENT_SECRET); register http://127.0.0.1:8081/auth/<name>/callback
// as the callback URL with them.
//
// Usage, from the repository root:
//
//	go run ./examples/social [-addr 127.0.0.1:8081] [-dev-oidc=false]
//
// Users live in memory, keyed by provider and subject; sessions live in an
// in-memory SQLite database (server-side, so the sign-in handshake is
// one-time). Open the app on the host it listens on: 127.0.0.1 and
// localhost keep separate cookies.
package main
