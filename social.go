package passport

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
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
		h, err := a.Authenticate(name, opts...).ToHandler()
		if err != nil {
			return fmt.Errorf("passport: MountOAuth(%q): %w", name, err)
		}
		routes[name] = h
	}
	serve := func(c echo.Context) error {
		h, ok := routes[c.Param("provider")]
		if !ok {
			return echo.NewHTTPError(http.StatusNotFound, http.StatusText(http.StatusNotFound))
		}
		return h(c)
	}
	g.GET("/:provider", serve)
	g.GET("/:provider"+OAuthCallbackSuffix, serve)
	g.POST("/:provider"+OAuthCallbackSuffix, serve)
	return nil
}
