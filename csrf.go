package passport

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/gopassport/passport/internal/httpsyntax"
	"github.com/gopassport/passport/session"
)

// Reasons the CSRF middleware refuses a request, passed to
// CSRFConfig.ErrorHandler (and kept as the Internal error of the default
// 403). Check them with errors.Is.
var (
	// ErrCSRFMissing: an unsafe request carried no token.
	ErrCSRFMissing = errors.New("passport: missing csrf token")
	// ErrCSRFInvalid: the token does not belong to this session (forged,
	// from another visitor, or from before the session was regenerated at
	// login or logout).
	ErrCSRFInvalid = errors.New("passport: invalid csrf token")
	// ErrCSRFCrossSite: the browser said the request came from another site
	// (Sec-Fetch-Site: cross-site).
	ErrCSRFCrossSite = errors.New("passport: cross-site request refused")
)

// errCSRFNoSession is the fault of a CSRF middleware installed without the
// Session middleware before it.
var errCSRFNoSession = fmt.Errorf("passport: the CSRF middleware needs the Session middleware before it: %w", session.ErrNoSession)

// csrfStateKey is where the CSRF middleware tells Login and Logout under
// which ContextKey to put the token of the regenerated session.
const csrfStateKey = "passport.csrf.contextKey"

// Defaults of CSRFConfig.
const (
	defaultCSRFLookup     = "header:" + echo.HeaderXCSRFToken + ",form:_csrf"
	defaultCSRFContextKey = "csrf"
)

// csrfSecretLen is the size of a session's CSRF secret, the size of the
// mask, and so half of a decoded token.
const csrfSecretLen = 32

// csrfTokenLen is the length of a token: base64url without padding of the
// mask and the masked secret.
var csrfTokenLen = base64.RawURLEncoding.EncodedLen(2 * csrfSecretLen)

// CSRFConfig configures the CSRF middleware. The zero CSRFConfig is the
// default.
type CSRFConfig struct {
	// Skipper defines a function to skip the middleware: routes that take
	// no session cookie (an API of bearer tokens), static files, an OAuth
	// callback that a provider POSTs (form_post). Optional. Default
	// middleware.DefaultSkipper (never skip).
	Skipper middleware.Skipper
	// TokenLookup says where an unsafe request carries its token:
	// "<source>:<name>" pairs separated by commas, source "header" or
	// "form" (the POSTed form only). A token in the query string is not
	// read: URLs end up in logs and Referer headers. Every source is
	// tried; one valid token is enough. Optional. Default
	// "header:X-CSRF-Token,form:_csrf".
	TokenLookup string
	// ContextKey is the echo.Context key under which the middleware puts
	// the token (a string) for the request's pages and scripts to send
	// back. Login and Logout replace it with the new session's token.
	// Optional. Default "csrf". It must not start with "passport.": those
	// keys are passport's own.
	ContextKey string
	// ErrorHandler answers a refused request; err is ErrCSRFMissing,
	// ErrCSRFInvalid or ErrCSRFCrossSite. Optional. Default: a 403
	// *echo.HTTPError with the message "Forbidden" and err as its
	// Internal error, for every reason alike.
	ErrorHandler func(err error, c echo.Context) error
}

// csrfSource is one parsed TokenLookup entry.
type csrfSource struct {
	form bool // else a header
	name string
}

// CSRF returns the session-bound CSRF middleware with the default
// configuration: see [CSRFWithConfig].
func CSRF() echo.MiddlewareFunc {
	return CSRFWithConfig(CSRFConfig{})
}

// CSRFWithConfig returns the session-bound CSRF middleware. It panics, at
// construction only, when cfg is not valid ([CSRFConfig.Validate]).
//
// The secret lives in the login session ([session.Session.CSRFSecret]) and
// is replaced whenever the session is regenerated, at login and logout, so
// a token captured before either is refused after it. Every request the
// middleware does not skip gets a token in echo.Context under ContextKey,
// a fresh masking of the secret each time (so a page never shows the
// secret itself, and compressed pages do not leak it, as in BREACH); this
// creates the secret, and so a session, on a visitor's first page.
//
// Requests with a safe method (GET, HEAD, OPTIONS, TRACE) pass. An unsafe
// one (POST, PUT, PATCH, DELETE, …) is refused with
// ErrCSRFCrossSite when the browser says "Sec-Fetch-Site: cross-site",
// whatever token it carries; otherwise, same-origin and same-site included,
// it needs a token of this session (compared in constant time), else
// ErrCSRFMissing or ErrCSRFInvalid. Unlike Echo's CSRF middleware, a
// same-origin request is not let through without a token: the token is
// what ties the request to the session's current secret.
//
// The Session middleware must run before it; without it every request it
// does not skip is a 500. A fault of the session store is a 500 too.
func CSRFWithConfig(cfg CSRFConfig) echo.MiddlewareFunc {
	sources, key, err := cfg.parse()
	if err != nil {
		panic(err)
	}
	skip := cfg.Skipper
	if skip == nil {
		skip = middleware.DefaultSkipper
	}
	onError := cfg.ErrorHandler
	if onError == nil {
		onError = func(err error, _ echo.Context) error {
			return echo.NewHTTPError(http.StatusForbidden, http.StatusText(http.StatusForbidden)).WithInternal(err)
		}
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if skip(c) {
				return next(c)
			}
			sess, ok := SessionFrom(c)
			if !ok {
				return csrfFault(errCSRFNoSession)
			}
			r := c.Request()
			if !isSafeMethod(r.Method) {
				if strings.EqualFold(r.Header.Get(echo.HeaderSecFetchSite), "cross-site") {
					return onError(ErrCSRFCrossSite, c)
				}
				tokens := csrfTokens(r, sources)
				if len(tokens) == 0 {
					return onError(ErrCSRFMissing, c)
				}
				secret, ok, err := sess.LookupCSRFSecret()
				if err != nil {
					return csrfFault(err)
				}
				if !ok || !anyValidCSRFToken(secret, tokens) {
					return onError(ErrCSRFInvalid, c)
				}
			}
			tok, err := csrfTokenFor(sess)
			if err != nil {
				return csrfFault(err)
			}
			c.Set(key, tok)
			c.Set(csrfStateKey, key)
			return next(c)
		}
	}
}

// Validate reports a configuration mistake of cfg, an error wrapping
// [ErrInvalidConfig]: a TokenLookup that cannot be parsed or names a
// header that is not a valid header name, or a ContextKey that would
// overwrite a key of passport's own ("passport." prefixed, or
// [EchoContribStoreKey]).
func (cfg CSRFConfig) Validate() error {
	_, _, err := cfg.parse()
	return err
}

// parse returns the token sources and the context key of cfg, defaults
// applied, or its configuration mistake.
func (cfg CSRFConfig) parse() ([]csrfSource, string, error) {
	lookup := cfg.TokenLookup
	if lookup == "" {
		lookup = defaultCSRFLookup
	}
	sources, err := parseCSRFLookup(lookup)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	key := cfg.ContextKey
	if key == "" {
		key = defaultCSRFContextKey
	}
	if strings.HasPrefix(key, "passport.") || key == EchoContribStoreKey {
		return nil, "", fmt.Errorf("%w: CSRFConfig.ContextKey %q is a key of passport's own", ErrInvalidConfig, key)
	}
	return sources, key, nil
}

// CSRFToken returns a token for the request's session, creating the
// session's secret when it has none. Pages rendered by a route the CSRF
// middleware covers find one in echo.Context already; CSRFToken serves
// routes it skips (a JSON endpoint that hands a script its token).
func CSRFToken(c echo.Context) (string, error) {
	sess, ok := SessionFrom(c)
	if !ok {
		return "", errCSRFNoSession
	}
	return csrfTokenFor(sess)
}

// refreshCSRF gives a request whose session was just regenerated (Login,
// Logout) the token of the new secret, when the CSRF middleware ran.
func refreshCSRF(c echo.Context, sess *session.Session) error {
	key, ok := c.Get(csrfStateKey).(string)
	if !ok {
		return nil
	}
	tok, err := csrfTokenFor(sess)
	if err != nil {
		return err
	}
	c.Set(key, tok)
	return nil
}

func csrfFault(err error) error {
	return echo.NewHTTPError(http.StatusInternalServerError, http.StatusText(http.StatusInternalServerError)).WithInternal(err)
}

func isSafeMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return false
}

func parseCSRFLookup(lookup string) ([]csrfSource, error) {
	var out []csrfSource
	for part := range strings.SplitSeq(lookup, ",") {
		source, name, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || name == "" {
			return nil, fmt.Errorf("CSRFConfig.TokenLookup: %q is not <source>:<name>", part)
		}
		switch source {
		case "header":
			if !httpsyntax.IsToken(name) {
				return nil, fmt.Errorf("CSRFConfig.TokenLookup: %q is not a valid header name", name)
			}
			out = append(out, csrfSource{name: http.CanonicalHeaderKey(name)})
		case "form":
			out = append(out, csrfSource{form: true, name: name})
		default:
			return nil, fmt.Errorf("CSRFConfig.TokenLookup: source %q is not header or form", source)
		}
	}
	return out, nil
}

// csrfTokens returns the non-empty candidate tokens of r, one per source.
func csrfTokens(r *http.Request, sources []csrfSource) []string {
	var out []string
	for _, s := range sources {
		var v string
		if s.form {
			v = r.PostFormValue(s.name)
		} else {
			v = r.Header.Get(s.name)
		}
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

func anyValidCSRFToken(secret []byte, tokens []string) bool {
	ok := false
	for _, t := range tokens {
		if validCSRFToken(secret, t) {
			ok = true
		}
	}
	return ok
}

// csrfTokenFor masks the session's secret with fresh random bytes:
// base64url(mask || mask XOR secret).
func csrfTokenFor(sess *session.Session) (string, error) {
	secret, err := sess.CSRFSecret()
	if err != nil {
		return "", err
	}
	if len(secret) != csrfSecretLen {
		return "", fmt.Errorf("passport: csrf secret of %d bytes", len(secret))
	}
	var buf [2 * csrfSecretLen]byte
	if _, err := rand.Read(buf[:csrfSecretLen]); err != nil {
		return "", fmt.Errorf("passport: masking the csrf secret: %w", err)
	}
	subtle.XORBytes(buf[csrfSecretLen:], buf[:csrfSecretLen], secret)
	return base64.RawURLEncoding.EncodeToString(buf[:]), nil
}

// validCSRFToken reports whether token is a masking of secret. The token
// comes from the client: anything but exactly one base64url spelling of 64
// bytes is refused, and the unmasked secret is compared in constant time.
func validCSRFToken(secret []byte, token string) bool {
	if len(secret) != csrfSecretLen || len(token) != csrfTokenLen {
		return false
	}
	var buf [2 * csrfSecretLen]byte
	n, err := base64.RawURLEncoding.Strict().Decode(buf[:], []byte(token))
	if err != nil || n != len(buf) {
		return false
	}
	var unmasked [csrfSecretLen]byte
	subtle.XORBytes(unmasked[:], buf[:csrfSecretLen], buf[csrfSecretLen:])
	return subtle.ConstantTimeCompare(unmasked[:], secret) == 1
}
