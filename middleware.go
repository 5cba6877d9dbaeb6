package passport

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/gopassport/passport/session"
)

// SessionConfig configures the Session middleware. The zero SessionConfig
// is the default.
type SessionConfig struct {
	// Skipper defines a function to skip the middleware, for example for
	// static files: a skipped request has no session, so nobody is logged
	// in on it. Optional. Default middleware.DefaultSkipper (never).
	Skipper middleware.Skipper
}

// Validate reports a configuration mistake of cfg, wrapping
// [ErrInvalidConfig]. Every SessionConfig is valid today; the Session
// middleware's one mistake, an Authenticator without Config.Sessions, is
// known from [Authenticator.SessionManager] returning nil.
func (cfg SessionConfig) Validate() error { return nil }

// Session returns the middleware that binds the login session to each
// request, with the default configuration: see
// [Authenticator.SessionWithConfig].
func (a *Authenticator[U]) Session() echo.MiddlewareFunc {
	return a.SessionWithConfig(SessionConfig{})
}

// SessionWithConfig returns the middleware that binds the login session to
// each request. Nothing is decoded until something asks for the session or
// the user; the session is saved, if it changed, just before the response
// header is written. It panics, at construction only, with an error
// wrapping [ErrInvalidConfig] when cfg is not valid ([SessionConfig.Validate])
// or the Authenticator has no session manager (Config.Sessions).
func (a *Authenticator[U]) SessionWithConfig(cfg SessionConfig) echo.MiddlewareFunc {
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	if a.sessions == nil {
		panic(fmt.Errorf("%w: the Session middleware needs Config.Sessions", ErrInvalidConfig))
	}
	skip := cfg.Skipper
	if skip == nil {
		skip = middleware.DefaultSkipper
	}
	sm := &sessionMiddleware[U]{a: a, skip: skip}
	// Echo v4 applies middleware on every request: the closure holds one
	// pointer to the configuration.
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error { return sm.serve(c, next) }
	}
}

// sessionMiddleware is the configuration of one Session middleware.
type sessionMiddleware[U any] struct {
	a    *Authenticator[U]
	skip middleware.Skipper
}

// serve binds the session to c, runs next and saves the session.
func (sm *sessionMiddleware[U]) serve(c echo.Context, next echo.HandlerFunc) error {
	if sm.skip(c) {
		return next(c)
	}
	a := sm.a
	mgr := a.sessions
	res := c.Response()
	r := c.Request()
	st := &reqState[U]{a: a, c: c} // the session lives inside: one allocation for both
	s := &st.bound
	mgr.BindTo(s, res, r)
	st.sess = s
	r = r.WithContext(session.NewContext(r.Context(), s))
	s.SetRequest(r)
	c.SetRequest(r)
	c.Set(stateKey, st)
	if c.Get(EchoContribStoreKey) == nil {
		// The app's own echo-contrib/session middleware ran first: its
		// store stays, or its cookies would be read with ours and
		// silently dropped.
		c.Set(EchoContribStoreKey, mgr.Store())
	}
	// The save before the response header goes out is registered when the
	// session first changes: a request that only reads it, or never
	// touches it, costs no hook.
	s.OnChange(st)
	err := next(c)
	if err == nil && !res.Committed {
		a.saveLate(c, s)
	}
	if s.Tampered() {
		a.auditTamper(c, mgr.NameFor(r))
	}
	return err
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
		if clientGone(c, err) {
			// Logged by whoever met it first (fault), or nobody waits.
			a.logger.DebugContext(c.Request().Context(), "passport: session not saved, the client went away", "path", c.Path())
			return
		}
		a.logger.ErrorContext(c.Request().Context(), "passport: saving the session failed", "path", c.Path(), "err", err)
	}
}

// SessionChanged registers the save of the changed session just before
// the response header goes out; it implements [session.ChangeWatcher].
func (st *reqState[U]) SessionChanged(s *session.Session) {
	st.c.Response().Before(func() { st.a.saveLate(st.c, s) })
}
