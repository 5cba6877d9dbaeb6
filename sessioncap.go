package passport

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
)

// SessionCapPolicy says what a login does when the user already has
// Config.MaxSessions sessions.
type SessionCapPolicy int

const (
	// EndOldest lets the login in and then ends the user's oldest
	// sessions (by creation, then last activity) beyond MaxSessions, never
	// the new one. It is the default (the zero value).
	EndOldest SessionCapPolicy = iota
	// RefuseNew refuses the login while the user has MaxSessions live
	// sessions: a 403 with [strategy.MsgNotAllowed], the visitor's session
	// untouched and no cookie set.
	RefuseNew
)

// String returns the policy's name as audit records write it:
// "end_oldest" or "refuse_new".
func (p SessionCapPolicy) String() string {
	switch p {
	case EndOldest:
		return "end_oldest"
	case RefuseNew:
		return "refuse_new"
	default:
		return fmt.Sprintf("SessionCapPolicy(%d)", int(p))
	}
}

// ErrTooManySessions is wrapped by the error of a login refused under
// [RefuseNew]: the user already has Config.MaxSessions live sessions.
// [Authenticator.Login] returns it as it is; an Authenticate route answers
// it with a 403 whose message is [strategy.MsgNotAllowed] (through Echo's
// error handler, so the session is untouched and no cookie goes out; a
// FailureRedirect is not followed, since its flash would have to be saved).
var ErrTooManySessions = errors.New("passport: too many sessions")

// validateSessionCap checks Config.MaxSessions and Config.MaxSessionsPolicy
// against the session manager.
func validateSessionCap(n int, policy SessionCapPolicy, mgr *session.Manager) error {
	switch {
	case n < 0:
		return fmt.Errorf("%w: Config.MaxSessions %d is negative", ErrInvalidConfig, n)
	case policy != EndOldest && policy != RefuseNew:
		return fmt.Errorf("%w: Config.MaxSessionsPolicy %v is neither EndOldest nor RefuseNew", ErrInvalidConfig, policy)
	case n == 0 && policy != EndOldest:
		return fmt.Errorf("%w: Config.MaxSessionsPolicy is set without Config.MaxSessions", ErrInvalidConfig)
	case n == 0:
		return nil
	case mgr == nil:
		return fmt.Errorf("%w: Config.MaxSessions needs Config.Sessions", ErrInvalidConfig)
	}
	if _, ok := mgr.Store().(session.UserSessions); !ok {
		return fmt.Errorf("%w: Config.MaxSessions needs a session store that lists a user's sessions (session.UserSessions); %T cannot count them", ErrInvalidConfig, mgr.Store())
	}
	return nil
}

// userSessions returns the store's index of sessions by user when the
// Authenticator caps sessions, nil otherwise.
func (a *Authenticator[U]) userSessions() session.UserSessions {
	if a.maxSessions <= 0 || a.sessions == nil {
		return nil
	}
	us, _ := a.sessions.Store().(session.UserSessions)
	return us
}

// refuseOverCap implements RefuseNew, before anything of the login is
// written: an error wrapping ErrTooManySessions when the user whose key is
// key already has MaxSessions live sessions, not counting the request's
// own session (which the login replaces). A store fault is returned
// wrapped (strategy.ErrUnavailable kept): the login fails closed.
func (a *Authenticator[U]) refuseOverCap(c echo.Context, sess *session.Session, key string) error {
	us := a.userSessions()
	if us == nil || a.maxSessionsPolicy != RefuseNew {
		return nil
	}
	list, err := us.ListUserSessions(c.Request().Context(), key)
	if err != nil {
		return fmt.Errorf("passport: counting the sessions of the user: %w", err)
	}
	current := ""
	if id := sess.ID(); id != "" {
		current = session.Handle(id)
	}
	live := 0
	for _, rec := range list {
		if rec.Handle != current {
			live++
		}
	}
	if live < a.maxSessions {
		return nil
	}
	a.auditEvent(c, "session_cap", slog.String("user", key), slog.String("policy", RefuseNew.String()),
		slog.Int("sessions", live), slog.Int64("ended", 0), slog.Bool("refused", true))
	return fmt.Errorf("%w: the user has %d sessions, the most Config.MaxSessions allows", ErrTooManySessions, live)
}

// endOverCap implements EndOldest, once the login is saved: it ends the
// user's oldest sessions (by Created, then LastSeen) beyond MaxSessions,
// never the new one, sess. The cap is best effort: a store
// fault is logged and the login holds.
func (a *Authenticator[U]) endOverCap(c echo.Context, key string, sess *session.Session) {
	us := a.userSessions()
	if us == nil || a.maxSessionsPolicy != EndOldest {
		return
	}
	current := session.Handle(sess.ID())
	ctx := c.Request().Context()
	list, err := us.ListUserSessions(ctx, key)
	if err != nil {
		a.logger.WarnContext(ctx, "passport: listing the user's sessions for Config.MaxSessions", "path", c.Path(), "err", err)
		return
	}
	others := slices.DeleteFunc(list, func(r session.Record) bool { return r.Handle == current })
	extra := len(others) - (a.maxSessions - 1)
	if extra <= 0 {
		return
	}
	slices.SortStableFunc(others, func(x, y session.Record) int {
		if c := x.Created.Compare(y.Created); c != 0 {
			return c
		}
		return x.LastSeen.Compare(y.LastSeen)
	})
	ended := int64(0)
	for _, rec := range others[:extra] {
		if err := us.DeleteUserSession(ctx, key, rec.Handle); err != nil {
			a.logger.WarnContext(ctx, "passport: ending a session beyond Config.MaxSessions", "path", c.Path(), "err", err)
			break
		}
		ended++
	}
	a.auditEvent(c, "session_cap", slog.String("user", key), slog.String("policy", EndOldest.String()),
		slog.Int("sessions", len(others)+1), slog.Int64("ended", ended), slog.Bool("refused", false))
}

// loginFault answers a login of an Authenticate route that failed: a 403
// for a login refused by the session cap, else a fault (500, or 503 for a
// store that is down).
func (a *Authenticator[U]) loginFault(c echo.Context, strategyName string, err error) error {
	if errors.Is(err, ErrTooManySessions) {
		return echo.NewHTTPError(http.StatusForbidden, strategy.MsgNotAllowed).WithInternal(err)
	}
	return a.fault(c, strategyName, err)
}
