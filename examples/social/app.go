package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/markbates/goth"
	_ "modernc.org/sqlite"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/providers"
	"github.com/gopassport/passport/providers/devoidc"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/sqlstore"
	"github.com/gopassport/passport/strategy/oauth"
)

// Config configures the app.
type Config struct {
	// BaseURL is the app's origin as the browser sees it. Required.
	BaseURL string
	// DevOIDC starts the local development provider.
	DevOIDC bool
	// Getenv reads provider credentials. Optional. Default: none.
	Getenv func(string) string
	// Logger receives faults and the development provider's warning.
	// Optional. Default slog.Default().
	Logger *slog.Logger
}

// User is a user of the app, created at their first sign-in.
type User struct {
	ID       string
	Name     string
	Identity oauth.Identity
}

// users keeps users in memory, keyed by identity (provider + subject),
// never by e-mail address.
type users struct {
	mu         sync.Mutex
	byID       map[string]*User
	byIdentity map[oauth.Identity]*User
}

// findOrCreate is the oauth Verify callback.
func (us *users) findOrCreate(_ context.Context, gu goth.User) (*User, error) {
	id := oauth.IdentityOf(gu)
	us.mu.Lock()
	defer us.mu.Unlock()
	if u, ok := us.byIdentity[id]; ok {
		return u, nil
	}
	name := gu.Name
	if name == "" {
		name = gu.NickName
	}
	if name == "" {
		name = gu.Email
	}
	u := &User{ID: fmt.Sprintf("%d", len(us.byID)+1), Name: name, Identity: id}
	us.byID[u.ID] = u
	us.byIdentity[id] = u
	return u, nil
}

func (us *users) find(_ context.Context, id string) (*User, error) {
	us.mu.Lock()
	defer us.mu.Unlock()
	if u, ok := us.byID[id]; ok {
		return u, nil
	}
	return nil, passport.ErrUserNotFound
}

// page is the app's only page.
const page = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Social sign-in</title><link rel="stylesheet" href="/social.css"></head>
<body>
<main>
{{if .User}}
<h1>Hello, {{.User.Name}}</h1>
<p>You signed in with {{.User.Identity.Provider}} (subject {{.User.Identity.Subject}}).</p>
<form method="post" action="/logout"><input type="hidden" name="_csrf" value="{{.CSRF}}"><button type="submit">Sign out</button></form>
{{else}}
<h1>Sign in</h1>
{{range .Errors}}<p role="alert">{{.}}</p>{{end}}
{{template "passport_social_buttons" .Buttons}}
{{if not .Buttons}}<p>No provider is configured: run with -dev-oidc, or set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET.</p>{{end}}
{{end}}
</main>
</body>
</html>`

// newApp builds the app and returns its handler and a function that stops
// what it started (the development provider, the database).
func newApp(ctx context.Context, cfg Config) (http.Handler, func() error, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var closers []func() error
	closeAll := func() error {
		var errs []error
		for i := len(closers) - 1; i >= 0; i-- {
			errs = append(errs, closers[i]())
		}
		return errors.Join(errs...)
	}
	fail := func(err error) (http.Handler, func() error, error) {
		return nil, nil, errors.Join(err, closeAll())
	}

	// Sessions, server-side in an in-memory SQLite database.
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return fail(err)
	}
	db.SetMaxOpenConns(1) // one connection: one in-memory database
	closers = append(closers, db.Close)
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return fail(err)
	}
	store, err := sqlstore.New(ctx, db, sqlstore.Config{Keys: [][]byte{key}, Logger: logger})
	if err != nil {
		return fail(err)
	}
	closers = append(closers, store.Close)
	mgr, err := session.New(session.Config{Store: store, Logger: logger})
	if err != nil {
		return fail(err)
	}
	us := &users{byID: map[string]*User{}, byIdentity: map[oauth.Identity]*User{}}
	auth, err := passport.New(passport.Config[*User]{
		Sessions:    mgr,
		Serialize:   func(u *User) (string, error) { return u.ID, nil },
		Deserialize: us.find,
		Logger:      logger,
		// Why a sign-in failed (provider, status, reason; never a code,
		// state or token) is logged here.
		Audit: logger,
	})
	if err != nil {
		return fail(err)
	}

	// Providers: those in the environment, and the development one.
	pcfg, err := providers.FromEnv(getenv)
	if err != nil {
		return fail(err)
	}
	pcfg.BaseURL = cfg.BaseURL
	cat, err := providers.New(ctx, pcfg)
	if err != nil {
		return fail(err)
	}
	if cfg.DevOIDC {
		dev, err := devoidc.Start(devoidc.Config{Enabled: true, Logger: logger})
		if err != nil {
			return fail(err)
		}
		closers = append(closers, dev.Close)
		if err := dev.AddTo(cat); err != nil {
			return fail(err)
		}
	}
	if err := providers.Register(cat, auth.Use, us.findOrCreate); err != nil {
		return fail(err)
	}

	tmpl, err := providers.ParseButtons(template.New("page"))
	if err != nil {
		return fail(err)
	}
	if tmpl, err = tmpl.Parse(page); err != nil {
		return fail(err)
	}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(middleware.Recover())
	e.Use(auth.Session())
	e.Use(middleware.CSRFWithConfig(middleware.CSRFConfig{
		// The provider's form_post callback comes from its own page; the
		// one-time state protects it instead.
		Skipper:        func(c echo.Context) bool { return strings.HasSuffix(c.Path(), passport.OAuthCallbackSuffix) },
		TokenLookup:    "form:_csrf",
		CookiePath:     "/",
		CookieHTTPOnly: true,
		CookieSameSite: http.SameSiteLaxMode,
	}))
	if cat.Len() > 0 {
		err := auth.MountOAuth(e.Group(cat.MountPath()), cat.Names(),
			passport.SuccessReturnToOrRedirect("/"), passport.FailureRedirect("/"), passport.FailureFlash(""))
		if err != nil {
			return fail(err)
		}
	}
	css := cat.CSS()
	e.GET("/social.css", func(c echo.Context) error {
		return c.Blob(http.StatusOK, "text/css; charset=utf-8", []byte(css))
	})
	e.GET("/", func(c echo.Context) error {
		data := struct {
			User    *User
			Errors  []string
			Buttons []providers.Button
			CSRF    any
		}{Buttons: cat.Buttons(), CSRF: c.Get(middleware.DefaultCSRFConfig.ContextKey)}
		u, ok, err := auth.LoadUser(c)
		if err != nil {
			return err
		}
		if ok {
			data.User = u
		}
		if s, ok := passport.SessionFrom(c); ok {
			data.Errors = s.Flashes("error")
		}
		var b strings.Builder
		if err := tmpl.ExecuteTemplate(&b, "page", data); err != nil {
			return err
		}
		return c.HTML(http.StatusOK, b.String())
	})
	e.POST("/logout", func(c echo.Context) error {
		// Ends the provider's session too when it publishes an
		// end_session_endpoint (register this URL with it as a
		// post-logout redirect URI); else only the app's.
		target, err := auth.ProviderLogout(c, strings.TrimSuffix(cfg.BaseURL, "/")+"/")
		if err != nil {
			return err
		}
		if target == "" {
			target = "/"
		}
		return c.Redirect(http.StatusSeeOther, target)
	})
	return e, closeAll, nil
}
