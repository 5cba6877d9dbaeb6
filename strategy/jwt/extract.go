package jwt

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gopassport/passport/strategy"
)

// Extractor finds the token in a request. It returns the token, or an
// error that wraps [strategy.ErrMissingCredentials] when the request does
// not carry one, or [strategy.ErrMalformedCredentials] when it carries one
// in a way that cannot be read (a repeated header, a value with spaces).
// Any other error is treated as malformed too.
//
// An Extractor must not keep a reference to r and must be safe for
// concurrent use. It returns the token as found, without copying, and does
// not check its length: the strategy refuses oversized tokens before it
// parses them.
type Extractor func(r *http.Request) (string, error)

// requestError is a malformed request: its text doubles as the fixed
// error_description of the 400 challenge, so it never contains request data.
type requestError string

func (e requestError) Error() string { return "jwt: " + string(e) }

// Unwrap ties every requestError to strategy.ErrMalformedCredentials.
func (e requestError) Unwrap() error { return strategy.ErrMalformedCredentials }

// missingError is an absent token; it unwraps to
// strategy.ErrMissingCredentials.
type missingError string

func (e missingError) Error() string { return "jwt: " + string(e) }

// Unwrap ties every missingError to strategy.ErrMissingCredentials.
func (e missingError) Unwrap() error { return strategy.ErrMissingCredentials }

const (
	errNoToken         missingError = "no token"
	errRepeatedHeader  requestError = "repeated authorization header"
	errRepeatedValue   requestError = "token sent more than once"
	errMalformedHeader requestError = "malformed authorization header"
	errUnreadableForm  requestError = "unreadable form"
)

// Bearer returns the default extractor: the token of an
// "Authorization: Bearer <token>" header (RFC 6750 section 2.1). The
// scheme is matched case-insensitively and may be followed by one or more
// spaces.
//
// A request without an Authorization header, or with one of another scheme
// (Basic, for instance), has no token. Two Authorization headers, or a
// bearer value holding spaces (a second credential, a list), are
// malformed: the strategy answers 400 invalid_request. The token's
// alphabet is checked by the strategy after its size, so that an oversized
// header costs no more than a length check.
func Bearer() Extractor {
	return AuthScheme("Bearer")
}

// AuthScheme is like [Bearer] for another scheme of the Authorization
// header, such as "JWT" or "Token". scheme must not be empty.
func AuthScheme(scheme string) Extractor {
	return func(r *http.Request) (string, error) {
		values := r.Header.Values("Authorization")
		switch len(values) {
		case 0:
			return "", errNoToken
		case 1:
		default:
			return "", errRepeatedHeader
		}
		v := values[0]
		if len(v) < len(scheme) || !strings.EqualFold(v[:len(scheme)], scheme) {
			return "", errNoToken
		}
		rest := v[len(scheme):]
		if rest == "" {
			return "", errNoToken
		}
		if rest[0] != ' ' {
			// "Bearerx": another scheme whose name starts like ours.
			return "", errNoToken
		}
		rest = strings.TrimLeft(rest, " ")
		if rest == "" {
			return "", errNoToken
		}
		if hasBlank(rest) {
			return "", errMalformedHeader
		}
		return rest, nil
	}
}

// Header returns an extractor that reads the header name, whose value must
// start with prefix (matched case-insensitively; an empty prefix takes the
// whole value). Surrounding blanks are trimmed. A header that is absent or
// does not start with prefix yields no token; a header sent twice, or a
// token holding spaces, is malformed.
//
// Header("X-Auth-Token", "") reads a bare token; Header("Authorization",
// "Token ") reads a token of another scheme (prefer [AuthScheme] for the
// Authorization header, which also applies RFC 7235's grammar).
func Header(name, prefix string) Extractor {
	name = http.CanonicalHeaderKey(name)
	return func(r *http.Request) (string, error) {
		values := r.Header[name]
		switch len(values) {
		case 0:
			return "", errNoToken
		case 1:
		default:
			return "", errRepeatedValue
		}
		v := values[0]
		if len(v) < len(prefix) || !strings.EqualFold(v[:len(prefix)], prefix) {
			return "", errNoToken
		}
		tok := strings.TrimSpace(v[len(prefix):])
		if tok == "" {
			return "", errNoToken
		}
		if hasBlank(tok) {
			return "", errMalformedHeader
		}
		return tok, nil
	}
}

// Cookie returns an extractor that reads the cookie name. Two cookies of
// that name are malformed (a sign of cookie tossing from a sibling
// domain), an empty one yields no token.
//
// A token in a cookie is sent by the browser on every request, including
// cross-site ones: routes that change state need CSRF protection when they
// accept it (SameSite=Lax or Strict cookies and a CSRF token).
func Cookie(name string) Extractor {
	return func(r *http.Request) (string, error) {
		cookies := r.CookiesNamed(name)
		switch len(cookies) {
		case 0:
			return "", errNoToken
		case 1:
		default:
			return "", errRepeatedValue
		}
		if cookies[0].Value == "" {
			return "", errNoToken
		}
		return cookies[0].Value, nil
	}
}

// Form returns an extractor that reads the field of an
// application/x-www-form-urlencoded request body (RFC 6750 section 2.2
// uses "access_token"). The query string is not read, and multipart bodies
// are not parsed. It calls [http.Request.ParseForm], which reads the body
// (at most 10 MB); limit the body with [http.MaxBytesReader] before
// authenticating when that matters. A field sent twice is malformed.
func Form(field string) Extractor {
	return func(r *http.Request) (string, error) {
		if err := r.ParseForm(); err != nil {
			return "", errUnreadableForm
		}
		return single(r.PostForm[field])
	}
}

// Query returns an extractor that reads the query parameter param (RFC
// 6750 section 2.3 uses "access_token").
//
// Security: a token in a URL ends up in server and proxy access logs, in
// the browser's history and in the Referer header sent to other sites, so
// it can be stolen long after it was used. Use it only where no header can
// be set (an EventSource or a WebSocket handshake from a browser) and with
// short-lived tokens. A parameter sent twice is malformed.
func Query(param string) Extractor {
	return func(r *http.Request) (string, error) {
		if r.URL == nil || r.URL.RawQuery == "" {
			return "", errNoToken
		}
		return single(r.URL.Query()[param])
	}
}

// single returns the one token of a field's values: none or an empty one
// is no token, two are malformed.
func single(values []string) (string, error) {
	switch {
	case len(values) > 1:
		return "", errRepeatedValue
	case len(values) == 0 || values[0] == "":
		return "", errNoToken
	}
	return values[0], nil
}

// Chain returns an extractor that tries extractors in order: the first one
// that finds a token, or reports a malformed request, decides. When none
// finds a token the request has none.
func Chain(extractors ...Extractor) Extractor {
	list := make([]Extractor, 0, len(extractors))
	for _, e := range extractors {
		if e != nil {
			list = append(list, e)
		}
	}
	return func(r *http.Request) (string, error) {
		for _, e := range list {
			tok, err := e(r)
			if err == nil {
				return tok, nil
			}
			if !isMissing(err) {
				return "", err
			}
		}
		return "", errNoToken
	}
}

// isMissing reports whether err says that no token was found. It avoids
// errors.Is on the hot path for the package's own error values.
func isMissing(err error) bool {
	if m, ok := err.(missingError); ok {
		return m != ""
	}
	return errors.Is(err, strategy.ErrMissingCredentials)
}

// hasBlank reports whether s holds a space, the separator of a second
// credential. It is a single vectorized scan, so an oversized header costs
// little; other characters (tabs included) are checked by the strategy
// after the size limit.
func hasBlank(s string) bool {
	return strings.IndexByte(s, ' ') >= 0
}
