package passport

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
)

// fail answers a request on which every strategy failed.
func (rt *Route[U]) fail(c echo.Context, first strategy.Result[U], failures []Failure) error {
	a := rt.a
	status := 0
	for _, f := range failures {
		if f.Status != 0 {
			status = f.Status
			break
		}
	}
	if status == 0 {
		status = http.StatusUnauthorized
	}
	if a.audit != nil {
		a.auditFailure(c.Request().Context(), clientIP(c), failures, status)
	}
	if rt.callback != nil {
		return rt.callback(c, Outcome[U]{Kind: strategy.KindFail, Strategy: failures[0].Strategy, Result: first, Failures: failures, Status: status})
	}
	cfg := &rt.cfg
	if cfg.failureRedirect != "" && status != http.StatusTooManyRequests {
		if sess, ok := rt.sessionFor(c); ok {
			msg, kind := firstMessage(failures)
			a.addFlash(c, sess, cfg.failureFlashKind, "error", cfg.failureFlash, msg, kind)
			a.addFlash(c, sess, "failure-message", "", cfg.failureMessage, msg, "")
		}
		return c.Redirect(http.StatusFound, cfg.failureRedirect)
	}
	h := c.Response().Header()
	for _, f := range failures {
		if f.Status == status {
			copyHeader(h, f.Header)
		}
	}
	if status == http.StatusUnauthorized {
		for _, f := range failures {
			if f.Challenge != "" {
				h.Add(echo.HeaderWWWAuthenticate, f.Challenge)
			}
		}
	}
	msg := http.StatusText(status)
	var reasons []error
	for _, f := range failures {
		if f.Status == status || (f.Status == 0 && status == http.StatusUnauthorized) {
			if f.Message != "" && msg == http.StatusText(status) {
				msg = f.Message
			}
		}
		if f.Reason != nil {
			reasons = append(reasons, fmt.Errorf("%s: %w", f.Strategy, f.Reason))
		}
	}
	he := echo.NewHTTPError(status, msg)
	if len(reasons) > 0 {
		he = he.WithInternal(errors.Join(reasons...))
	}
	return he
}

func (rt *Route[U]) sessionFor(c echo.Context) (*session.Session, bool) {
	st := rt.a.state(c)
	if st == nil || st.sess == nil {
		return nil, false
	}
	return st.sess, true
}

// firstMessage returns the first failure's message and its flash kind.
func firstMessage(failures []Failure) (message, kind string) {
	for _, f := range failures {
		if f.Message != "" {
			return f.Message, f.Type
		}
	}
	return "", ""
}
