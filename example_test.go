package passport_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
)

// A user type of the app's own.
type Account struct {
	ID, Name string
}

// newSessions returns a session manager over a cookie store. Real apps keep
// the key secret and stable; examples generate one.
func newSessions() *session.Manager {
	key, err := session.GenerateKey()
	if err != nil {
		panic(err)
	}
	store, err := session.NewCookieStore(key)
	if err != nil {
		panic(err)
	}
	mgr, err := session.New(session.Config{Store: store})
	if err != nil {
		panic(err)
	}
	return mgr
}

// A login form's POST, a protected page, and the round trip between them.
func Example() {
	accounts := map[string]*Account{"7": {ID: "7", Name: "Ada"}}
	auth, err := passport.New(passport.Config[*Account]{
		Sessions:  newSessions(),
		Serialize: func(a *Account) (string, error) { return a.ID, nil },
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
	// A toy strategy: the account ID in a form field.
	_ = auth.Use("id", strategy.Func[*Account](func(r *http.Request) (strategy.Result[*Account], error) {
		a, ok := accounts[r.PostFormValue("id")]
		if !ok {
			return strategy.Fail[*Account]("", 0, "Unknown account."), nil
		}
		return strategy.Success(a, strategy.Info{}), nil
	}))

	e := echo.New()
	e.Use(auth.Session())
	e.POST("/login", auth.Authenticate("id", passport.SuccessReturnToOrRedirect("/"), passport.FailureRedirect("/login")).Handler())
	e.GET("/account", func(c echo.Context) error {
		a, _ := auth.User(c)
		return c.String(http.StatusOK, "Hello, "+a.Name)
	}, auth.RequireLoginWithConfig(passport.RequireLoginConfig{LoginURL: "/login"}))

	// Anonymous: sent to log in, the page remembered.
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/account", nil))
	fmt.Println(rec.Code, rec.Header().Get("Location"))
	cookie := rec.Result().Cookies()[0]

	// Logging in returns to it.
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"id": {"7"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(cookie)
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Location"))
	cookie = rec.Result().Cookies()[0]

	req = httptest.NewRequest(http.MethodGet, "/account", nil)
	req.AddCookie(cookie)
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 302 /login
	// 302 /account
	// 200 Hello, Ada
}

// Several strategies on one API route: when all fail, every challenge is
// sent.
func ExampleAuthenticator_AuthenticateAny() {
	auth, _ := passport.New(passport.Config[string]{
		Serialize:   func(u string) (string, error) { return u, nil },
		Deserialize: func(_ context.Context, u string) (string, error) { return u, nil },
	})
	challenge := func(ch string) strategy.Strategy[string] {
		return strategy.Func[string](func(*http.Request) (strategy.Result[string], error) {
			return strategy.Fail[string](ch, 0, ""), nil
		})
	}
	_ = auth.Use("basic", challenge(`Basic realm="api", charset="UTF-8"`))
	_ = auth.Use("bearer", challenge(`Bearer realm="api"`))

	e := echo.New()
	e.GET("/api/me", func(c echo.Context) error { return c.NoContent(http.StatusOK) },
		auth.AuthenticateAny([]string{"basic", "bearer"}, passport.Stateless()).Middleware())
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/me", nil))
	fmt.Println(rec.Code)
	for _, h := range rec.Header().Values("WWW-Authenticate") {
		fmt.Println(h)
	}
	// Output:
	// 401
	// Basic realm="api", charset="UTF-8"
	// Bearer realm="api"
}

// Return-to URLs are honoured only as same-origin relative paths.
func ExampleSafeReturnTo() {
	for _, target := range []string{"/secretWord?tab=2", "//evil.test", "https://evil.test", "/%2F%2Fevil.test", `/\evil.test`} {
		fmt.Printf("%-20s → %s\n", target, passport.SafeReturnTo(target))
	}
	// Output:
	// /secretWord?tab=2    → /secretWord?tab=2
	// //evil.test          → /
	// https://evil.test    → /
	// /%2F%2Fevil.test     → /
	// /\evil.test          → /
}

// A custom callback decides the response itself, here JSON for an API.
func ExampleCallback() {
	auth, _ := passport.New(passport.Config[string]{
		Serialize:   func(u string) (string, error) { return u, nil },
		Deserialize: func(_ context.Context, u string) (string, error) { return u, nil },
	})
	_ = auth.Use("token", strategy.Func[string](func(r *http.Request) (strategy.Result[string], error) {
		if r.Header.Get("X-Token") == "s3cret" {
			return strategy.Success("ada", strategy.Info{}), nil
		}
		return strategy.Fail[string]("", 0, "Bad token."), nil
	}))
	e := echo.New()
	e.POST("/token", auth.Authenticate("token", passport.Callback(func(c echo.Context, o passport.Outcome[string]) error {
		if o.Err != nil {
			return o.Err
		}
		if o.Kind != strategy.KindSuccess {
			return c.JSON(o.Status, map[string]string{"error": o.Result.Info.Message})
		}
		return c.JSON(http.StatusOK, map[string]string{"user": o.Result.User})
	})).Handler())
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/token", nil))
	fmt.Print(rec.Code, " ", rec.Body.String())
	// Output:
	// 401 {"error":"Bad token."}
}

// The session-bound CSRF middleware: a page hands out a token, a POST
// without it is refused, and a token from before login is refused after
// it, since Login replaces the session's CSRF secret.
func ExampleCSRF() {
	ada := &Account{ID: "7", Name: "Ada"}
	auth, err := passport.New(passport.Config[*Account]{
		Sessions:    newSessions(),
		Serialize:   func(a *Account) (string, error) { return a.ID, nil },
		Deserialize: func(context.Context, string) (*Account, error) { return ada, nil },
	})
	if err != nil {
		panic(err)
	}
	e := echo.New()
	e.Use(auth.Session(), passport.CSRF()) // Session first: the secret lives in the session
	e.GET("/form", func(c echo.Context) error {
		tok, _ := c.Get("csrf").(string) // rendered as <input type="hidden" name="_csrf" value="…">
		return c.String(http.StatusOK, tok)
	})
	e.POST("/login", func(c echo.Context) error {
		if err := auth.Login(c, ada); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	})

	var cookie *http.Cookie
	send := func(method, path, token string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(url.Values{"_csrf": {token}}.Encode()))
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationForm)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		for _, c := range rec.Result().Cookies() {
			cookie = c
		}
		return rec
	}
	token := send(http.MethodGet, "/form", "").Body.String()
	fmt.Println("without a token:", send(http.MethodPost, "/login", "").Code)
	fmt.Println("with the page's token:", send(http.MethodPost, "/login", token).Code)
	fmt.Println("the same token after login:", send(http.MethodPost, "/login", token).Code)
	// Output:
	// without a token: 403
	// with the page's token: 204
	// the same token after login: 403
}
