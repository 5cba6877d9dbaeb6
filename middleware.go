package passport

import (
	"errors"
	"io/fs"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/gopassport/passport/session"
)

// SessionConfig configures the Session middleware.
type SessionConfig struct {
	// Skipper defines a function to skip the middleware, for example for
	// static files. Optional. Default middleware.DefaultSkipper (never).
	Skipper middleware.Skipper
}

// Session returns the middleware that binds the login session to each
// request. Nothing is decoded until something asks for the session or the
// user; the session is saved, if it changed, just before the response
// header is written. It panics when the Authenticator has no session
// manager; [Authenticator.SessionMiddleware] returns an error instead.
func (a *Authenticator[U]) Session() echo.MiddlewareFunc {
	return a.SessionWithConfig(SessionConfig{})
}

// SessionWithConfig returns the Session middleware with cfg (the zero
// SessionConfig is the default). It panics on a
// configuration error, at construction only.
func (a *Authenticator[U]) SessionWithConfig(cfg SessionConfig) echo.MiddlewareFunc {
	mw, err := a.SessionMiddleware(cfg)
	if err != nil {
		panic(err)
	}
	return mw
}

// SessionMiddleware returns the Session middleware with cfg, or an error
// when the Authenticator has no session manager.
func (a *Authenticator[U]) SessionMiddleware(cfg SessionConfig) (echo.MiddlewareFunc, error) {
	if a.sessions == nil {
		return nil, errors.New("passport: Session middleware needs Config.Sessions")
	}
	skip := cfg.Skipper
	if skip == nil {
		skip = middleware.DefaultSkipper
	}
	mgr := a.sessions
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if skip(c) {
				return next(c)
			}
			res := c.Response()
			r := c.Request()
			s := mgr.Bind(res, r)
			r = r.WithContext(session.NewContext(r.Context(), s))
			s.SetRequest(r)
			c.SetRequest(r)
			c.Set(stateKey, &reqState[U]{sess: s})
			if c.Get(SessionStoreKey) == nil {
				// The app's own echo-contrib/session middleware ran
				// first: its store stays, or its cookies would be read
				// with ours and silently dropped.
				c.Set(SessionStoreKey, mgr.Store())
			}
			res.Before(func() { a.saveLate(c, s) })
			err := next(c)
			if err == nil && !res.Committed {
				a.saveLate(c, s)
			}
			if s.Tampered() {
				a.auditTamper(c, mgr.NameFor(r))
			}
			return err
		}
	}, nil
}

// saveLate saves a changed session when the response is already decided:
// a failure can only be logged.
func (a *Authenticator[U]) saveLate(c echo.Context, s *session.Session) {
	if err := s.Save(); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			// The record was deleted meanwhile (a logout or login in a
			// concurrent request): the store refused to bring it back.
			a.logger.DebugContext(c.Request().Context(), "passport: session ended by a concurrent request", "path", c.Path())
			return
		}
		a.logger.ErrorContext(c.Request().Context(), "passport: saving the session failed", "path", c.Path(), "err", err)
	}
}
