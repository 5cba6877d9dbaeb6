package oauth

import (
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
