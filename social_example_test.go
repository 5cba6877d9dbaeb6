package passport_test

import (
	"cmp"
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
)

// A logout route that also ends the user's session at an OpenID Connect
// provider that publishes an end_session_endpoint, so that the next
// "Sign in with …" asks for the provider's password again. Other logout
// routes call Logout and end the app's session only.
func ExampleAuthenticator_ProviderLogout() {
	auth, err := passport.New(passport.Config[*Account]{
		Sessions:  newSessions(),
		Serialize: func(a *Account) (string, error) { return a.ID, nil },
		Deserialize: func(_ context.Context, id string) (*Account, error) {
			return &Account{ID: id}, nil
		},
	})
	if err != nil {
		panic(err)
	}
	e := echo.New()
	e.Use(auth.Session())
	e.POST("/logout", func(c echo.Context) error {
		// The URL the provider sends the browser back to; register it
		// with the provider as a post-logout redirect URI.
		target, err := auth.ProviderLogout(c, "https://app.example/")
		if err != nil {
			return err
		}
		return c.Redirect(http.StatusSeeOther, cmp.Or(target, "/"))
	})
}
