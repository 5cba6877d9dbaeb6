package oauth

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/markbates/goth"
	"golang.org/x/oauth2"
)

// Defaults of a [Config].
const (
	// DefaultTimeout is the timeout of the HTTP client a strategy gives a
	// provider that has none.
	DefaultTimeout = 10 * time.Second
	// DefaultMaxAge is how long a begun sign-in may take.
	DefaultMaxAge = 10 * time.Minute
	// DefaultReturnToParam is the query parameter of the begin request
	// that names the page to come back to.
	DefaultReturnToParam = "return_to"
	// DefaultReturnToKey is the session key under which a successful
	// callback leaves that page: the one passport's
	// SuccessReturnToOrRedirect reads (passport.ReturnToKey).
	DefaultReturnToKey = "passport.return_to"
	// CallbackSuffix ends the path of a callback request under the default
	// Config.IsCallback: "/auth/github/callback".
	CallbackSuffix = "/callback"
)

// VerifyFunc finds or creates the app's user for an identity the provider
// vouched for, and returns it. user.Provider is the strategy's identity
// provider name and user.UserID the subject (for OpenID Connect, the
// verified ID token's sub): key accounts on both ([IdentityOf]). Never
// link by e-mail alone: the address is whatever the provider says it is.
//
// ctx is the request's context: it carries the user already logged in
// ([strategy.CurrentUser]), for linking an identity to that account.
//
// Return an error wrapping [strategy.ErrUserNotFound] or
// [strategy.ErrInvalidCredentials] to refuse the sign-in (a fail with the
// generic message); any other error is a fault (a 500). To tell the user
// why ("An account with that e-mail exists. Log on first, then link
// GitHub."), wrap the sentinel with [strategy.WithUserMessage]: the fail's
// message is then that text. A VerifyFunc is called concurrently.
type VerifyFunc[U any] func(ctx context.Context, user goth.User) (U, error)

// Config configures a [Strategy]. Provider and Verify are required.
type Config[U any] struct {
	// Provider is the goth provider, built with the callback URL that the
	// provider redirects to ("https://app.example/auth/github/callback").
	// Required. Do not register it with goth.UseProviders: the strategy
	// never uses goth's global registry nor its gothic helper. The strategy
	// never changes it: where it must give it another HTTP client, it works
	// on a copy. OAuth 1.0a providers are not supported (their callback
	// carries no state).
	//
	// With OAuth2 (or for goth's openidConnect provider, whose endpoints
	// and credentials are exported) the strategy builds the authorization
	// request and exchanges the code itself, with golang.org/x/oauth2 and
	// PKCE, and goth only fetches the profile with the token. Without it,
	// goth's own flow runs (BeginAuth, Session.Authorize), which cannot
	// carry the request's context and, for most providers, no PKCE.
	Provider goth.Provider
	// OAuth2 is the provider's OAuth 2.0 client: ClientID, ClientSecret,
	// Endpoint (AuthURL, TokenURL, AuthStyle), RedirectURL (the callback
	// URL, as registered) and Scopes. Optional. Default: derived from goth's
	// openidConnect provider; nil for others (goth's flow). New copies it.
	// An Endpoint.AuthStyle left on auto-detect becomes
	// oauth2.AuthStyleInHeader (HTTP Basic, which RFC 6749 makes every
	// server support), so a failed exchange is never tried twice.
	OAuth2 *oauth2.Config
	// AuthParams are extra parameters of the authorization request built
	// from OAuth2, such as access_type=offline or prompt=consent.
	// Optional. state, nonce, the PKCE and the client's own parameters are
	// the strategy's: naming them is an error.
	AuthParams url.Values
	// Verify turns the provider's user into the app's. Required.
	Verify VerifyFunc[U]
	// Name is the strategy's name: the one it is registered under in
	// passport, and the last part of its session key. Optional. Default
	// Provider.Name().
	Name string
	// IdentityProvider is the provider name put in goth.User.Provider, the
	// first half of an identity's key. Optional. Default Name. Give a login
	// strategy and a linking strategy for the same provider the same value.
	IdentityProvider string
	// Label is the provider's name for people. Optional. Default Name.
	// The fail messages do not name it: they are fixed texts of the
	// catalogue ([strategy.MsgSignInFailed], [strategy.MsgSignInCancelled]),
	// translatable by the app, whose page names the provider
	// ([Strategy.Label]).
	Label string
	// HTTPClient makes every outbound call: the code exchange (with the
	// request's context), the profile requests, the OpenID Connect
	// discovery and keys. Optional. Default: the provider's own HTTPClient
	// if it was set, else a client with DefaultTimeout. goth fetches the
	// profile with the provider's exported HTTPClient field: when that is
	// not this client, the strategy fetches through a shallow copy of the
	// provider holding it, and the caller's provider keeps its own. A
	// provider without such a field fetches with its own client.
	HTTPClient *http.Client
	// EndSessionURL is the OpenID provider's end_session_endpoint, for
	// RP-Initiated Logout ([Strategy.EndSessionURL]). Optional. Default:
	// goth's openidConnect provider's OpenIDConfig.EndSessionEndpoint;
	// providers.New reads it from the discovery document. With it (and
	// OIDC), a successful callback puts the verified ID token in
	// Info.Extra[InfoIDToken], where passport's MountOAuth keeps it in the
	// session for the logout's id_token_hint.
	EndSessionURL string
	// OIDC turns on ID token verification and the nonce. Optional. Default:
	// on for goth's openidConnect provider, with its issuer and client ID;
	// off for others. Required for any other provider that authenticates
	// users by an ID token.
	OIDC *OIDC
	// PKCE decides the S256 code challenge. Optional. Default [PKCEAuto]:
	// on with OAuth2, else only for the goth providers that send the
	// verifier ([SendsCodeVerifier]). [PKCEOff] is for a token endpoint
	// that refuses a code_verifier.
	PKCE PKCE
	// IsCallback tells the callback leg from the begin leg. Optional.
	// Default: the request's path ends with "/callback", so that
	// GET /auth/github begins and GET|POST /auth/github/callback completes.
	IsCallback func(r *http.Request) bool
	// MaxAge is how long after the begin the callback is accepted.
	// Optional. Default DefaultMaxAge.
	MaxAge time.Duration
	// ReturnToParam names the begin request's query parameter holding the
	// page to come back to after sign-in, a same-origin relative path.
	// Optional. Default DefaultReturnToParam; "-" disables it.
	ReturnToParam string
	// ReturnToKey is the session key under which a successful callback
	// leaves that page. Optional. Default DefaultReturnToKey.
	ReturnToKey string
	// Now returns the current time. Optional, for tests. Default time.Now.
	Now func() time.Time
}

// checkClient refuses an OAuth 2.0 client that the provider would refuse
// on its own error page: an empty client ID or secret, or a callback URL
// that is not an absolute http(s) URL. The error names the provider.
func checkClient(name string, o2 *oauth2.Config) error {
	switch {
	case strings.TrimSpace(o2.ClientID) == "":
		return fmt.Errorf("%w: %s: OAuth2.ClientID is empty", ErrInvalidConfig, name)
	case strings.TrimSpace(o2.ClientSecret) == "":
		return fmt.Errorf("%w: %s: OAuth2.ClientSecret is empty", ErrInvalidConfig, name)
	}
	u, err := url.Parse(o2.RedirectURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%w: %s: OAuth2.RedirectURL %q is not an absolute http(s) URL", ErrInvalidConfig, name, o2.RedirectURL)
	}
	return nil
}
