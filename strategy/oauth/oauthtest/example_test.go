package oauthtest_test

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/gopassport/passport/strategy/oauth/oauthtest"
)

func ExampleNewGitHub() {
	gh := oauthtest.NewGitHub(nil) // in a test: oauthtest.NewGitHub(t), closed at its end
	defer gh.Close()
	gh.SetTokenFault(oauthtest.Fault500)

	// The provider goth would use, pointed at the fake.
	p := gh.Provider("https://app.example/auth/github/callback")
	sess, _ := p.BeginAuth("state-1")
	authURL, _ := sess.GetAuthURL()

	// The fake signs the user in at once and sends them back with a code.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(authURL)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	back, _ := url.Parse(resp.Header.Get("Location"))
	fmt.Println(back.Path, back.Query().Get("state"), back.Query().Get("code") != "")

	// The exchange fails as asked; the fake counts the attempts.
	_, err = sess.Authorize(p, back.Query())
	fmt.Println(err != nil, gh.TokenCalls() >= 1)
	// Output:
	// /auth/github/callback state-1 true
	// true true
}

func ExampleIDTokenFault() {
	for _, f := range []oauthtest.IDTokenFault{oauthtest.IDTokenBadSignature, oauthtest.IDTokenAlgNone, oauthtest.IDTokenExpired} {
		fmt.Println(f)
	}
	// Output:
	// ID token with a bad signature
	// ID token with alg none
	// ID token expired
}
