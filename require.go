package passport

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport/strategy"
)

// RequireOption configures [Authenticator.RequireLogin].
type RequireOption func(*requireConfig)

type requireConfig struct {
	loginURL   string
	flash      string
	challenges []string
	remember   bool
}

// LoginURL is where RequireLogin sends a browser that is not logged in.
// Without it every anonymous request gets a 401.
func LoginURL(url string) RequireOption {
	return func(c *requireConfig) { c.loginURL = url }
}

// LoginFlash is the "error" flash shown on the login page after
// RequireLogin redirected there. Default [strategy.MsgPleaseLogIn]
// ("Please log in to see that page."); empty disables it. It is
// translated with Config.Translate when it is written.
func LoginFlash(message string) RequireOption {
	return func(c *requireConfig) { c.flash = message }
}

// Challenges are the WWW-Authenticate headers of RequireLogin's 401, such
// as `Bearer realm="api"`.
func Challenges(challenges ...string) RequireOption {
	return func(c *requireConfig) { c.challenges = append(c.challenges, challenges...) }
}

// RememberPath sets whether RequireLogin remembers the page asked for, so
// that SuccessReturnToOrRedirect brings the user back to it after login.
// Default true; only GET and HEAD requests are remembered.
func RememberPath(remember bool) RequireOption {
	return func(c *requireConfig) { c.remember = remember }
}

// RequireLogin returns middleware that lets a request through only with a
// user (from the session or an earlier Authenticate route). A browser that
// is not logged in is sent to LoginURL with a flash, the page it asked for
// remembered; an API client (one that asks for JSON, or an XMLHttpRequest),
// or any client when no LoginURL is set, gets a 401 with the Challenges. A
// fault while loading the user is a 500.
func (a *Authenticator[U]) RequireLogin(opts ...RequireOption) echo.MiddlewareFunc {
	cfg := requireConfig{flash: strategy.MsgPleaseLogIn, remember: true}
	for _, o := range opts {
		o(&cfg)
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			_, ok, err := a.LoadUser(c)
			if err != nil {
				return a.fault(c, "session", err)
			}
			if ok {
				return next(c)
			}
			r := c.Request()
			if cfg.loginURL != "" && !wantsJSON(r) {
				if sess, ok := GetSession(c); ok {
					if cfg.remember && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
						if back := SafeReturnTo(r.URL.RequestURI()); back != "/" || r.URL.RequestURI() == "/" {
							sess.Set(ReturnToKey, back)
						}
					}
					if cfg.flash != "" {
						sess.AddFlash("error", a.translate.Translate(r.Context(), cfg.flash))
					}
				}
				return c.Redirect(http.StatusFound, cfg.loginURL)
			}
			for _, ch := range cfg.challenges {
				c.Response().Header().Add(echo.HeaderWWWAuthenticate, ch)
			}
			return echo.NewHTTPError(http.StatusUnauthorized, http.StatusText(http.StatusUnauthorized))
		}
	}
}

// RequireLogout returns middleware for pages only anonymous visitors should
// see (the login and register forms): a logged-in user is sent to
// redirectTo (default "/").
func (a *Authenticator[U]) RequireLogout(redirectTo string) echo.MiddlewareFunc {
	if redirectTo == "" {
		redirectTo = "/"
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
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

// wantsJSON reports whether the client is a script rather than a page
// navigation.
func wantsJSON(r *http.Request) bool {
	if strings.EqualFold(r.Header.Get("X-Requested-With"), "XMLHttpRequest") {
		return true
	}
	accept := r.Header.Get(echo.HeaderAccept)
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html")
}
