package passport

import (
	"fmt"

	"github.com/labstack/echo/v4"
)

// Route is an Authenticate route: strategies to try in order and what to do
// with their outcome. Build it with [Authenticator.Authenticate] and mount
// it with [Route.Middleware] or [Route.Handler].
type Route[U any] struct {
	a        *Authenticator[U]
	names    []string
	cfg      routeConfig
	callback func(echo.Context, Outcome[U]) error
	err      error
}

// Authenticate builds a route that authenticates with the strategy called
// name. Options set redirects, flash messages, stateless use, account
// linking or a custom callback. An unknown strategy or a contradictory set
// of options is reported when the route is built: see [Route.Err].
func (a *Authenticator[U]) Authenticate(name string, opts ...Option) *Route[U] {
	return a.AuthenticateAny([]string{name}, opts...)
}

// AuthenticateAny builds a route that tries the strategies in order, as
// Passport's authenticate([...]) does: the first success or redirect
// decides; a pass or a fail moves on. When every strategy failed, the
// response carries the first status a failure set (else 401), and at 401
// every strategy's challenge becomes its own WWW-Authenticate header. When
// none decided (all passed), the next handler runs unauthenticated.
func (a *Authenticator[U]) AuthenticateAny(names []string, opts ...Option) *Route[U] {
	rt := &Route[U]{a: a, names: append([]string(nil), names...)}
	for _, o := range opts {
		o(&rt.cfg)
	}
	rt.err = rt.validate()
	return rt
}

// validate returns the route's configuration mistake, wrapping
// ErrInvalidConfig.
func (rt *Route[U]) validate() error {
	if len(rt.names) == 0 {
		return fmt.Errorf("%w: Authenticate needs at least one strategy", ErrInvalidConfig)
	}
	for _, n := range rt.names {
		if _, ok := rt.a.Strategy(n); !ok {
			return fmt.Errorf("%w: unknown strategy %q (register it with Use first)", ErrInvalidConfig, n)
		}
	}
	c := &rt.cfg
	if c.callback != nil {
		fn, ok := c.callback.(func(echo.Context, Outcome[U]) error)
		if !ok {
			return fmt.Errorf("%w: Callback has type %T; want %T", ErrInvalidConfig, c.callback, rt.callback)
		}
		rt.callback = fn
	}
	needsSession := !c.stateless && c.assignTo == "" && rt.callback == nil
	usesSession := c.successFlash != nil || c.failureFlash != nil || c.successMessage != nil || c.failureMessage != nil || c.returnTo
	if (needsSession || usesSession) && rt.a.sessions == nil {
		return fmt.Errorf("%w: this route logs in or sets flash messages but the Authenticator has no Config.Sessions (use Stateless for APIs)", ErrInvalidConfig)
	}
	if c.stateless && c.assignTo != "" {
		return fmt.Errorf("%w: Stateless and AssignTo do not go together", ErrInvalidConfig)
	}
	return nil
}

// Err reports why the route cannot be built, an error wrapping
// [ErrInvalidConfig], nil when it can: the error [Route.Middleware] would
// panic with. [Route.Handler] also needs a success redirect or a Callback.
func (rt *Route[U]) Err() error { return rt.err }

// Middleware returns the route as Echo middleware: on success without a
// redirect, the next handler runs with the user set. A request the route's
// [Skipper] skips goes to the next handler at once, no strategy run. It
// panics when the route is not valid ([Route.Err]), at construction only.
func (rt *Route[U]) Middleware() echo.MiddlewareFunc {
	if rt.err != nil {
		panic(rt.err)
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if rt.cfg.skipper != nil && rt.cfg.skipper(c) {
				return next(c)
			}
			return rt.serve(c, next)
		}
	}
}

// Handler returns the route as an Echo handler whose outcome is the whole
// response: it needs a success redirect or a Callback. When every strategy
// passed, it answers 401. A request the route's [Skipper] skips is
// answered as if every strategy had passed, no strategy run: the Callback
// receives KindPass, or the answer is 401. It panics when the route is not
// valid ([Route.Err]) or has neither a success redirect nor a Callback, at
// construction only.
func (rt *Route[U]) Handler() echo.HandlerFunc {
	h, err := rt.handler()
	if err != nil {
		panic(err)
	}
	return h
}

// handler is Handler returning its error.
func (rt *Route[U]) handler() (echo.HandlerFunc, error) {
	if rt.err != nil {
		return nil, rt.err
	}
	if rt.cfg.successRedirect == "" && rt.callback == nil {
		return nil, fmt.Errorf("%w: Handler needs SuccessRedirect, SuccessReturnToOrRedirect or Callback (else use Middleware)", ErrInvalidConfig)
	}
	return func(c echo.Context) error {
		if rt.cfg.skipper != nil && rt.cfg.skipper(c) {
			return rt.allPassed(c, nil)
		}
		return rt.serve(c, nil)
	}, nil
}
