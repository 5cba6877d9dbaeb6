package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/providers/devoidc"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy/local"
	"github.com/gopassport/passport/strategy/password"
	"github.com/gopassport/passport/strategy/throttle"
)

//go:embed templates static
var assets embed.FS

// Defaults of Config.
const (
	defaultDB         = "passport-demo.db"
	defaultSecretWord = "syzygy"
	bodyLimit         = "1M"
	maxFormMemory     = 1 << 20 // a multipart form larger than this goes to temporary files; BodyLimit caps it anyway
	csrfField         = "_csrf"
	csrfContextKey    = "csrf"
	secretWordKey     = "secretWord"
)

// contentSecurityPolicy allows only the app's own stylesheet and forms:
// no scripts at all, no inline style, no framing.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Config configures the demo app. The zero Config is the default.
type Config struct {
	// DB is the database: a SQLite file, created when missing, or
	// ":memory:", or a postgres:// or postgresql:// URL of a PostgreSQL
	// database, where the demo creates its tables. Optional. Default
	// "passport-demo.db" in the working directory.
	DB string
	// Sessions is where the state that instances share lives: "" for the
	// database (sessions and API tokens; the logon throttle stays in
	// memory, per instance), or a redis:// URL for Redis (sessions, the logon
	// throttle and the API's refresh tokens), so that several instances
	// with the same Redis and database file act as one site. Optional.
	Sessions string
	// SessionSecret derives the key that seals session cookies, at least 32
	// bytes. Optional. Default: a random key generated on the first run and
	// kept in the database.
	SessionSecret string
	// SecureCookies makes the session cookie Secure, and so
	// "__Host-passport", whatever the request; set it behind a proxy that
	// terminates TLS. Optional. Default false (over TLS the cookie is still
	// Secure and "__Host-" prefixed).
	SecureCookies bool
	// LogRequests logs one line per request. Optional. Default false.
	LogRequests bool
	// Logger receives faults and, with LogRequests, requests. Optional.
	// Default slog.Default().
	Logger *slog.Logger

	// BaseURL is the app's origin as browsers reach it, such as
	// "http://127.0.0.1:3000": the sign-in providers redirect back to
	// BaseURL + "/auth/<name>/callback". Use the host the browser uses
	// (127.0.0.1 and localhost keep separate cookies). Required when a
	// sign-in provider is on (DevOIDC, or credentials in Getenv); unused
	// otherwise.
	BaseURL string
	// DevOIDC starts a development OpenID Connect provider in the process
	// (package providers/devoidc, on a random 127.0.0.1 port) and offers
	// "Sign in with Dev OIDC", which signs anyone in as its test user
	// without a password: never in production. Optional. Default false;
	// the command turns it on unless -dev-oidc=false.
	DevOIDC bool
	// Getenv reads the credentials of real sign-in providers
	// (GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET, likewise GOOGLE_,
	// GITLAB_, DISCORD_, MICROSOFT_, or OIDC_ISSUER, OIDC_CLIENT_ID and
	// OIDC_CLIENT_SECRET; see providers.FromEnv). Optional. Default: none,
	// no real provider. The command passes os.Getenv.
	Getenv func(string) string

	// devOIDCUser is who Dev OIDC signs in. Tests set it. Default
	// devoidc's test user (jane.doe@example.com).
	devOIDCUser *devoidc.User
	// hasher hashes and checks passwords. Tests set a cheaper one. Default
	// the local package's defaults (argon2id, 19 MiB, 2 iterations).
	hasher *password.Hasher
	// now is the throttle's clock; tests freeze it. Default time.Now.
	now func() time.Time
	// redisPrefix starts the demo's Redis keys; tests give each their own.
	// Default "passport-demo:".
	redisPrefix string
	// logonLimit is how many wrong passwords an account may have before
	// it is locked; tests lower it. Default the throttle's (10).
	logonLimit int
}

// app is the demo: its database, authenticator and pages.
type app struct {
	e  *echo.Echo
	db database
	// shared holds the sessions, the logon throttle and the refresh
	// tokens: in the database file, or in Redis with Config.Sessions.
	shared *shared
	users  users
	auth   *passport.Authenticator[*User]
	pages  pages
	// errorHandler is passport.ErrorHandler, rendering with renderError.
	errorHandler echo.HTTPErrorHandler
	hasher       *password.Hasher
	logger       *slog.Logger
	// social is the sign-in providers; never nil.
	social *social
	// hashes counts password hash computations (hash, check, dummy check),
	// so tests can tell that a request never reached the hasher.
	hashes atomic.Int64
}

// newApp builds the demo app: the Echo server and a function that releases
// the database, the session store's background cleanup and the development
// sign-in provider.
func newApp(ctx context.Context, cfg Config) (*echo.Echo, func() error, error) {
	a, err := buildApp(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return a.e, a.close, nil
}

// buildApp is newApp, returning the whole app for tests that look inside.
func buildApp(ctx context.Context, cfg Config) (*app, error) {
	if cfg.DB == "" {
		cfg.DB = defaultDB
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	pg, err := parsePages(assets)
	if err != nil {
		return nil, err
	}
	db, err := openDB(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	keys, err := sessionKeys(ctx, db, cfg.SessionSecret)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	if err := parseSessionsURL(cfg.Sessions); err != nil {
		_ = db.Close()
		return nil, err
	}
	a := &app{db: db, users: users{db: db}, pages: pg, hasher: cfg.hasher, logger: logger}
	if a.shared, err = a.openShared(ctx, cfg, keys); err != nil {
		_ = db.Close()
		return nil, err
	}
	if a.social, err = newSocial(ctx, cfg, logger); err != nil {
		return nil, errors.Join(err, a.shared.close(), db.Close())
	}
	a.errorHandler = passport.ErrorHandler(passport.ErrorHandlerConfig{APIPrefixes: []string{"/api/"}, Render: a.renderError, Now: cfg.now, Logger: logger})
	if err := a.wire(cfg); err != nil {
		_ = a.close()
		return nil, err
	}
	if err := a.mountAPI(ctx); err != nil {
		_ = a.close()
		return nil, err
	}
	return a, nil
}

// close stops the development sign-in provider and the shared stores
// (their cleanup, or the Redis client), and closes the database.
func (a *app) close() error {
	return errors.Join(a.social.close(), a.shared.close(), a.db.Close())
}

// wire builds the authenticator and the Echo routes.
func (a *app) wire(cfg Config) error {
	mgr, err := session.New(session.Config{Store: a.shared.sessions, Secure: cfg.SecureCookies, Logger: a.logger})
	if err != nil {
		return fmt.Errorf("demo: session manager: %w", err)
	}
	auth, err := passport.New(passport.Config[*User]{
		Sessions:    mgr,
		Serialize:   func(u *User) (string, error) { return strconv.FormatInt(u.ID, 10), nil },
		Deserialize: a.users.byID,
		Logger:      a.logger,
		Audit:       a.logger, // logins, logouts, failures with the username tried, session.tamper
	})
	if err != nil {
		return err
	}
	a.auth = auth
	devices, err := throttle.NewDeviceCookies(throttle.DeviceCookieConfig{Secure: cfg.SecureCookies, Now: cfg.now})
	if err != nil {
		return err
	}
	localStrategy, err := local.New(local.Config[*User]{
		UsernameField: "email",
		PasswordField: "password",
		Verify:        a.verify,
		Throttle:      a.shared.throttle,
		Canonicalize:  accountKey, // as at registration: look-alikes reach one account and one throttle budget
		DeviceCookies: devices,
	})
	if err != nil {
		return err
	}
	if err := auth.Use("local", localStrategy); err != nil {
		return err
	}
	logonRoute := auth.Authenticate("local",
		passport.SuccessReturnToOrRedirect("/"),
		passport.FailureRedirect("/sessions/logon"),
		passport.FailureFlash("Incorrect credentials."),
	)
	if err := logonRoute.Err(); err != nil {
		return err
	}
	logon := logonRoute.Handler()
	static, err := fs.Sub(assets, "static")
	if err != nil {
		return fmt.Errorf("demo: static files: %w", err)
	}

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = a.handleError
	e.Use(middleware.Recover())
	if cfg.LogRequests {
		e.Use(requestLogger(a.logger))
	}
	e.Use(middleware.BodyLimit(bodyLimit), readForm)
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:         "0", // the old XSS auditors did more harm than good; the CSP protects
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		HSTSMaxAge:            31536000, // sent only over TLS
		ContentSecurityPolicy: contentSecurityPolicy,
		ReferrerPolicy:        "same-origin",
	}))
	isStatic := func(c echo.Context) bool { return strings.HasPrefix(c.Request().URL.Path, "/static/") }
	e.Use(auth.SessionWithConfig(passport.SessionConfig{Skipper: isStatic}))
	// The CSRF secret lives in the session (so this comes after Session)
	// and is replaced at every logon and logoff: a token captured before
	// either is refused after it.
	e.Use(passport.CSRFWithConfig(passport.CSRFConfig{
		Skipper:     func(c echo.Context) bool { return isStatic(c) || isAPI(c) || isCallbackPost(c) },
		TokenLookup: "form:" + csrfField,
		ContextKey:  csrfContextKey,
		ErrorHandler: func(error, echo.Context) error {
			// Missing, wrong, stale and cross-site tokens are the same
			// refusal here. A fresh error, so that no handler finds the
			// reason inside it.
			return echo.NewHTTPError(http.StatusForbidden, "The form has expired or did not come from this site. Reload the page and try again.")
		},
	}))

	e.StaticFS("/static/", static)
	e.GET("/", a.home)
	anonymous := auth.RequireLogout("/")
	e.GET("/sessions/register", a.registerForm, anonymous)
	e.POST("/sessions/register", a.register, anonymous)
	e.GET("/sessions/logon", a.logonForm, anonymous)
	e.POST("/sessions/logon", a.logon(logon))
	e.POST("/sessions/logoff", a.logoff)
	loggedIn := auth.RequireLoginWithConfig(passport.RequireLoginConfig{
		LoginURL:   "/sessions/logon",
		LoginFlash: "You can't access that page before logon.",
	})
	e.GET("/secretWord", a.secretWord, loggedIn)
	e.POST("/secretWord", a.setSecretWord, loggedIn)
	if err := a.mountDevices(e, loggedIn); err != nil {
		return err
	}
	if err := a.mountSocial(e); err != nil {
		return err
	}
	a.e = e
	return nil
}

// handleError renders every error with passport.ErrorHandler: a page in
// the layout (with the header of every page) for browsers, JSON under
// /api/ and for API clients, plain text otherwise. The status code is
// kept, headers already set (Retry-After of a throttled login, Allow of a
// 405, WWW-Authenticate of a 401) are kept, a 429 says how long to wait
// and links back to the form, and a 5xx shows only its status text: the
// cause goes to the log. Error pages carry the user and a CSRF token, so
// they are never cached.
func (a *app) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	a.errorHandler(err, c)
}

// readForm reads the form of a POST, PUT or PATCH before the CSRF check, so
// that a body over the limit sent without a Content-Length (chunked) is a
// 413 as well: BodyLimit refuses a declared length at once, but an
// undeclared one only fails while the body is read, and the CSRF
// middleware ignores that failure (the token then reads as missing). Other
// parse errors are left to the CSRF check and the handlers.
func readForm(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch:
			err := r.ParseForm()
			if err == nil && strings.HasPrefix(r.Header.Get(echo.HeaderContentType), echo.MIMEMultipartForm) {
				err = r.ParseMultipartForm(maxFormMemory)
			}
			if he, ok := errors.AsType[*echo.HTTPError](err); ok && he.Code == http.StatusRequestEntityTooLarge {
				return echo.NewHTTPError(http.StatusRequestEntityTooLarge, http.StatusText(http.StatusRequestEntityTooLarge))
			}
		}
		return next(c)
	}
}

// requestLogger logs one line per request.
func requestLogger(logger *slog.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogMethod:   true,
		LogURIPath:  true,
		LogStatus:   true,
		LogLatency:  true,
		LogRemoteIP: true,
		LogError:    true,
		HandleError: true, // render the error first, so that the logged status is the real one
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			logger.LogAttrs(c.Request().Context(), slog.LevelInfo, "request",
				slog.String("method", v.Method), slog.String("path", v.URIPath), slog.Int("status", v.Status),
				slog.Duration("latency", v.Latency), slog.String("ip", v.RemoteIP))
			return nil
		},
	})
}
