package session

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/securecookie"
	"github.com/gorilla/sessions"

	"github.com/gopassport/passport/internal/httpsyntax"
)

// Keys the manager keeps in every session. Apps should not write them.
const (
	createdKey = "_created" // unix seconds when the session was first saved
	seenKey    = "_seen"    // unix seconds of the last recorded activity
	flashKey   = "_flash."  // prefix of flash lists, followed by the kind
)

// Config configures a [Manager].
type Config struct {
	// Store keeps the sessions. Required. Any gorilla sessions.Store works;
	// this module provides [CookieStore] and server-side stores in
	// session/sqlstore and session/redisstore.
	Store sessions.Store
	// Name is the cookie name. Optional. Default "passport". Whenever the
	// cookie is Secure (the request came over TLS, or Secure is set) it is
	// called "__Host-" + Name, or "__Secure-" + Name when a Domain or a
	// Path other than "/" rules "__Host-" out: browsers accept a "__Host-"
	// cookie only from a secure origin, with Secure, Path=/ and no Domain,
	// so a sibling subdomain (or a man in the middle on plain HTTP) cannot
	// plant one. Over plain HTTP the bare name is used. It must be an
	// RFC 6265 cookie name (no spaces, controls or separators such as
	// '=', ';', ',') and must not start with "__".
	Name string
	// HostPrefix gives the cookie the "__Host-" prefix on every request,
	// plain HTTP included, and forces Secure. Optional. Default false: the
	// prefix is already used whenever the cookie is Secure; HostPrefix only
	// adds plain-HTTP requests (browsers accept Secure cookies from
	// http://localhost).
	HostPrefix bool
	// Secure forces the Secure attribute, and with it the "__Host-" prefix.
	// Optional. Default false: Secure is set whenever the request came over
	// TLS. Set it when a proxy terminates TLS in front of the app.
	Secure bool
	// Domain of the cookie. Optional. Default none (host-only, the safest).
	// It must be a host name such as "example.com", not a URL.
	Domain string
	// Path of the cookie. Optional. Default "/". It must start with '/'.
	Path string
	// SameSite of the cookie. Optional. Default http.SameSiteLaxMode: Strict
	// would drop the cookie on the way back from an OAuth provider, None
	// would send it with cross-site POSTs.
	SameSite http.SameSite
	// IdleTimeout ends a session that saw no request for this long.
	// Optional. Default 2 hours. Negative disables it. It must not be
	// longer than AbsoluteTimeout, which would end every session first.
	IdleTimeout time.Duration
	// AbsoluteTimeout ends a session this long after it began, however
	// active. Optional. Default 24 hours; it is also the cookie's Max-Age.
	// It must not be negative: a session always ends.
	AbsoluteTimeout time.Duration
	// TouchInterval is how stale the record of a session's last activity
	// may get before a request rewrites it: the session is then saved
	// (a new Set-Cookie on the cookie store, a write on a server-side
	// store) once per TouchInterval of activity at most, and the idle
	// timeout is honoured to within TouchInterval. Optional. Default a
	// minute, or a tenth of IdleTimeout when that is shorter. It must not
	// be negative nor longer than half of IdleTimeout.
	TouchInterval time.Duration
	// Logger receives faults that cannot be returned, such as a failed save
	// after the handler returned. Optional. Default slog.Default().
	Logger *slog.Logger
	// Now returns the current time. Optional, for tests. Default time.Now.
	Now func() time.Time
	// Revocations, when set, records every session that a logout, a login
	// or passport's LogoutAll ended, and refuses it when its cookie comes
	// back: it makes logout bite for the cookie store, whose sealed
	// cookies are the sessions themselves. It costs one call per request
	// that loads a session. A server-side store needs none: deleting its
	// record ends the session. Optional. Default none.
	Revocations Revocations
}

// Manager binds sessions to requests: cookie options, lazy loading,
// timeouts, regeneration, flash messages, and saving once per request only
// when something changed. Create one with [New]; it is safe for concurrent
// use.
type Manager struct {
	store    sessions.Store
	name     string           // the bare name, for requests whose cookie is not Secure
	prefixed string           // the name of a Secure cookie: "__Host-" or "__Secure-" + name
	opts     sessions.Options // template; Secure decided per request
	secure   bool
	idle     time.Duration
	absolute time.Duration
	touch    time.Duration // how stale _seen may get before it is rewritten
	logger   *slog.Logger
	now      func() time.Time

	revocations Revocations
}

// ErrInvalidConfig is wrapped by the errors that [New] returns for a
// configuration mistake.
var ErrInvalidConfig = errors.New("session: invalid config")

// New returns a Manager, or an error wrapping [ErrInvalidConfig] when cfg
// is not usable: no Store, a Name that is not an RFC 6265 cookie name, a
// Path or Domain a browser would not keep, HostPrefix with a Domain or a
// Path other than "/", an unknown SameSite, a negative AbsoluteTimeout, or
// an IdleTimeout longer than the AbsoluteTimeout (which could never fire).
// Zero values mean the documented defaults.
func New(cfg Config) (*Manager, error) {
	if cfg.Store == nil {
		return nil, fmt.Errorf("%w: Store is required", ErrInvalidConfig)
	}
	m := &Manager{
		store:    cfg.Store,
		name:     cfg.Name,
		secure:   cfg.Secure,
		idle:     cfg.IdleTimeout,
		absolute: cfg.AbsoluteTimeout,
		logger:   cfg.Logger,
		now:      cfg.Now,

		revocations: cfg.Revocations,
	}
	if m.name == "" {
		m.name = "passport"
	}
	if !httpsyntax.IsToken(m.name) {
		return nil, fmt.Errorf("%w: Name %q is not a cookie name (RFC 6265 token: no spaces, controls or separators)", ErrInvalidConfig, m.name)
	}
	if strings.HasPrefix(m.name, "__") {
		return nil, fmt.Errorf("%w: Name %q starts with \"__\": the __Host- or __Secure- prefix is added by the manager", ErrInvalidConfig, m.name)
	}
	path := cfg.Path
	if path == "" {
		path = "/"
	}
	if !strings.HasPrefix(path, "/") || !validCookieAttr(path) {
		return nil, fmt.Errorf("%w: Path %q must start with '/' and hold no ';' or control characters", ErrInvalidConfig, path)
	}
	if cfg.Domain != "" && !validCookieDomain(cfg.Domain) {
		return nil, fmt.Errorf("%w: Domain %q is not a host name (no scheme, port or path)", ErrInvalidConfig, cfg.Domain)
	}
	if cfg.Domain == "" && path == "/" {
		m.prefixed = "__Host-" + m.name
	} else {
		m.prefixed = "__Secure-" + m.name
	}
	if cfg.HostPrefix {
		if cfg.Domain != "" || path != "/" {
			return nil, fmt.Errorf("%w: HostPrefix needs Path \"/\" and no Domain (a __Host- cookie has both)", ErrInvalidConfig)
		}
		m.secure = true
	}
	if m.secure {
		m.name = m.prefixed
	}
	if m.idle == 0 {
		m.idle = 2 * time.Hour
	}
	if m.absolute < 0 {
		return nil, fmt.Errorf("%w: AbsoluteTimeout %v is negative (a session always ends)", ErrInvalidConfig, m.absolute)
	}
	if m.absolute == 0 {
		m.absolute = 24 * time.Hour
	}
	if cfg.IdleTimeout > m.absolute {
		return nil, fmt.Errorf("%w: IdleTimeout %v is longer than AbsoluteTimeout %v, so it never ends a session", ErrInvalidConfig, cfg.IdleTimeout, m.absolute)
	}
	if cfg.SameSite < 0 || cfg.SameSite > http.SameSiteNoneMode {
		return nil, fmt.Errorf("%w: SameSite %d is not an http.SameSite mode", ErrInvalidConfig, cfg.SameSite)
	}
	m.touch = time.Minute
	if m.idle > 0 && m.idle/10 < m.touch {
		m.touch = m.idle / 10
	}
	switch t := cfg.TouchInterval; {
	case t < 0:
		return nil, fmt.Errorf("%w: TouchInterval %v is negative", ErrInvalidConfig, t)
	case t > 0 && m.idle > 0 && t > m.idle/2:
		return nil, fmt.Errorf("%w: TouchInterval %v is longer than half of IdleTimeout %v: an active session could time out", ErrInvalidConfig, t, m.idle)
	case t > 0:
		m.touch = t
	}
	sameSite := cfg.SameSite
	if sameSite == 0 {
		sameSite = http.SameSiteLaxMode
	}
	if sameSite == http.SameSiteNoneMode {
		m.secure = true // browsers refuse SameSite=None without Secure
		m.name = m.prefixed
	}
	m.opts = sessions.Options{
		Path:     path,
		Domain:   cfg.Domain,
		MaxAge:   int(m.absolute / time.Second),
		HttpOnly: true,
		SameSite: sameSite,
	}
	if m.logger == nil {
		m.logger = slog.Default()
	}
	if m.now == nil {
		m.now = time.Now
	}
	if lt, ok := cfg.Store.(Lifetimes); ok {
		// A server-side store expires its records when their sessions end.
		lt.SetLifetimes(m.idle, m.absolute)
	}
	return m, nil
}

// Name returns the cookie name of a request over plain HTTP, prefix
// included when the cookie is always Secure (Secure, HostPrefix or
// SameSite=None). [Manager.NameFor] gives the name for a given request.
func (m *Manager) Name() string { return m.name }

// NameFor returns the cookie name for the request r: "__Host-" + Name (or
// "__Secure-" + Name with a Domain or Path) when the cookie is Secure for
// r, else the bare Name. A cookie of the other spelling is not read: over
// TLS, a bare "passport" cookie planted by a sibling host is ignored.
func (m *Manager) NameFor(r *http.Request) string {
	if r.TLS != nil {
		return m.prefixed
	}
	return m.name
}

// Store returns the store sessions are kept in.
func (m *Manager) Store() sessions.Store { return m.store }

// Bind returns the session of the request r answered through w. Nothing is
// read until the session is first used. Bind does not put the session into
// r's context: see [NewContext] and [Manager.Middleware].
func (m *Manager) Bind(w http.ResponseWriter, r *http.Request) *Session {
	s := new(Session)
	m.BindTo(s, w, r)
	return s
}

// BindTo is [Manager.Bind] into s, which it resets: for an adapter that
// keeps the session inside its own per-request state, one allocation
// fewer per request. s must not be in use by another request.
func (m *Manager) BindTo(s *Session, w http.ResponseWriter, r *http.Request) {
	*s = Session{m: m, w: w, r: r, name: m.NameFor(r)}
}

// Middleware is the net/http form: it binds the session, puts it in the
// request's context, and saves it (when changed) just before the response
// header is written, or after next returns if nothing was written.
func (m *Manager) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &saveWriter{ResponseWriter: w}
		s := m.Bind(sw, r)
		sw.s = s
		r = r.WithContext(NewContext(r.Context(), s))
		s.SetRequest(r)
		next.ServeHTTP(sw, r)
		sw.saveOnce()
	})
}

// optionsFor returns the cookie options for a request.
func (m *Manager) optionsFor(r *http.Request) *sessions.Options {
	o := m.opts
	o.Secure = m.secure || r.TLS != nil
	return &o
}

// isAnonymousError reports whether a store's error means "no usable
// session" rather than a fault: a cookie that does not decode, or a record
// that is gone.
func isAnonymousError(err error) bool {
	var sc securecookie.Error
	if errors.As(err, &sc) && sc.IsDecode() {
		return true
	}
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrInvalidCookie)
}

// saveWriter saves the session just before the header goes out.
type saveWriter struct {
	http.ResponseWriter
	s     *Session
	saved bool
}

func (w *saveWriter) saveOnce() {
	if w.saved {
		return
	}
	w.saved = true
	if err := w.s.saveIfChanged(); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			w.s.m.logger.Debug("session: ended by a concurrent request", "err", err)
			return
		}
		w.s.m.logger.Error("session: save failed", "err", err)
	}
}

func (w *saveWriter) WriteHeader(code int) {
	w.saveOnce()
	w.ResponseWriter.WriteHeader(code)
}

func (w *saveWriter) Write(b []byte) (int, error) {
	w.saveOnce()
	return w.ResponseWriter.Write(b)
}

func (w *saveWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// validCookieAttr reports whether v can be a cookie attribute's value:
// visible ASCII or spaces, without ';'.
func validCookieAttr(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < ' ' || c >= 0x7f || c == ';' {
			return false
		}
	}
	return true
}

// validCookieDomain reports whether d is a bare host name, with an
// optional leading dot: dot-separated labels of letters, digits, '-' and
// '_'. A scheme, a port or a path (a URL given where a host is meant) is
// refused.
func validCookieDomain(d string) bool {
	d = strings.TrimPrefix(d, ".")
	if d == "" || len(d) > 253 {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}
