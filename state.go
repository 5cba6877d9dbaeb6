package passport

import (
	"context"
	"errors"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
)

// Keys in echo.Context.
const (
	stateKey = "passport.state"
	// EchoContribStoreKey is the echo.Context key under which
	// github.com/labstack/echo-contrib/session looks for its store. The
	// Session middleware puts the manager's store there only when nothing
	// is there yet: an app's own echo-contrib middleware keeps its store
	// whether it runs before or after passport's. Read passport's own
	// session with [SessionFrom], never with echo-contrib's Get.
	EchoContribStoreKey = "_session_store"
)

// reqState is what passport knows about one request.
type reqState[U any] struct {
	sess     *session.Session // &bound, or nil on a route without the Session middleware
	bound    session.Session
	a        *Authenticator[U] // with c, for the save the Session middleware registers
	c        echo.Context
	loaded   bool // the user was looked up (or set)
	ok       bool // a user is authenticated
	user     U
	err      error // fault while loading the user
	strategy string
	info     strategy.Info
}

// state returns the request's state, nil when neither Session() nor an
// Authenticate route ran.
func (a *Authenticator[U]) state(c echo.Context) *reqState[U] {
	st, _ := c.Get(stateKey).(*reqState[U])
	return st
}

// Keys of a stateless success on a route without the Session middleware.
const (
	statelessUserKey = "passport.stateless.user"
	statelessNameKey = "passport.stateless.strategy"
	statelessInfoKey = "passport.stateless.info"
)

func infoIsZero(i *strategy.Info) bool {
	return i.Message == "" && i.Type == "" && len(i.Scope) == 0 && len(i.Extra) == 0
}

// LoadUser returns the user of this request: the one a strategy
// authenticated, else the one whose key is in the session, deserialized at
// most once per request. err reports a fault (the store or Deserialize
// failed); a user that no longer exists is logged out silently and is not
// an error.
func (a *Authenticator[U]) LoadUser(c echo.Context) (user U, ok bool, err error) {
	st := a.state(c)
	if st == nil {
		u, ok := c.Get(statelessUserKey).(U)
		return u, ok, nil
	}
	return a.loadUser(c.Request().Context(), st)
}

func (a *Authenticator[U]) loadUser(ctx context.Context, st *reqState[U]) (user U, ok bool, err error) {
	if st.loaded {
		return st.user, st.ok, st.err
	}
	st.loaded = true
	if st.sess == nil {
		return user, false, nil
	}
	if err := st.sess.Load(); err != nil {
		st.err = err
		return user, false, err
	}
	key, found := st.sess.Get(UserKey)
	if !found || key == "" {
		return user, false, nil
	}
	u, err := a.deserialize(ctx, key)
	if errors.Is(err, ErrUserNotFound) {
		st.sess.Delete(UserKey)
		return user, false, nil
	}
	if err != nil {
		st.err = err
		return user, false, err
	}
	st.user, st.ok, st.strategy = u, true, "session"
	return u, true, nil
}

// User returns the user of this request and whether there is one. A fault
// while loading reads as "nobody": use [Authenticator.LoadUser] or
// [Authenticator.RequireLogin] where a fault must be a 500.
func (a *Authenticator[U]) User(c echo.Context) (U, bool) {
	u, ok, _ := a.LoadUser(c)
	return u, ok
}

// IsAuthenticated reports whether the request has a user.
func (a *Authenticator[U]) IsAuthenticated(c echo.Context) bool {
	_, ok := a.User(c)
	return ok
}

// Info returns what the strategy that authenticated this request said
// (scopes, claims, a message) and the strategy's name ("session" for a user
// restored from the session).
func (a *Authenticator[U]) Info(c echo.Context) (info strategy.Info, strategyName string, ok bool) {
	st := a.state(c)
	if st == nil {
		name, ok := c.Get(statelessNameKey).(*string)
		if !ok {
			return info, "", false
		}
		if p, ok := c.Get(statelessInfoKey).(*strategy.Info); ok {
			info = *p
		}
		return info, *name, true
	}
	if !st.ok {
		return info, "", false
	}
	return st.info, st.strategy, true
}

// SessionFrom returns the request's login session, bound by the Session
// middleware, and false on a request the Session middleware did not run
// on (or skipped).
func SessionFrom(c echo.Context) (*session.Session, bool) {
	return session.FromContext(c.Request().Context())
}

// assignedKey is where an AssignTo route keeps its user.
func assignedKey(key string) string { return "passport.assigned." + key }

// Assigned returns the user that an Authenticate route with
// AssignTo(key) authenticated on this request, leaving the logged-in user
// untouched (account linking).
func (a *Authenticator[U]) Assigned(c echo.Context, key string) (U, bool) {
	u, ok := c.Get(assignedKey(key)).(U)
	return u, ok
}

// clientIP is the client's address as the app configured it: Echo's RealIP
// when the app set an IPExtractor (which says which proxies to trust), else
// the connection's address. X-Forwarded-For is never trusted by default: a
// client could set it to dodge per-IP throttling.
func clientIP(c echo.Context) string {
	if c.Echo().IPExtractor != nil {
		return c.RealIP()
	}
	return strategy.ClientIP(c.Request())
}
