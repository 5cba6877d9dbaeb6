// Command quickstart is the README's example: a password login with sessions.
package main

import (
	"context"
	"log"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/local"
	"github.com/gopassport/passport/strategy/password"
)

func main() { check(newApp().Start("127.0.0.1:8080")) }

func newApp() *echo.Echo {
	key := must(session.GenerateKey()) // in production, load a stable secret instead
	sessions := must(session.New(session.Config{Store: must(session.NewCookieStore(key))}))
	auth := must(passport.New(passport.Config[string]{
		Sessions:    sessions,
		Serialize:   func(name string) (string, error) { return name, nil },
		Deserialize: func(_ context.Context, name string) (string, error) { return name, nil },
	}))
	hash := must(password.Hash("correct horse")) // your users table keeps hashes
	check(auth.Use("local", must(local.New(local.Config[string]{Verify: password.Verify(
		func(_ context.Context, name string) (string, string, error) {
			if name != "alice" {
				return "", "", strategy.ErrUserNotFound
			}
			return name, hash, nil
		}, nil)}))))

	e := echo.New()
	e.Use(auth.Session())
	e.POST("/login", auth.Authenticate("local", passport.SuccessRedirect("/")).Handler())
	e.GET("/", func(c echo.Context) error {
		user, _ := auth.User(c)
		return c.String(http.StatusOK, "Hello, "+user)
	}, auth.RequireLogin())
	return e
}

func must[T any](v T, err error) T { check(err); return v }

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
