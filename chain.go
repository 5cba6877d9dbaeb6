package passport

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport/strategy"
)

// WrapHandler adapts a net/http handler to Echo, as echo.WrapHandler
// does, for handlers that authenticate through [Authenticator.Chain] (the
// token endpoints of strategy/jwt): when Echo has an IPExtractor, the
// client IP it finds is put in the request's context
// ([strategy.WithClientIP]), so that the strategies throttle and audit by
// the same address as on a route, not by a proxy's.
func WrapHandler(h http.Handler) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if c.Echo().IPExtractor != nil {
			r = r.WithContext(strategy.WithClientIP(r.Context(), c.RealIP()))
		}
		h.ServeHTTP(c.Response(), r)
		return nil
	}
}

// Chain returns the named strategies as one [strategy.Strategy], for code
// that authenticates a request outside an Echo route: the token endpoints
// of strategy/jwt (jwt.CheckWith(auth.Chain("local"), ...)), a net/http
// handler, another framework. It runs them in order as a route does: the
// first success or redirect is the result, a pass moves on, and when
// every strategy that decided failed, the result is the first failure
// that set a status (Passport's rule for the response status), else the
// first failure. A strategy's error or panic is an error naming it.
//
// Like a route, it writes the audit records of [Config.Audit]: a
// "login_failed" when all failed and, with an Audit logger, a "login"
// (stateless) on success. The client IP is [strategy.ClientIP] of the
// request. It sets no session, user or response: the caller acts on the
// result. An unknown name is a wiring mistake, so Chain panics, as
// Middleware does.
func (a *Authenticator[U]) Chain(names ...string) strategy.Strategy[U] {
	rt := a.AuthenticateAny(names, Stateless())
	if rt.err != nil {
		panic(rt.err)
	}
	return chain[U]{a: a, names: rt.names}
}

// chain is the strategy of [Authenticator.Chain].
type chain[U any] struct {
	a     *Authenticator[U]
	names []string
}

// Authenticate runs the strategies on r.
func (ch chain[U]) Authenticate(r *http.Request) (strategy.Result[U], error) {
	a := ch.a
	var failures []Failure
	var first strategy.Result[U]
	for _, name := range ch.names {
		s, ok := a.Strategy(name)
		if !ok {
			return strategy.Result[U]{}, fmt.Errorf("passport: strategy %q is no longer registered", name)
		}
		res, err := run(s, r)
		if err != nil {
			return strategy.Result[U]{}, fmt.Errorf("passport: strategy %q: %w", name, err)
		}
		switch res.Kind {
		case strategy.KindSuccess:
			if a.audit != nil {
				a.auditLogin(r.Context(), strategy.ClientIP(r), name, res.User)
			}
			return res, nil
		case strategy.KindRedirect:
			return res, nil
		case strategy.KindFail:
			if len(failures) == 0 || (first.Status == 0 && res.Status != 0) {
				first = res
			}
			failures = append(failures, Failure{Strategy: name, Challenge: res.Challenge, Status: res.Status, Message: res.Info.Message, Type: res.Info.Type, Reason: res.Reason, Header: res.Header, Username: res.Username})
		case strategy.KindPass:
		default:
			return strategy.Result[U]{}, fmt.Errorf("passport: strategy %q returned no outcome", name)
		}
	}
	if len(failures) == 0 {
		return strategy.Pass[U](), nil
	}
	if a.audit != nil {
		a.auditFailure(r.Context(), strategy.ClientIP(r), failures, first.FailStatus())
	}
	return first, nil
}
