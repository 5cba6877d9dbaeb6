package oauth_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"

	"github.com/markbates/goth"
	"github.com/markbates/goth/providers/github"
	"github.com/markbates/goth/providers/openidConnect"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/endpoints"

	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/oauth"
)

// An app keeps its users keyed by provider and subject, never by e-mail.
type identityStore map[oauth.Identity]string

func (s identityStore) find(_ context.Context, u goth.User) (string, error) {
	id, ok := s[oauth.IdentityOf(u)]
	if !ok {
		return "", strategy.ErrUserNotFound // or create the user here
	}
	return id, nil
}

func Example() {
	users := identityStore{{Provider: "github", Subject: "4242"}: "user-1"}
	cb := "https://app.example/auth/github/callback"
	s, err := oauth.New(oauth.Config[string]{
		// goth's provider, built with the callback URL, fetches the
		// profile; it is never registered with goth.UseProviders.
		Provider: github.New("client-id", "client-secret", cb, "user:email"),
		// The OAuth 2.0 client: the strategy builds the authorization
		// request and exchanges the code itself, with PKCE.
		OAuth2: &oauth2.Config{ClientID: "client-id", ClientSecret: "client-secret", RedirectURL: cb,
			Endpoint: endpoints.GitHub, Scopes: []string{"user:email"}},
		Label:  "GitHub",
		Verify: users.find,
	})
	if err != nil {
		panic(err)
	}
	// With passport: auth.Use(s.Name(), s), then
	// auth.MountOAuth(e.Group("/auth"), []string{"github"}, passport.SuccessRedirect("/"), passport.FailureRedirect("/login")).
	fmt.Println(s.Name(), "PKCE:", s.UsesPKCE(), "OIDC:", s.UsesOIDC())
	// Output: github PKCE: true OIDC: false
}

// The begin leg of an OpenID Connect provider: a fresh state, nonce and
// PKCE challenge in the authorization request, and the handshake in the
// session.
func Example_begin() {
	p, err := openidConnect.NewCustomisedURL("client-id", "client-secret", "https://app.example/auth/sso/callback",
		"https://sso.example/authorize", "https://sso.example/token", "https://sso.example", "", "", "openid", "email")
	if err != nil {
		panic(err)
	}
	p.SetName("sso")
	s, err := oauth.New(oauth.Config[string]{Provider: p, Verify: func(_ context.Context, u goth.User) (string, error) { return u.UserID, nil }})
	if err != nil {
		panic(err)
	}

	key, _ := session.GenerateKey()
	store, _ := session.NewCookieStore(key) // a server-side store in production
	mgr, _ := session.New(session.Config{Store: store})
	r := httptest.NewRequest(http.MethodGet, "/auth/sso?state=ignored", nil)
	sess := mgr.Bind(httptest.NewRecorder(), r)
	r = r.WithContext(session.NewContext(r.Context(), sess))
	sess.SetRequest(r)

	res, err := s.Authenticate(r)
	if err != nil {
		panic(err)
	}
	u, _ := url.Parse(res.Location)
	q := u.Query()
	fmt.Println(res.Kind, u.Host+u.Path)
	fmt.Println(slices.Sorted(maps.Keys(q)))
	fmt.Println("state ignored:", q.Get("state") != "ignored", "method:", q.Get("code_challenge_method"))
	_, kept := sess.Get(oauth.SessionKeyPrefix + "sso")
	fmt.Println("handshake in the session:", kept)
	// Output:
	// redirect sso.example/authorize
	// [client_id code_challenge code_challenge_method nonce redirect_uri response_type scope state]
	// state ignored: true method: S256
	// handshake in the session: true
}

// A fail says why in its Reason, which is logged, never shown.
func Example_reasons() {
	s, err := oauth.New(oauth.Config[string]{
		Provider: github.New("client-id", "client-secret", "https://app.example/auth/github/callback"),
		Label:    "GitHub",
		Verify:   func(_ context.Context, u goth.User) (string, error) { return u.UserID, nil },
	})
	if err != nil {
		panic(err)
	}
	key, _ := session.GenerateKey()
	store, _ := session.NewCookieStore(key)
	mgr, _ := session.New(session.Config{Store: store})
	// A callback with no sign-in in progress: forged, or replayed.
	r := httptest.NewRequest(http.MethodGet, "/auth/github/callback?state=x&code=y", nil)
	sess := mgr.Bind(httptest.NewRecorder(), r)
	r = r.WithContext(session.NewContext(r.Context(), sess))
	sess.SetRequest(r)

	res, _ := s.Authenticate(r)
	fmt.Println(res.Kind, res.FailStatus(), res.Info.Message)
	fmt.Println(errors.Is(res.Reason, oauth.ErrNoHandshake), errors.Is(res.Reason, strategy.ErrMissingCredentials))
	// Output:
	// fail 401 Could not sign in. Please try again.
	// true true
}

func ExampleIdentityOf() {
	u := goth.User{Provider: "github", UserID: "4242", Email: "octo@example.test"}
	fmt.Println(oauth.IdentityOf(u))
	// Output: github:4242
}
