package passport

import (
	"net/http"

	"github.com/gopassport/passport/strategy"
)

// SessionLoginStrategy returns a strategy that succeeds with the user logged in
// on the request's session, and passes when there is none: Passport's
// "session" strategy. Register it to accept either a bearer token or the
// browser session on one route:
//
//	auth.Use("session", auth.SessionLoginStrategy())
//	e.GET("/api/me", me, auth.AuthenticateAny([]string{"jwt", "session"}, passport.Stateless()).Middleware())
//
// The Session middleware must run on the route. Accept the session cookie
// only on routes that do not change state, or behind a CSRF check: a
// browser sends the cookie with cross-site requests that a bearer token
// never rides along on.
func (a *Authenticator[U]) SessionLoginStrategy() strategy.Strategy[U] {
	return strategy.Func[U](func(r *http.Request) (strategy.Result[U], error) {
		u, ok, err := strategy.CurrentUser[U](r.Context())
		if err != nil {
			return strategy.Result[U]{}, err
		}
		if !ok {
			return strategy.Pass[U](), nil
		}
		return strategy.Success(u, strategy.Info{}), nil
	})
}
