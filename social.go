package passport

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport/session"
)

// OAuthCallbackSuffix ends the path of the callback route that
// [Authenticator.MountOAuth] mounts; the oauth strategy tells its callback
// leg from its begin leg by it.
const OAuthCallbackSuffix = "/callback"

// MountOAuth mounts on g, for each strategy name in providers (each
// registered with Use, usually an oauth strategy from package
// strategy/oauth, or several through package providers):
//
//	GET       <g>/<name>           begins the sign-in: a redirect to the provider
//	GET|POST  <g>/<name>/callback  completes it (POST for form_post providers)
//
// Both run Authenticate(name, opts...), so opts decide what a completed
// sign-in does: SuccessRedirect or SuccessReturnToOrRedirect, and
// FailureRedirect with FailureFlash to send a failed one back to the login
// page; AssignTo (with a success redirect) links the identity to the user
// already logged in instead. Each route is built once, here: an unknown
// strategy or an unusable set of options is an error now, never a 500
// later. A request for a name not in providers is a 404.
//
// The Session middleware must run on the group (the handshake between the
// two legs lives in the session), and Config.Sessions must be set. The
// provider's registered callback URL is the app's public origin + g's
// prefix + "/<name>/callback", on the same host the browser uses.
//
// A POST callback comes from the provider's page: an app with CSRF
// middleware must skip it for these routes (the one-time state is the
// callback's CSRF protection), and a session cookie with SameSite=Lax is
// not sent on that cross-site POST, so form_post providers need
// SameSite=None.
func (a *Authenticator[U]) MountOAuth(g *echo.Group, providers []string, opts ...Option) error {
	if g == nil {
		return errors.New("passport: MountOAuth needs an Echo group")
	}
	if a.sessions == nil {
		return errors.New("passport: MountOAuth needs Config.Sessions: the sign-in handshake lives in the session")
	}
	if len(providers) == 0 {
		return errors.New("passport: MountOAuth needs at least one provider")
	}
	routes := make(map[string]echo.HandlerFunc, len(providers))
	for _, name := range providers {
		if name == "" || name == strings.TrimPrefix(OAuthCallbackSuffix, "/") || strings.ContainsAny(name, "/?#%") {
			return fmt.Errorf("passport: MountOAuth: %q cannot be a provider's path segment", name)
		}
		if _, dup := routes[name]; dup {
			return fmt.Errorf("passport: MountOAuth: provider %q listed twice", name)
		}
		h, err := a.Authenticate(name, opts...).handler()
		if err != nil {
			return fmt.Errorf("passport: MountOAuth(%q): %w", name, err)
		}
		routes[name] = h
	}
	serve := func(c echo.Context) error {
		name := c.Param("provider")
		h, ok := routes[name]
		if !ok {
			return echo.NewHTTPError(http.StatusNotFound, http.StatusText(http.StatusNotFound))
		}
		if strings.HasSuffix(c.Path(), OAuthCallbackSuffix) {
			a.keepIDToken(c)
		}
		return h(c)
	}
	g.GET("/:provider", serve)
	g.GET("/:provider"+OAuthCallbackSuffix, serve)
	g.POST("/:provider"+OAuthCallbackSuffix, serve)
	return nil
}

// OAuthIDTokenInfo is the key of a success's Info.Extra under which an
// oauth strategy with an end_session_endpoint leaves the verified ID token
// (oauth.InfoIDToken).
const OAuthIDTokenInfo = "id_token"

// ProviderLogoutKey is the session key under which a callback route of
// [Authenticator.MountOAuth] keeps the strategy's name and the ID token of
// the sign-in, for [Authenticator.ProviderLogout]. It is written after the
// login (which clears the session), so it lives as long as the logged-in
// session, and Logout's Destroy removes it.
const ProviderLogoutKey = "passport.provider_logout"

// EndSessioner is a strategy whose provider can end its own session: the
// oauth strategy with an end_session_endpoint. EndSessionURL returns the
// URL to send the browser to, and false when the provider has none.
type EndSessioner interface {
	EndSessionURL(idToken, postLogoutRedirectURI string) (string, bool)
}

// keepIDToken registers, before a callback runs, a hook that keeps the ID
// token of a successful sign-in in the session once the login is done:
// the login clears the session (keeping only the return-to URL, flashes
// and Config.KeepOnLogin), so the value is written afterwards, just before
// the response goes out, and saved.
func (a *Authenticator[U]) keepIDToken(c echo.Context) {
	c.Response().Before(func() {
		info, name, ok := a.Info(c)
		if !ok {
			return
		}
		idt, ok := info.Extra[OAuthIDTokenInfo].(string)
		if !ok || idt == "" {
			return
		}
		sess, ok := SessionFrom(c)
		if !ok {
			return
		}
		v, err := json.Marshal(providerLogout{Strategy: name, IDToken: idt})
		if err != nil {
			return
		}
		sess.Set(ProviderLogoutKey, string(v))
		if err := sess.Save(); err != nil {
			// The headers are on their way: the sign-in stands, without
			// provider logout.
			a.logger.ErrorContext(c.Request().Context(), "passport: keeping the ID token for provider logout", "strategy", name, "err", err)
		}
	})
}

// providerLogout is the value under ProviderLogoutKey.
type providerLogout struct {
	Strategy string `json:"s"`
	IDToken  string `json:"t"`
}

// ProviderLogout logs the user out (as [Authenticator.Logout]) and, when
// they signed in through a MountOAuth route of a provider that publishes
// an end_session_endpoint, returns the URL that ends their session at the
// provider too (OpenID Connect RP-Initiated Logout: id_token_hint,
// client_id, post_logout_redirect_uri). Redirect the browser there;
// "" means there is nothing to end at a provider, so redirect as Logout
// would. postLogoutRedirectURI is the absolute URL the provider sends the
// browser back to, registered with the provider.
//
// It is opt-in per route: a logout route that calls Logout ends the app's
// session only, and a provider that keeps its own session then signs the
// user straight back in at the next "Sign in with …".
//
//	e.POST("/logout", func(c echo.Context) error {
//		target, err := auth.ProviderLogout(c, "https://app.example/")
//		if err != nil {
//			return err
//		}
//		return c.Redirect(http.StatusSeeOther, cmp.Or(target, "/"))
//	})
func (a *Authenticator[U]) ProviderLogout(c echo.Context, postLogoutRedirectURI string) (string, error) {
	sess, ok := SessionFrom(c)
	if !ok {
		return "", session.ErrNoSession
	}
	if err := sess.Load(); err != nil {
		return "", err
	}
	raw, _ := sess.Get(ProviderLogoutKey)
	if err := a.Logout(c); err != nil {
		return "", err
	}
	var pl providerLogout
	if raw == "" || len(raw) > 16<<10 || json.Unmarshal([]byte(raw), &pl) != nil || pl.IDToken == "" {
		return "", nil
	}
	s, ok := a.Strategy(pl.Strategy)
	if !ok {
		return "", nil
	}
	es, ok := s.(EndSessioner)
	if !ok {
		return "", nil
	}
	target, ok := es.EndSessionURL(pl.IDToken, postLogoutRedirectURI)
	if !ok {
		return "", nil
	}
	return target, nil
}
