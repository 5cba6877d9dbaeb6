package oauthtest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"

	"github.com/markbates/goth/providers/google"
	"golang.org/x/oauth2"
)

// GoogleProfileHost is the host of the profile endpoint that goth's google
// provider calls (a constant in goth): the client of [Google.Client] sends
// its requests to the fake instead.
const GoogleProfileHost = "www.googleapis.com"

// Google imitates Google's OAuth 2.0 endpoints on an httptest server:
//
//	GET  /o/oauth2/v2/auth     signs the user in at once and redirects back with a code
//	POST /token                exchanges a code (once; PKCE S256 checked) for an access token
//	GET  /oauth2/v2/userinfo   the profile, for ?access_token= (as goth asks for it)
//
// goth's google provider asks the real www.googleapis.com for the profile:
// the transport of [Google.Client] sends those requests to the fake. The profile is the one of [GitHubUser] (its ID as
// Google's "id"). Build it with [NewGoogle]; its methods are safe for
// concurrent use.
type Google struct {
	// Server is the running server.
	Server *httptest.Server
	// ClientID and ClientSecret are the credentials the fake accepts.
	ClientID, ClientSecret string

	g      *GitHub // the authorization server it shares with the GitHub fake
	client *http.Client
}

// NewGoogle starts a fake Google signing in user 4242 (octo@example.test).
// With a non-nil tb it is closed when the test ends; with nil, the caller
// closes it.
func NewGoogle(tb testing.TB) *Google {
	if tb != nil {
		tb.Helper()
	}
	g := newGrants("goog")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /o/oauth2/v2/auth", g.handleAuthorize)
	mux.HandleFunc("GET /o/oauth2/auth", g.handleAuthorize) // x/oauth2's endpoints.Google
	mux.HandleFunc("POST /token", g.handleToken)
	o := &Google{g: g}
	mux.HandleFunc("GET /oauth2/v2/userinfo", o.handleUserinfo)
	g.Server = httptest.NewServer(mux)
	g.srv = g.Server
	o.Server, o.ClientID, o.ClientSecret = g.Server, g.ClientID, g.ClientSecret
	target, _ := url.Parse(g.Server.URL)
	o.client = &http.Client{Transport: &googleTransport{target: target, base: &http.Transport{}}}
	if tb != nil {
		tb.Cleanup(o.Close)
	}
	return o
}

// googleTransport sends the requests for GoogleProfileHost to the fake.
type googleTransport struct {
	target *url.URL
	base   *http.Transport
}

func (t *googleTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host == GoogleProfileHost {
		r = r.Clone(r.Context())
		r.URL.Scheme, r.URL.Host, r.Host = t.target.Scheme, t.target.Host, ""
	}
	return t.base.RoundTrip(r)
}

// CloseIdleConnections closes the idle connections of the transport.
func (t *googleTransport) CloseIdleConnections() { t.base.CloseIdleConnections() }

// Close ends any stalled request, shuts the server down and closes the
// idle connections of [Google.Client]. It is idempotent.
func (o *Google) Close() {
	o.g.Close()
	o.client.CloseIdleConnections()
}

// Client returns a client (without a timeout) whose requests to
// GoogleProfileHost reach the fake; other requests go where they say. Its
// Transport can be put in a client of one's own (with a timeout).
func (o *Google) Client() *http.Client { return o.client }

// Provider returns goth's google provider for callbackURL, with the scopes
// openid, email and profile, as google.New builds it. Its endpoints are
// Google's, which goth does not let anyone change: give the strategy
// [Google.OAuth2] to reach the fake's token endpoint, and an HTTP client
// with the Transport of [Google.Client] (and a timeout) for the profile.
func (o *Google) Provider(callbackURL string) *google.Provider {
	return google.New(o.ClientID, o.ClientSecret, callbackURL, "openid", "email", "profile")
}

// OAuth2 returns the OAuth 2.0 client of the fake for callbackURL.
func (o *Google) OAuth2(callbackURL string) *oauth2.Config {
	base := o.Server.URL
	return &oauth2.Config{
		ClientID: o.ClientID, ClientSecret: o.ClientSecret, RedirectURL: callbackURL,
		Endpoint: oauth2.Endpoint{AuthURL: base + "/o/oauth2/v2/auth", TokenURL: base + "/token"},
		Scopes:   []string{"openid", "email", "profile"},
	}
}

// SetUser replaces the profile the fake returns.
func (o *Google) SetUser(u GitHubUser) { o.g.SetUser(u) }

// SetTokenFault makes the token endpoint misbehave from now on.
func (o *Google) SetTokenFault(f Fault) { o.g.SetTokenFault(f) }

// SetProfileFault makes the userinfo endpoint misbehave from now on.
func (o *Google) SetProfileFault(f Fault) { o.g.SetProfileFault(f) }

// SetRequirePKCE makes the token endpoint refuse a code whose
// authorization request carried no S256 code_challenge.
func (o *Google) SetRequirePKCE(on bool) { o.g.SetRequirePKCE(on) }

// SetDeny makes the authorize endpoint refuse with error=access_denied.
func (o *Google) SetDeny(description string) { o.g.SetDeny(description) }

// TokenCalls returns how many requests reached the token endpoint.
func (o *Google) TokenCalls() int { return o.g.TokenCalls() }

// AuthorizeRequests returns the query of every authorization request so
// far, oldest first.
func (o *Google) AuthorizeRequests() []url.Values { return o.g.AuthorizeRequests() }

func (o *Google) handleUserinfo(w http.ResponseWriter, r *http.Request) {
	g := o.g
	if g.profileFaulted(w, r) {
		return
	}
	g.mu.Lock()
	known := g.tokens[r.URL.Query().Get("access_token")]
	u, emails := g.user, g.emails
	g.mu.Unlock()
	if !known {
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": map[string]any{"code": 401, "status": "UNAUTHENTICATED"}})
		return
	}
	email := u.Email
	for _, e := range emails {
		if email == "" && e.Primary && e.Verified {
			email = e.Email
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": strconv.Itoa(u.ID), "email": email, "verified_email": email != "", "name": u.Name, "picture": u.AvatarURL,
	})
}
