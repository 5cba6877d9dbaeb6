package strategy

import (
	"net/http"
)

// Kind says which of the outcomes a [Result] holds.
type Kind uint8

// The outcomes of an authentication attempt. The zero Kind, KindNone, means
// the strategy produced no outcome at all, which is a bug in the strategy:
// passport answers it with a 500.
const (
	KindNone Kind = iota
	KindSuccess
	KindFail
	KindRedirect
	KindPass
)

// String returns the outcome's name: "success", "fail", "redirect", "pass" or
// "none".
func (k Kind) String() string {
	switch k {
	case KindSuccess:
		return "success"
	case KindFail:
		return "fail"
	case KindRedirect:
		return "redirect"
	case KindPass:
		return "pass"
	default:
		return "none"
	}
}

// Info is what a strategy says beside its outcome: a message meant for the
// user (shown as a flash message when the route asks for one), its type, the
// scopes that were granted and anything else the app may want to read.
type Info struct {
	// Message is a short text for the user, such as "Incorrect credentials.".
	// It must never contain a secret or reflect unescaped input.
	Message string
	// Type is the flash kind the message belongs to, such as "error",
	// "info" or "success". passport honours it when a route shows the
	// strategy's own message (SuccessFlash("") or FailureFlash("")): the
	// flash goes under this kind. Empty means the route's default:
	// "success" for a success, "error" for a fail ([Fail] sets "error"). A
	// route that names its own kind (SuccessFlashAs, FailureFlashAs)
	// overrides it.
	Type string
	// Scope lists the permissions that were granted, for example the scopes
	// of an access token.
	Scope []string
	// Extra holds anything else the strategy wants the app to see, such as
	// the token's claims or the provider's raw profile.
	Extra map[string]any
}

// Result is the outcome of [Strategy.Authenticate]. Build one with [Success],
// [Fail], [Redirect] or [Pass]; the zero Result is no outcome at all.
//
// Result is a value: it is safe to copy and holds no reference to the request.
type Result[U any] struct {
	// Kind says which outcome this is.
	Kind Kind
	// User is the authenticated user. Set only for KindSuccess.
	User U
	// Info carries the message, scopes and extra data of a success or fail.
	Info Info
	// Challenge is the value of a WWW-Authenticate header that a fail
	// offers, such as `Basic realm="api"`. Optional.
	Challenge string
	// Status is the HTTP status of a fail (0 means 401) or of a redirect
	// (0 means 302).
	Status int
	// Location is where a redirect sends the browser.
	Location string
	// Reason explains a fail: one of this package's sentinels, such as
	// ErrMissingCredentials, or an error wrapping one (with detail for the
	// logs). It is never shown to the client; use errors.Is on it.
	Reason error
	// Header holds extra response headers the outcome wants sent: a fail's
	// Retry-After when a login is throttled, a success's Set-Cookie of a
	// device cookie. passport sends a fail's headers with the failure
	// response, and a success's with a login's response or a callback's;
	// a Stateless or AssignTo route sets no cookies and drops them.
	Header http.Header
	// Username is the identifier a fail tried (the username of a login
	// form), for the audit log: never a password or token. Optional; the
	// log escapes it and cuts it short.
	Username string
}

// Success reports that the request is authenticated as user.
func Success[U any](user U, info Info) Result[U] {
	return Result[U]{Kind: KindSuccess, User: user, Info: info}
}

// Fail reports that authentication failed: the credentials were missing or
// wrong. challenge is sent in a WWW-Authenticate header when the response is
// a 401 (it may be empty); status 0 means 401; message is a short text for the
// user.
func Fail[U any](challenge string, status int, message string) Result[U] {
	return Result[U]{Kind: KindFail, Challenge: challenge, Status: status, Info: Info{Message: message, Type: "error"}}
}

// Redirect reports that the browser must go to location first, as in the
// first leg of OAuth. status 0 means 302 Found.
func Redirect[U any](location string, status int) Result[U] {
	return Result[U]{Kind: KindRedirect, Location: location, Status: status}
}

// Pass reports that the strategy does not apply to this request: passport
// tries the next strategy, and when none decided it calls the handler
// unauthenticated.
func Pass[U any]() Result[U] {
	return Result[U]{Kind: KindPass}
}

// WithReason returns a copy of r whose Reason is err, the sentinel that
// explains a fail.
func (r Result[U]) WithReason(err error) Result[U] {
	r.Reason = err
	return r
}

// WithHeader returns a copy of r that also sends the response header key:
// value, such as Retry-After. The Header map is copied, never shared.
func (r Result[U]) WithHeader(key, value string) Result[U] {
	h := make(http.Header, len(r.Header)+1)
	for k, v := range r.Header {
		h[k] = append([]string(nil), v...)
	}
	h.Add(key, value)
	r.Header = h
	return r
}

// WithUsername returns a copy of r whose Username is name, the
// identifier a fail tried, so that the audit log can say who was tried.
func (r Result[U]) WithUsername(name string) Result[U] {
	r.Username = name
	return r
}

// WithInfo returns a copy of r with its Info replaced.
func (r Result[U]) WithInfo(info Info) Result[U] {
	r.Info = info
	return r
}

// FailStatus is the HTTP status of a fail, with 0 read as 401.
func (r Result[U]) FailStatus() int {
	if r.Status == 0 {
		return http.StatusUnauthorized
	}
	return r.Status
}

// RedirectStatus is the HTTP status of a redirect, with 0 read as 302.
func (r Result[U]) RedirectStatus() int {
	if r.Status == 0 {
		return http.StatusFound
	}
	return r.Status
}
