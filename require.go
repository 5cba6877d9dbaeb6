package passport

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/gopassport/passport/strategy"
)

// RequireLoginConfig configures the RequireLogin middleware. The zero
// RequireLoginConfig is the default.
type RequireLoginConfig struct {
	// Skipper defines a function to skip the middleware: a skipped request
	// goes on to the next handler whether or not anybody is logged in, and
	// the user is not loaded. Optional. Default middleware.DefaultSkipper
	// (never).
	Skipper middleware.Skipper
	// LoginURL is where a browser that is not logged in is sent. Optional.
	// Default "": every anonymous request gets a 401.
	LoginURL string
	// LoginFlash is the "error" flash shown on the login page after a
	// redirect to LoginURL. It is translated with Config.Translate when it
	// is written. Optional. Default [strategy.MsgPleaseLogIn] ("Please log
	// in to see that page.").
	LoginFlash string
	// DisableLoginFlash writes no flash at the redirect to LoginURL.
	// Optional. Default false. Setting it with LoginFlash is a
	// configuration error.
	DisableLoginFlash bool
	// DisableRememberPath stops the middleware remembering the page asked
	// for before the redirect to LoginURL (under [ReturnToKey], for
	// SuccessReturnToOrRedirect to bring the user back to it after login).
	// Optional. Default false: a GET or HEAD request's page is remembered.
	DisableRememberPath bool
	// Challenges are the WWW-Authenticate headers of the 401, such as
	// `Bearer realm="api"`. Optional. Default none.
	Challenges []string
}

// Validate reports a configuration mistake of cfg, wrapping
// [ErrInvalidConfig] and naming the field: LoginFlash with
// DisableLoginFlash, a LoginURL or challenge with a control character (a
// header it is written to would be split), or an empty challenge.
func (cfg RequireLoginConfig) Validate() error {
	if cfg.LoginFlash != "" && cfg.DisableLoginFlash {
		return fmt.Errorf("%w: RequireLoginConfig.LoginFlash and DisableLoginFlash are both set", ErrInvalidConfig)
	}
	if hasControl(cfg.LoginURL) {
		return fmt.Errorf("%w: RequireLoginConfig.LoginURL %q holds a control character", ErrInvalidConfig, cfg.LoginURL)
	}
	for _, ch := range cfg.Challenges {
		if ch == "" || hasControl(ch) {
			return fmt.Errorf("%w: RequireLoginConfig.Challenges entry %q is empty or holds a control character", ErrInvalidConfig, ch)
		}
	}
	return nil
}

// RequireLogin returns the RequireLogin middleware with the default
// configuration (no LoginURL: every anonymous request gets a 401): see
// [Authenticator.RequireLoginWithConfig].
func (a *Authenticator[U]) RequireLogin() echo.MiddlewareFunc {
	return a.RequireLoginWithConfig(RequireLoginConfig{})
}

// RequireLoginWithConfig returns middleware that lets a request through
// only with a user (from the session or an earlier Authenticate route). A
// browser that is not logged in is sent to LoginURL with a flash, the page
// it asked for remembered; an API client (one that asks for JSON, or an
// XMLHttpRequest), or any client when no LoginURL is set, gets a 401 with
// the Challenges. A fault while loading the user is a 500. It panics, at
// construction only, when cfg is not valid ([RequireLoginConfig.Validate]).
func (a *Authenticator[U]) RequireLoginWithConfig(cfg RequireLoginConfig) echo.MiddlewareFunc {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	skip := cfg.Skipper
	if skip == nil {
		skip = middleware.DefaultSkipper
	}
	flash := cfg.LoginFlash
	if flash == "" && !cfg.DisableLoginFlash {
		flash = strategy.MsgPleaseLogIn
	}
	rl := &requireLogin[U]{a: a, skip: skip, flash: flash, loginURL: cfg.LoginURL,
		remember: !cfg.DisableRememberPath, challenges: slices.Clone(cfg.Challenges)}
	// Echo v4 applies a route's middleware on every request: the closure
	// holds one pointer to the configuration, not a copy of each field.
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error { return rl.serve(c, next) }
	}
}

// requireLogin is the configuration of one RequireLogin middleware.
type requireLogin[U any] struct {
	a          *Authenticator[U]
	skip       middleware.Skipper
	flash      string
	loginURL   string
	remember   bool
	challenges []string
}

// serve lets c through to next with a user, and answers it otherwise.
func (rl *requireLogin[U]) serve(c echo.Context, next echo.HandlerFunc) error {
	if rl.skip(c) {
		return next(c)
	}
	a := rl.a
	_, ok, err := a.LoadUser(c)
	if err != nil {
		return a.fault(c, "session", err)
	}
	if ok {
		return next(c)
	}
	r := c.Request()
	if rl.loginURL != "" && !wantsJSON(r) {
		if sess, ok := SessionFrom(c); ok {
			if rl.remember && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
				if back := SafeReturnTo(r.URL.RequestURI()); back != "/" || r.URL.RequestURI() == "/" {
					sess.Set(ReturnToKey, back)
				}
			}
			if rl.flash != "" {
				sess.AddFlash("error", a.translate.Translate(r.Context(), rl.flash))
			}
		}
		return c.Redirect(http.StatusFound, rl.loginURL)
	}
	for _, ch := range rl.challenges {
		c.Response().Header().Add(echo.HeaderWWWAuthenticate, ch)
	}
	return echo.NewHTTPError(http.StatusUnauthorized, http.StatusText(http.StatusUnauthorized))
}

// RequireLogoutConfig configures the RequireLogout middleware. The zero
// RequireLogoutConfig is the default.
type RequireLogoutConfig struct {
	// Skipper defines a function to skip the middleware: a skipped request
	// goes on to the next handler even with a user logged in. Optional.
	// Default middleware.DefaultSkipper (never).
	Skipper middleware.Skipper
	// RedirectTo is where a logged-in user is sent. Optional. Default "/".
	RedirectTo string
}

// Validate reports a configuration mistake of cfg, wrapping
// [ErrInvalidConfig]: a RedirectTo with a control character.
func (cfg RequireLogoutConfig) Validate() error {
	if hasControl(cfg.RedirectTo) {
		return fmt.Errorf("%w: RequireLogoutConfig.RedirectTo %q holds a control character", ErrInvalidConfig, cfg.RedirectTo)
	}
	return nil
}

// RequireLogout returns middleware for pages only anonymous visitors should
// see (the login and register forms): a logged-in user is sent to
// redirectTo ("" is "/"). See [Authenticator.RequireLogoutWithConfig].
func (a *Authenticator[U]) RequireLogout(redirectTo string) echo.MiddlewareFunc {
	return a.RequireLogoutWithConfig(RequireLogoutConfig{RedirectTo: redirectTo})
}

// RequireLogoutWithConfig returns middleware for pages only anonymous
// visitors should see: a logged-in user is sent to cfg.RedirectTo. A fault
// while loading the user is a 500. It panics, at construction only, when
// cfg is not valid ([RequireLogoutConfig.Validate]).
func (a *Authenticator[U]) RequireLogoutWithConfig(cfg RequireLogoutConfig) echo.MiddlewareFunc {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	skip := cfg.Skipper
	if skip == nil {
		skip = middleware.DefaultSkipper
	}
	redirectTo := cfg.RedirectTo
	if redirectTo == "" {
		redirectTo = "/"
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if skip(c) {
				return next(c)
			}
			_, ok, err := a.LoadUser(c)
			if err != nil {
				return a.fault(c, "session", err)
			}
			if ok {
				return c.Redirect(http.StatusFound, redirectTo)
			}
			return next(c)
		}
	}
}

// hasControl reports whether s holds an ASCII control character.
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

// wantsJSON reports whether the client is a script rather than a page
// navigation.
func wantsJSON(r *http.Request) bool {
	if strings.EqualFold(r.Header.Get("X-Requested-With"), "XMLHttpRequest") {
		return true
	}
	accept := r.Header.Get(echo.HeaderAccept)
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html")
}
