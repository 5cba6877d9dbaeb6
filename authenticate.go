package passport

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
)

// serve runs the strategies for one request.
func (rt *Route[U]) serve(c echo.Context, next echo.HandlerFunc) error {
	a := rt.a
	st := a.state(c) // nil on a route without the Session middleware
	r := rt.strategyRequest(c, st)
	var failures []Failure
	var first strategy.Result[U]
	for i, name := range rt.names {
		s, ok := a.Strategy(name)
		if !ok {
			return a.fault(c, name, fmt.Errorf("passport: strategy %q is no longer registered", name))
		}
		res, err := run(s, r)
		if err != nil {
			if rt.callback != nil {
				return rt.callback(c, Outcome[U]{Strategy: name, Err: err, Failures: failures})
			}
			return a.fault(c, name, err)
		}
		switch res.Kind {
		case strategy.KindSuccess:
			return rt.success(c, st, next, i, res)
		case strategy.KindRedirect:
			if res.Location == "" {
				return a.fault(c, name, fmt.Errorf("passport: strategy %q redirected nowhere", name))
			}
			if rt.callback != nil {
				return rt.callback(c, Outcome[U]{Kind: strategy.KindRedirect, Strategy: name, Result: res, Failures: failures})
			}
			return c.Redirect(res.RedirectStatus(), res.Location)
		case strategy.KindFail:
			if len(failures) == 0 {
				first = res
			}
			failures = append(failures, Failure{Strategy: name, Challenge: res.Challenge, Status: res.Status, Message: res.Info.Message, Type: res.Info.Type, Reason: res.Reason, Header: res.Header, Username: res.Username})
		case strategy.KindPass:
		default:
			return a.fault(c, name, fmt.Errorf("passport: strategy %q returned no outcome", name))
		}
	}
	if len(failures) == 0 {
		return rt.allPassed(c, next)
	}
	return rt.fail(c, first, failures)
}

// allPassed answers a request on which no strategy decided: the Callback
// gets KindPass; else the next handler runs unauthenticated, or a handler
// route answers 401.
func (rt *Route[U]) allPassed(c echo.Context, next echo.HandlerFunc) error {
	if rt.callback != nil {
		return rt.callback(c, Outcome[U]{Kind: strategy.KindPass})
	}
	if next == nil {
		return echo.NewHTTPError(http.StatusUnauthorized, http.StatusText(http.StatusUnauthorized))
	}
	return next(c)
}

// strategyRequest returns the request strategies see: its context carries
// the client IP (when the app configured how to find it) and a loader of
// the user already logged in.
func (rt *Route[U]) strategyRequest(c echo.Context, st *reqState[U]) *http.Request {
	r := c.Request()
	ctx := r.Context()
	changed := false
	if c.Echo().IPExtractor != nil {
		ctx = strategy.WithClientIP(ctx, clientIP(c))
		changed = true
	}
	if st != nil && st.sess != nil {
		a := rt.a
		ctx = strategy.WithUserLoader(ctx, func(ctx context.Context) (U, bool, error) { return a.loadUser(ctx, st) })
		changed = true
	}
	if !changed {
		return r
	}
	r = r.WithContext(ctx)
	if st != nil && st.sess != nil {
		st.sess.SetRequest(r)
	}
	c.SetRequest(r) // a strategy that parses the form leaves it parsed for the handler
	return r
}

// run calls the strategy, turning a panic into a fault.
func run[U any](s strategy.Strategy[U], r *http.Request) (res strategy.Result[U], err error) {
	defer func() {
		if p := recover(); p != nil {
			res = strategy.Result[U]{}
			err = fmt.Errorf("passport: strategy panicked: %v\n%s", p, debug.Stack())
		}
	}()
	return s.Authenticate(r)
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		for _, v := range vs {
			dst.Add(k, v)
		}
	}
}

func (rt *Route[U]) success(c echo.Context, st *reqState[U], next echo.HandlerFunc, i int, res strategy.Result[U]) error {
	a := rt.a
	name := rt.names[i]
	if rt.callback != nil {
		// Headers a success asks for (a device cookie) go out with the
		// callback's response, as with a login's below.
		copyHeader(c.Response().Header(), res.Header)
		return rt.callback(c, Outcome[U]{Kind: strategy.KindSuccess, Strategy: name, Result: res})
	}
	cfg := &rt.cfg
	switch {
	case cfg.assignTo != "":
		c.Set(assignedKey(cfg.assignTo), res.User)
	case cfg.stateless:
		if st != nil {
			st.user, st.ok, st.loaded, st.err = res.User, true, true, nil
			st.strategy, st.info = name, res.Info
		} else {
			// No Session middleware: keep the user in echo.Context without
			// allocating a state (a pointer-shaped U boxes for free, and the
			// name is a pointer into the route).
			c.Set(statelessUserKey, res.User)
			c.Set(statelessNameKey, &rt.names[i])
			if !infoIsZero(&res.Info) {
				info := res.Info
				c.Set(statelessInfoKey, &info)
			}
		}
		if a.audit != nil {
			a.auditLogin(c.Request().Context(), clientIP(c), name, res.User)
		}
	default:
		if st == nil || st.sess == nil {
			return a.fault(c, name, session.ErrNoSession)
		}
		sess := st.sess
		if err := sess.Load(); err != nil {
			return a.fault(c, name, err)
		}
		target := cfg.successRedirect
		back, hasBack := "", false
		if cfg.returnTo {
			back, hasBack = sess.Get(ReturnToKey)
			if hasBack {
				if safe := SafeReturnTo(back); safe != "/" || back == "/" {
					target = safe
				}
			}
		}
		prepare := func(sess *session.Session) {
			if hasBack {
				sess.Delete(ReturnToKey)
			}
			a.addFlash(c, sess, cfg.successFlashKind, "success", cfg.successFlash, res.Info.Message, res.Info.Type)
			a.addFlash(c, sess, "success-message", "", cfg.successMessage, res.Info.Message, "")
		}
		if err := a.login(c, st, res.User, name, prepare); err != nil {
			return a.loginFault(c, name, err)
		}
		// Headers a success asks for (a device cookie) go out only once the
		// login holds: a login that failed to save sends none of them.
		copyHeader(c.Response().Header(), res.Header)
		st.info = res.Info
		if target != "" {
			return c.Redirect(http.StatusFound, target)
		}
		return rt.continueOrRespond(c, next)
	}
	if cfg.successRedirect != "" {
		return c.Redirect(http.StatusFound, cfg.successRedirect)
	}
	return rt.continueOrRespond(c, next)
}

func (rt *Route[U]) continueOrRespond(c echo.Context, next echo.HandlerFunc) error {
	if next == nil {
		return c.NoContent(http.StatusNoContent)
	}
	return next(c)
}

// addFlash adds the route's flash message, if it asks for one: its own
// text (configured), else the strategy's. The kind is the route's own
// (routeKind), else, for the strategy's text, the strategy's Info.Type,
// else defaultKind: Passport's failureFlash { type, message }, true or a
// string. The message is translated here, once (Config.Translate).
func (a *Authenticator[U]) addFlash(c echo.Context, sess *session.Session, routeKind, defaultKind string, configured *string, fromStrategy, strategyKind string) {
	if configured == nil {
		return
	}
	msg, kind := *configured, routeKind
	if msg == "" {
		msg = fromStrategy
		if kind == "" {
			kind = strategyKind
		}
	}
	if kind == "" {
		kind = defaultKind
	}
	if msg != "" {
		sess.AddFlash(kind, a.translate.Translate(c.Request().Context(), msg))
	}
}

// fault answers a fault of ours: logged with its cause, a bare 500 to the
// client through Echo's error handler; or, for a store that is down
// ([strategy.ErrUnavailable]), a 503 with Retry-After.
func (a *Authenticator[U]) fault(c echo.Context, strategyName string, err error) error {
	if clientGone(c, err) {
		// The client hung up (or its deadline passed) while we worked:
		// not a fault of ours, logged once below ERROR. Nobody reads the
		// answer.
		a.logger.InfoContext(c.Request().Context(), "passport: the client went away", "strategy", strategyName, "path", c.Path(), "err", err)
		return echo.NewHTTPError(StatusClientClosedRequest).WithInternal(err)
	}
	if errors.Is(err, strategy.ErrUnavailable) {
		// A store is down: nobody is let in, no cookie is cleared, and the
		// client is told to come back rather than shown a server error.
		a.logger.WarnContext(c.Request().Context(), "passport: a store is unavailable", "strategy", strategyName, "path", c.Path(), "err", err)
		c.Response().Header().Set(echo.HeaderRetryAfter, a.retryUnavailable)
		return echo.NewHTTPError(http.StatusServiceUnavailable, http.StatusText(http.StatusServiceUnavailable)).WithInternal(err)
	}
	a.logger.ErrorContext(c.Request().Context(), "passport: authentication fault", "strategy", strategyName, "path", c.Path(), "err", err)
	return echo.NewHTTPError(http.StatusInternalServerError, http.StatusText(http.StatusInternalServerError)).WithInternal(err)
}

// StatusClientClosedRequest is the status of a request whose client went
// away before the answer (nginx's 499): nobody receives it, but the
// error handler and the access log see a client's doing, not a 500.
const StatusClientClosedRequest = 499

// clientGone reports whether err comes from the request's own context
// ending: the client closed the connection or its deadline passed.
func clientGone(c echo.Context, err error) bool {
	ctx := c.Request().Context()
	return ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded))
}
