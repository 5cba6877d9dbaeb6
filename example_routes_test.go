package passport_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/strategy"
)

// newExampleAuth returns an Authenticator over a session manager with the
// accounts of the examples, and a toy strategy "id" reading the account ID
// from the X-Account header.
func newExampleAuth() (*passport.Authenticator[*Account], map[string]*Account) {
	accounts := map[string]*Account{"7": {ID: "7", Name: "Ada"}, "9": {ID: "9", Name: "ada-on-github"}}
	auth, err := passport.New(passport.Config[*Account]{
		Sessions:     newSessions(),
		DisableAudit: true,
		Serialize:    func(a *Account) (string, error) { return a.ID, nil },
		Deserialize: func(_ context.Context, id string) (*Account, error) {
			if a, ok := accounts[id]; ok {
				return a, nil
			}
			return nil, passport.ErrUserNotFound
		},
	})
	if err != nil {
		panic(err)
	}
	if err := auth.Use("id", strategy.Func[*Account](func(r *http.Request) (strategy.Result[*Account], error) {
		a, ok := accounts[r.Header.Get("X-Account")]
		if !ok {
			return strategy.Fail[*Account](`Account realm="example"`, 0, "Unknown account."), nil
		}
		return strategy.Success(a, strategy.Info{}), nil
	})); err != nil {
		panic(err)
	}
	return auth, accounts
}

// serve sends req through e and returns the recorder.
func serve(e *echo.Echo, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

// Login logs a user in from a handler of the app's own (a registration
// that logs the new user in); Logout ends the session.
func ExampleAuthenticator_Login() {
	auth, accounts := newExampleAuth()
	e := echo.New()
	e.Use(auth.Session())
	e.POST("/register", func(c echo.Context) error {
		if err := auth.Login(c, accounts["7"]); err != nil {
			return err
		}
		return c.Redirect(http.StatusFound, "/")
	})
	e.POST("/logout", func(c echo.Context) error {
		if err := auth.Logout(c); err != nil {
			return err
		}
		return c.Redirect(http.StatusFound, "/")
	})
	e.GET("/me", func(c echo.Context) error {
		if u, ok := auth.User(c); ok {
			return c.String(http.StatusOK, u.Name)
		}
		return c.String(http.StatusOK, "nobody")
	})
	me := func(cookie *http.Cookie) string {
		req := httptest.NewRequest(http.MethodGet, "/me", nil)
		req.AddCookie(cookie)
		return serve(e, req).Body.String()
	}

	rec := serve(e, httptest.NewRequest(http.MethodPost, "/register", nil))
	loggedIn := rec.Result().Cookies()[0]
	fmt.Println("after Login:", me(loggedIn))

	req := httptest.NewRequest(http.MethodPost, "/logout", nil)
	req.AddCookie(loggedIn)
	rec = serve(e, req)
	fmt.Println("after Logout:", me(rec.Result().Cookies()[0]))
	// Output:
	// after Login: Ada
	// after Logout: nobody
}

// RequireLoginWithConfig sends a browser to the login page and answers an
// API client 401 with its challenges.
func ExampleAuthenticator_RequireLoginWithConfig() {
	auth, _ := newExampleAuth()
	e := echo.New()
	e.Use(auth.Session())
	e.GET("/account", func(c echo.Context) error {
		return c.String(http.StatusOK, "your account")
	}, auth.RequireLoginWithConfig(passport.RequireLoginConfig{
		LoginURL:   "/login",
		LoginFlash: "Log in to see your account.",
		Challenges: []string{`Account realm="example"`},
		Skipper:    func(c echo.Context) bool { return c.Request().Header.Get("X-Health") != "" },
	}))

	browser := httptest.NewRequest(http.MethodGet, "/account", nil)
	rec := serve(e, browser)
	fmt.Println("browser:", rec.Code, rec.Header().Get(echo.HeaderLocation))

	api := httptest.NewRequest(http.MethodGet, "/account", nil)
	api.Header.Set(echo.HeaderAccept, echo.MIMEApplicationJSON)
	rec = serve(e, api)
	fmt.Println("API:", rec.Code, rec.Header().Get(echo.HeaderWWWAuthenticate))

	skipped := httptest.NewRequest(http.MethodGet, "/account", nil)
	skipped.Header.Set("X-Health", "1")
	fmt.Println("skipped:", serve(e, skipped).Body.String())
	// Output:
	// browser: 302 /login
	// API: 401 Account realm="example"
	// skipped: your account
}

// AssignTo authenticates a second identity while a user is logged in and
// hands it to the handler, leaving the login as it was: account linking,
// Passport's authorize.
func ExampleAssignTo() {
	auth, _ := newExampleAuth()
	e := echo.New()
	e.Use(auth.Session())
	e.POST("/login", auth.Authenticate("id", passport.SuccessRedirect("/")).Handler())
	e.POST("/connect", func(c echo.Context) error {
		u, _ := auth.User(c)
		linked, _ := auth.Assigned(c, "account")
		return c.String(http.StatusOK, u.Name+" linked "+linked.Name)
	}, auth.RequireLogin(), auth.Authenticate("id", passport.AssignTo("account")).Middleware())

	login := httptest.NewRequest(http.MethodPost, "/login", nil)
	login.Header.Set("X-Account", "7")
	cookie := serve(e, login).Result().Cookies()[0]

	connect := httptest.NewRequest(http.MethodPost, "/connect", nil)
	connect.AddCookie(cookie)
	connect.Header.Set("X-Account", "9") // the identity to link
	fmt.Println(serve(e, connect).Body.String())
	// Output:
	// Ada linked ada-on-github
}

// Stateless authenticates an API request on its own credentials: no
// session is read or written, no cookie goes out.
func ExampleStateless() {
	auth, _ := newExampleAuth()
	e := echo.New()
	e.GET("/api/me", func(c echo.Context) error {
		u, _ := auth.User(c)
		return c.JSON(http.StatusOK, map[string]string{"name": u.Name})
	}, auth.Authenticate("id", passport.Stateless()).Middleware())

	req := httptest.NewRequest(http.MethodGet, "/api/me", nil)
	req.Header.Set("X-Account", "7")
	rec := serve(e, req)
	fmt.Print(rec.Code, " ", rec.Body.String())
	fmt.Println("cookies:", len(rec.Result().Cookies()))

	rec = serve(e, httptest.NewRequest(http.MethodGet, "/api/me", nil))
	fmt.Println(rec.Code, rec.Header().Get(echo.HeaderWWWAuthenticate))
	// Output:
	// 200 {"name":"Ada"}
	// cookies: 0
	// 401 Account realm="example"
}

// MountOAuth mounts the begin and callback routes of each provider
// strategy on a group. Here a stand-in strategy redirects to its provider;
// a real app registers oauth strategies (package strategy/oauth).
func ExampleAuthenticator_MountOAuth() {
	auth, _ := newExampleAuth()
	_ = auth.Use("github", strategy.Func[*Account](func(r *http.Request) (strategy.Result[*Account], error) {
		return strategy.Redirect[*Account]("https://github.example/login/oauth/authorize", http.StatusFound), nil
	}))
	e := echo.New()
	e.Use(auth.Session())
	if err := auth.MountOAuth(e.Group("/auth"), []string{"github"},
		passport.SuccessReturnToOrRedirect("/"),
		passport.FailureRedirect("/login"), passport.FailureFlash("")); err != nil {
		panic(err)
	}
	var routes []string
	for _, r := range e.Routes() {
		routes = append(routes, r.Method+" "+r.Path)
	}
	slices.Sort(routes)
	fmt.Println(strings.Join(routes, "\n"))

	rec := serve(e, httptest.NewRequest(http.MethodGet, "/auth/github", nil))
	fmt.Println(rec.Code, rec.Header().Get(echo.HeaderLocation))
	rec = serve(e, httptest.NewRequest(http.MethodGet, "/auth/gitlab", nil))
	fmt.Println(rec.Code)
	// Output:
	// GET /auth/:provider
	// GET /auth/:provider/callback
	// POST /auth/:provider/callback
	// 302 https://github.example/login/oauth/authorize
	// 404
}

// Chain runs registered strategies for a net/http handler, such as the
// token endpoints of strategy/jwt (jwt.CheckWith(auth.Chain("local"),
// subject)): the same result and audit records as a route, no session.
// WrapHandler mounts the handler on Echo with Echo's client IP.
func ExampleAuthenticator_Chain() {
	auth, _ := newExampleAuth()
	check := auth.Chain("id")
	whoami := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := check.Authenticate(r)
		switch {
		case err != nil:
			http.Error(w, "internal error", http.StatusInternalServerError)
		case res.Kind == strategy.KindSuccess:
			fmt.Fprintln(w, "hello", res.User.Name)
		default:
			w.Header().Set("WWW-Authenticate", res.Challenge)
			http.Error(w, res.Info.Message, res.FailStatus())
		}
	})
	e := echo.New()
	e.GET("/whoami", passport.WrapHandler(whoami))

	req := httptest.NewRequest(http.MethodGet, "/whoami", nil)
	req.Header.Set("X-Account", "7")
	rec := serve(e, req)
	fmt.Print(rec.Code, " ", rec.Body.String())
	rec = serve(e, httptest.NewRequest(http.MethodGet, "/whoami", nil))
	fmt.Print(rec.Code, " ", rec.Header().Get("WWW-Authenticate"), " ", rec.Body.String())
	// Output:
	// 200 hello Ada
	// 401 Account realm="example" Unknown account.
}
