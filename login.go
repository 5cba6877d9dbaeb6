package passport

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
)

// Login logs user in on this request's session: the session is regenerated
// (a new ID server-side, the old record deleted, the defence against
// session fixation), everything but the return-to URL, flash messages and
// Config.KeepOnLogin is dropped, the serialized user is written, and the
// session is saved before Login returns, so a redirect that follows finds
// it. The Session middleware must run on the route.
//
// When regenerating fails (the store could not delete the old record),
// Login returns the error and the visitor's session is left as it was.
// When saving fails, Login returns the error and nobody is logged in: the
// user key is gone, IsAuthenticated is false for the rest of the request,
// nothing of the attempt is saved at the end of the request, and no
// session cookie goes out.
//
// With Config.MaxSessions, a login under [RefuseNew] whose user already
// has that many sessions returns an error wrapping [ErrTooManySessions]
// (the session untouched, nobody logged in), and one under [EndOldest]
// ends the user's oldest sessions once it is saved.
func (a *Authenticator[U]) Login(c echo.Context, user U) error {
	st := a.state(c)
	if st == nil || st.sess == nil {
		return session.ErrNoSession
	}
	return a.login(c, st, user, "login", nil)
}

// login logs user in; prepare, when set, runs on the regenerated session
// before it is saved (the route's flash messages and return-to), so that a
// failed regeneration leaves the session untouched.
func (a *Authenticator[U]) login(c echo.Context, st *reqState[U], user U, strategyName string, prepare func(*session.Session)) error {
	key, err := a.serialize(user)
	if err != nil {
		return fmt.Errorf("passport: serializing the user: %w", err)
	}
	if key == "" {
		return fmt.Errorf("passport: Serialize returned an empty key")
	}
	sess := st.sess
	if err := sess.Load(); err != nil {
		return err
	}
	// The session cap's RefuseNew, before anything changes: a refused
	// login leaves the session as it was and sets no cookie.
	if err := a.refuseOverCap(c, sess, key); err != nil {
		return err
	}
	// Regenerate first: when it fails, nothing has changed yet.
	if err := sess.Regenerate(); err != nil {
		return err
	}
	sess.Clear(a.keepOnLogin...)
	if prepare != nil {
		prepare(sess)
	}
	sess.Set(UserKey, key)
	err = refreshCSRF(c, sess)
	if err == nil {
		err = sess.Save()
	}
	if err != nil {
		// Nobody is logged in: forget the attempt, in the session (so
		// the end-of-request save cannot make it stick) and for the rest
		// of the request.
		sess.Discard()
		st.setNobody()
		return err
	}
	st.user, st.ok, st.loaded, st.err = user, true, true, nil
	st.strategy = strategyName
	a.auditEvent(c, "login", slog.String("strategy", strategyName), slog.String("user", key))
	// The session cap's EndOldest, once the new session exists in the
	// store.
	a.endOverCap(c, key, sess)
	return nil
}

// Logout ends the session: its server-side record is deleted and the
// request goes on with a fresh anonymous session that keeps the flash
// messages and Config.KeepOnLogin. A copy of the old cookie is anonymous
// from now on with a server-side store; with a cookie store it stays valid
// until it expires. The request has no user after Logout, even when it
// returns an error (the store failed).
func (a *Authenticator[U]) Logout(c echo.Context) error {
	st := a.state(c)
	if st == nil || st.sess == nil {
		c.Set(statelessUserKey, nil)
		c.Set(statelessNameKey, nil)
		c.Set(statelessInfoKey, nil)
		if st != nil {
			st.setNobody()
		}
		return session.ErrNoSession
	}
	st.setNobody()
	sess := st.sess
	if err := sess.Load(); err != nil {
		return err
	}
	key, _ := sess.Get(UserKey)
	if err := sess.Destroy(a.keepOnLogout...); err != nil {
		return err
	}
	if err := refreshCSRF(c, sess); err != nil {
		return err
	}
	if err := sess.Save(); err != nil {
		return err
	}
	if key != "" {
		a.auditEvent(c, "logout", slog.String("user", key))
	}
	return nil
}

// setNobody records that the request has no user.
func (st *reqState[U]) setNobody() {
	var zero U
	st.user, st.ok, st.loaded, st.err = zero, false, true, nil
	st.strategy, st.info = "", strategy.Info{}
}

func (a *Authenticator[U]) auditLogin(ctx context.Context, ip, strategyName string, user U) {
	if a.audit == nil || !a.auditStateless {
		return
	}
	key, err := a.serialize(user)
	if err != nil {
		key = ""
	}
	a.auditRecord(ctx, ip, slog.LevelInfo, "login", slog.String("strategy", strategyName), slog.String("user", key), slog.Bool("stateless", true))
}

func (a *Authenticator[U]) auditFailure(ctx context.Context, ip string, failures []Failure, status int) {
	if a.audit == nil {
		return
	}
	names := make([]string, 0, len(failures))
	reasons := make([]string, 0, len(failures))
	username := ""
	for _, f := range failures {
		names = append(names, f.Strategy)
		if f.Reason != nil {
			reasons = append(reasons, f.Reason.Error())
		}
		if username == "" {
			username = f.Username
		}
	}
	attrs := []slog.Attr{slog.Any("strategies", names), slog.Int("status", status), slog.Any("reasons", reasons)}
	if username != "" {
		attrs = append(attrs, slog.String("username", escapeForLog(username)))
	}
	a.auditRecord(ctx, ip, slog.LevelInfo, "login_failed", attrs...)
}

// auditTamper records a session cookie that did not open: forged,
// corrupted, or sealed with a key the app no longer has. It is logged
// apart from failed logins (at Warn) so that an operator can tell an
// attack from a bug; the cookie's value is never logged.
func (a *Authenticator[U]) auditTamper(c echo.Context, cookie string) {
	a.auditAt(c, slog.LevelWarn, "session.tamper", slog.String("cookie", cookie), slog.String("path", escapeForLog(c.Request().URL.Path)))
}

// auditEvent writes one audit record at Info level with the client IP.
func (a *Authenticator[U]) auditEvent(c echo.Context, event string, attrs ...slog.Attr) {
	a.auditAt(c, slog.LevelInfo, event, attrs...)
}

func (a *Authenticator[U]) auditAt(c echo.Context, level slog.Level, event string, attrs ...slog.Attr) {
	if a.audit == nil {
		return
	}
	a.auditRecord(c.Request().Context(), clientIP(c), level, event, attrs...)
}

// auditRecord writes one audit record with the client IP ip.
func (a *Authenticator[U]) auditRecord(ctx context.Context, ip string, level slog.Level, event string, attrs ...slog.Attr) {
	if a.audit == nil {
		return
	}
	all := make([]slog.Attr, 0, len(attrs)+2) // one allocation for the record's attributes
	all = append(all, slog.String("event", event))
	all = append(all, attrs...)
	all = append(all, slog.String("ip", ip))
	a.audit.LogAttrs(ctx, level, auditMessage(event), all...)
}

// auditMessage is the message of an audit record: "passport: " and the
// event, without building the string for the usual events.
func auditMessage(event string) string {
	switch event {
	case "login":
		return "passport: login"
	case "logout":
		return "passport: logout"
	case "login_failed":
		return "passport: login_failed"
	}
	return "passport: " + event
}

// maxLoggedUsername bounds the username a failed login's record carries.
const maxLoggedUsername = 128

// escapeForLog makes an untrusted string safe for any log handler: control
// characters, newlines, invalid UTF-8 and non-printing runes become Go
// escapes (so a username cannot forge a second log line), and it is cut to
// maxLoggedUsername bytes of the original.
func escapeForLog(s string) string {
	cut := false
	if len(s) > maxLoggedUsername {
		s, cut = s[:maxLoggedUsername], true
	}
	q := strconv.Quote(s)
	q = q[1 : len(q)-1]
	if cut {
		q += "..."
	}
	return q
}
