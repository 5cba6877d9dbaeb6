package passport

import (
	"net/http"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/gopassport/passport/strategy"
)

// Option changes how an Authenticate route answers. Options are per route,
// like Passport's authenticate(name, options).
type Option func(*routeConfig)

type routeConfig struct {
	successRedirect  string
	returnTo         bool // SuccessReturnToOrRedirect
	failureRedirect  string
	successFlash     *string // nil: none; "": the strategy's message
	failureFlash     *string
	successFlashKind string // "": the strategy's Info.Type, else "success"
	failureFlashKind string // "": the strategy's Info.Type, else "error"
	successMessage   *string
	failureMessage   *string
	stateless        bool
	assignTo         string
	callback         any // func(echo.Context, Outcome[U]) error, checked at build
	skipper          middleware.Skipper
}

// SuccessRedirect sends the browser to url after a successful login.
func SuccessRedirect(url string) Option {
	return func(c *routeConfig) { c.successRedirect = url }
}

// SuccessReturnToOrRedirect sends the browser back to the page it asked for
// before RequireLogin sent it to log in, else to url. The remembered path is
// honoured only as a same-origin relative path.
func SuccessReturnToOrRedirect(url string) Option {
	return func(c *routeConfig) { c.successRedirect = url; c.returnTo = true }
}

// FailureRedirect sends the browser to url when every strategy failed,
// instead of answering 401. A throttled attempt (429) is never redirected:
// its Retry-After must reach the client.
func FailureRedirect(url string) Option {
	return func(c *routeConfig) { c.failureRedirect = url }
}

// SuccessFlash adds message as a "success" flash after a login. An empty
// message uses the strategy's own (Info.Message), under the flash kind the
// strategy gave it (Info.Type), "success" when it gave none.
func SuccessFlash(message string) Option {
	return func(c *routeConfig) { c.successFlash = &message; c.successFlashKind = "" }
}

// SuccessFlashAs is SuccessFlash under the flash kind the route chooses
// (such as "info"), whatever kind the strategy gave its message: Passport's
// successFlash: { type, message }. An empty message uses the strategy's; an
// empty kind is SuccessFlash.
func SuccessFlashAs(kind, message string) Option {
	return func(c *routeConfig) { c.successFlash = &message; c.successFlashKind = kind }
}

// FailureFlash adds message as an "error" flash when every strategy failed.
// An empty message uses the first failure's own message, under the flash
// kind its strategy gave it (Info.Type), "error" when it gave none.
func FailureFlash(message string) Option {
	return func(c *routeConfig) { c.failureFlash = &message; c.failureFlashKind = "" }
}

// FailureFlashAs is FailureFlash under the flash kind the route chooses
// (such as "warning"), whatever kind the strategy gave its message:
// Passport's failureFlash: { type, message }. An empty message uses the
// first failure's; an empty kind is FailureFlash.
func FailureFlashAs(kind, message string) Option {
	return func(c *routeConfig) { c.failureFlash = &message; c.failureFlashKind = kind }
}

// SuccessMessage adds message to the session as a "success-message"
// flash after a login, as Passport's successMessage adds it to
// req.session.messages; the app reads it with Session.Flashes. An empty
// message uses the strategy's own (Info.Message).
func SuccessMessage(message string) Option {
	return func(c *routeConfig) { c.successMessage = &message }
}

// FailureMessage is the failure counterpart of SuccessMessage: a
// "failure-message" flash.
func FailureMessage(message string) Option {
	return func(c *routeConfig) { c.failureMessage = &message }
}

// Stateless sets the user for this request only: no session is read or
// written (Passport's session: false). For APIs.
func Stateless() Option {
	return func(c *routeConfig) { c.stateless = true }
}

// AssignTo puts the authenticated user under key, read back with
// [Authenticator.Assigned], leaving the logged-in user and the session
// untouched: account linking (Passport's assignProperty).
func AssignTo(key string) Option {
	return func(c *routeConfig) { c.assignTo = key }
}

// Skipper skips the route for the requests skip returns true for, as the
// Skipper of an Echo middleware's Config does: no strategy runs and nobody
// is authenticated by the route. [Route.Middleware] calls the next handler
// at once; [Route.Handler] answers as if every strategy had passed (the
// Callback receives KindPass, or the answer is 401). Optional. Default:
// never skip.
func Skipper(skip middleware.Skipper) Option {
	return func(c *routeConfig) { c.skipper = skip }
}

// Callback hands every outcome to fn instead of the default handling
// (Passport's custom callback): fn decides the response, and may call
// Login. U must be the Authenticator's user type; a mismatch is an error
// when the route is built.
func Callback[U any](fn func(c echo.Context, o Outcome[U]) error) Option {
	return func(c *routeConfig) { c.callback = fn }
}

// Outcome is what a Callback receives: the deciding result and every
// failure on the way.
type Outcome[U any] struct {
	// Kind is KindSuccess, KindRedirect or KindFail (every strategy
	// failed), or KindPass (none applied), or KindNone with Err set.
	Kind strategy.Kind
	// Strategy names the strategy that decided (success or redirect).
	Strategy string
	// Result is the deciding result; for a fail, the first failure.
	Result strategy.Result[U]
	// Failures lists every failure in the order the strategies ran.
	Failures []Failure
	// Status is the HTTP status passport would answer a fail with.
	Status int
	// Err is a fault (the strategy's error); Kind is then KindNone.
	Err error
}

// Failure is one strategy's fail.
type Failure struct {
	Strategy  string
	Challenge string
	Status    int
	Message   string
	// Type is the flash kind of Message (the fail's Info.Type), such as
	// "error"; empty when the strategy gave none.
	Type   string
	Reason error
	// Header holds the response headers the fail asked for, such as
	// Retry-After; they are sent when this failure's status wins.
	Header http.Header
	// Username is the identifier the strategy says was tried, for the
	// audit log (see [strategy.Result.Username]); empty when it gave none.
	Username string
}
