package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/markbates/goth"
	"github.com/markbates/goth/providers/openidConnect"
	"golang.org/x/oauth2"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
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

// Strategy authenticates with an OAuth 2.0 or OpenID Connect provider
// through goth, in two legs on two routes:
//
//   - begin (any request whose path does not end with "/callback"): a
//     fresh state, PKCE verifier and nonce (256 random bits each) are kept
//     in the session with the goth session, and the outcome is a redirect
//     to the provider. A state sent by the caller is ignored.
//   - callback (GET, or POST for form_post): the handshake is taken out of
//     the session and the session saved before anything else, so a
//     replayed callback finds nothing; then the provider name, age and
//     state (in constant time) are checked, the code is exchanged once
//     (with the PKCE verifier and the request's context), the ID token
//     verified (OpenID Connect), the profile fetched and Verify called.
//
// The outcomes are:
//
//   - redirect: the begin leg, to the provider.
//   - success: Verify accepted the identity. Info.Extra holds "provider"
//     and "subject".
//   - fail 401: no handshake ([ErrNoHandshake]), state missing or wrong
//     ([ErrStateMismatch]), another provider's handshake
//     ([ErrProviderMismatch]), too old ([ErrExpired]), error= from the
//     provider ([ErrDenied]), the code refused at the token endpoint
//     ([ErrExchange]), ID token refused ([ErrIDToken]), Verify refused the
//     user. The message is generic and never echoes what the provider or
//     the client sent; when Verify refused with a message of the app's
//     ([strategy.WithUserMessage]), it is that one.
//   - fail 503 or 502: the provider's outage ([ErrUnavailable], with
//     [ErrExchange], [ErrProfile] or [ErrIDToken]): its token, userinfo
//     or discovery endpoint did not answer in time or could not be
//     reached (503), or answered 5xx or nonsense (502). Same message.
//   - fail 400: callback parameters that do not parse or repeat
//     ([strategy.ErrMalformedCredentials]).
//
// A fail's Reason never holds the code, the state, a token or the
// provider's response body: passport's audit log records it as it is.
//   - error: no session bound to the request (the Session middleware is
//     missing), the session store failed, or Verify failed.
//
// The request must carry a session ([session.FromContext]); a
// server-side store is what makes the handshake one-time for sure (with a
// cookie store, an old copy of the cookie still holds it, and the
// provider's one-time code is the only guard against a replay).
//
// A Strategy is safe for concurrent use.
type Strategy[U any] struct {
	provider    goth.Provider
	profile     goth.Provider // provider, or a copy holding client
	oauth2      *oauth2.Config
	authParams  url.Values
	endSession  string
	verify      VerifyFunc[U]
	name        string
	identity    string
	label       string
	key         string
	client      *http.Client
	oidc        *idTokenVerifier
	pkce        bool
	isCallback  func(*http.Request) bool
	maxAge      time.Duration
	returnParam string
	returnKey   string
	now         func() time.Time
}

var (
	_ strategy.Strategy[struct{}] = (*Strategy[struct{}])(nil)
	_ strategy.Namer              = (*Strategy[struct{}])(nil)
)

// New returns a Strategy for cfg, with the defaults filled in, or an error
// wrapping [ErrInvalidConfig].
func New[U any](cfg Config[U]) (*Strategy[U], error) {
	if cfg.Provider == nil {
		return nil, fmt.Errorf("%w: Provider is required", ErrInvalidConfig)
	}
	if cfg.Verify == nil {
		return nil, fmt.Errorf("%w: Verify is required", ErrInvalidConfig)
	}
	if cfg.MaxAge < 0 {
		return nil, fmt.Errorf("%w: negative MaxAge", ErrInvalidConfig)
	}
	s := &Strategy[U]{
		provider:    cfg.Provider,
		verify:      cfg.Verify,
		name:        cfg.Name,
		identity:    cfg.IdentityProvider,
		label:       cfg.Label,
		client:      cfg.HTTPClient,
		isCallback:  cfg.IsCallback,
		maxAge:      cfg.MaxAge,
		returnParam: cfg.ReturnToParam,
		returnKey:   cfg.ReturnToKey,
		now:         cfg.Now,
	}
	if s.name == "" {
		if err := safely("goth Provider.Name", func() error { s.name = cfg.Provider.Name(); return nil }); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
		}
	}
	if s.name == "" || strings.ContainsAny(s.name, "/?#%: \t\r\n") {
		return nil, fmt.Errorf("%w: invalid strategy name %q", ErrInvalidConfig, s.name)
	}
	if s.identity == "" {
		s.identity = s.name
	}
	if strings.Contains(s.identity, ":") {
		return nil, fmt.Errorf("%w: IdentityProvider %q contains ':'", ErrInvalidConfig, s.identity)
	}
	if s.label == "" {
		s.label = s.name
	}
	s.key = SessionKeyPrefix + s.name
	if s.client == nil {
		if c, ok := ProviderHTTPClient(cfg.Provider); ok && c != nil {
			s.client = c
		} else {
			s.client = &http.Client{Timeout: DefaultTimeout}
		}
	}
	s.profile = withHTTPClient(cfg.Provider, s.client)
	o2 := cfg.OAuth2
	if o2 == nil {
		var err error
		if o2, err = oauth2For(cfg.Provider); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
		}
	}
	if o2 != nil {
		if err := checkClient(s.name, o2); err != nil {
			return nil, err
		}
		var err error
		if s.oauth2, err = copyOAuth2(o2); err != nil {
			return nil, err
		}
		if s.authParams, err = checkAuthParams(cfg.AuthParams); err != nil {
			return nil, err
		}
	} else if len(cfg.AuthParams) > 0 {
		return nil, fmt.Errorf("%w: AuthParams need OAuth2", ErrInvalidConfig)
	}
	oidcCfg := cfg.OIDC
	if oidcCfg == nil {
		oidcCfg = oidcFor(cfg.Provider)
	}
	if oidcCfg != nil {
		if oidcCfg.Issuer == "" || oidcCfg.ClientID == "" {
			return nil, fmt.Errorf("%w: OIDC needs an Issuer and a ClientID", ErrInvalidConfig)
		}
		for _, alg := range oidcCfg.SigningAlgorithms {
			if strings.EqualFold(alg, "none") {
				return nil, fmt.Errorf("%w: the none algorithm is never accepted", ErrInvalidConfig)
			}
		}
		s.oidc = newIDTokenVerifier(*oidcCfg, s.client)
	}
	s.endSession = cfg.EndSessionURL
	if op, ok := cfg.Provider.(*openidConnect.Provider); ok && op != nil && op.OpenIDConfig != nil && s.endSession == "" {
		s.endSession = op.OpenIDConfig.EndSessionEndpoint
	}
	if s.endSession != "" {
		u, err := url.Parse(s.endSession)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "" {
			return nil, fmt.Errorf("%w: EndSessionURL %q is not an absolute http(s) URL", ErrInvalidConfig, s.endSession)
		}
		if s.oidc == nil {
			return nil, fmt.Errorf("%w: EndSessionURL needs OIDC: the logout's id_token_hint is a verified ID token", ErrInvalidConfig)
		}
	}
	switch cfg.PKCE {
	case PKCEOn:
		s.pkce = true
	case PKCEOff:
		s.pkce = false
	case PKCEAuto:
		s.pkce = s.oauth2 != nil || SendsCodeVerifier(cfg.Provider)
	default:
		return nil, fmt.Errorf("%w: unknown PKCE mode %d", ErrInvalidConfig, cfg.PKCE)
	}
	if s.isCallback == nil {
		s.isCallback = func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, CallbackSuffix) }
	}
	if s.maxAge == 0 {
		s.maxAge = DefaultMaxAge
	}
	switch s.returnParam {
	case "":
		s.returnParam = DefaultReturnToParam
	case "-":
		s.returnParam = ""
	}
	if s.returnKey == "" {
		s.returnKey = DefaultReturnToKey
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// Name returns the strategy's name (Config.Name, by default the goth
// provider's name), the one to register it under.
func (s *Strategy[U]) Name() string { return s.name }

// Label returns the provider's name for people (Config.Label, by default
// the strategy's name), for the app's page around a fail's message, which
// does not name the provider.
func (s *Strategy[U]) Label() string { return s.label }

// UsesPKCE reports whether the strategy adds an S256 code challenge to the
// authorization request and sends the verifier at the exchange.
func (s *Strategy[U]) UsesPKCE() bool { return s.pkce }

// UsesOIDC reports whether the strategy sends a nonce and verifies the ID
// token.
func (s *Strategy[U]) UsesOIDC() bool { return s.oidc != nil }

// HTTPClient returns the client of the strategy's outbound calls.
func (s *Strategy[U]) HTTPClient() *http.Client { return s.client }

// Authenticate runs the begin or the callback leg, as Config.IsCallback
// decides. See [Strategy] for the outcomes.
func (s *Strategy[U]) Authenticate(r *http.Request) (strategy.Result[U], error) {
	sess, ok := session.FromContext(r.Context())
	if !ok {
		return strategy.Result[U]{}, fmt.Errorf("oauth: %s: %w", s.name, session.ErrNoSession)
	}
	if err := sess.Load(); err != nil {
		return strategy.Result[U]{}, fmt.Errorf("oauth: %s: %w", s.name, err)
	}
	if s.isCallback(r) {
		return s.callback(r, sess)
	}
	return s.begin(r, sess)
}

// failOutage is a fail for a provider that did not answer (status 503) or
// answered nonsense (502); status 0 is a fail of the sign-in (401). The
// reason then wraps ErrUnavailable; the message is the generic one.
func (s *Strategy[U]) failOutage(status int, reason error) strategy.Result[U] {
	if status == 0 {
		return s.fail(reason)
	}
	res := s.fail(fmt.Errorf("%w (%w)", reason, ErrUnavailable))
	res.Status = status
	return res
}

// fail is a callback's fail: status 0 (401) with a generic message, or 400
// for malformed parameters. The messages are fixed texts of the catalogue,
// without the provider's label, so that an app can translate them.
func (s *Strategy[U]) fail(reason error) strategy.Result[U] {
	status, msg := 0, strategy.MsgSignInFailed
	switch {
	case errors.Is(reason, strategy.ErrMalformedCredentials):
		status = http.StatusBadRequest
	case errors.Is(reason, ErrDenied):
		msg = strategy.MsgSignInCancelled
	}
	return strategy.Fail[U]("", status, msg).WithReason(reason)
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
