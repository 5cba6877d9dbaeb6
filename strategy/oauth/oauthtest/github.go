package oauthtest

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/markbates/goth/providers/github"
	"golang.org/x/oauth2"
)

// GitHubUser is the profile the fake GitHub returns from GET /user.
type GitHubUser struct {
	ID    int    `json:"id"`
	Login string `json:"login"`
	Name  string `json:"name"`
	// Email is the public address; empty makes goth ask /user/emails.
	Email     string `json:"email"`
	AvatarURL string `json:"avatar_url"`
}

// GitHubEmail is one entry of GET /user/emails.
type GitHubEmail struct {
	Email    string `json:"email"`
	Primary  bool   `json:"primary"`
	Verified bool   `json:"verified"`
}

// GitHub imitates GitHub's OAuth app endpoints on an httptest server:
//
//	GET  /login/oauth/authorize     signs the user in at once and redirects back with a code
//	POST /login/oauth/access_token  exchanges a code (once) for an access token
//	GET  /user                      the profile
//	GET  /user/emails               the addresses
//
// Build it with [NewGitHub]; its methods are safe for concurrent use.
type GitHub struct {
	// Server is the running server; its URL is the base of every endpoint.
	Server *httptest.Server
	// ClientID and ClientSecret are the credentials the fake accepts.
	ClientID, ClientSecret string

	authServer

	// guarded by mu
	user      GitHubUser
	emails    []GitHubEmail
	profFault Fault
	deny      string
	tokens    map[string]bool
}

// NewGitHub starts a fake GitHub with a default user (ID 4242, login
// "octo", no public e-mail, a verified primary address
// octo@example.test). With a non-nil tb it is closed when the test ends;
// with nil (in an Example), the caller closes it.
func NewGitHub(tb testing.TB) *GitHub {
	if tb != nil {
		tb.Helper()
	}
	g := newGrants("gh")
	mux := http.NewServeMux()
	mux.HandleFunc("GET /login/oauth/authorize", g.handleAuthorize)
	mux.HandleFunc("POST /login/oauth/access_token", g.handleToken)
	mux.HandleFunc("GET /user", g.handleUser)
	mux.HandleFunc("GET /user/emails", g.handleEmails)
	g.Server = httptest.NewServer(mux)
	g.srv = g.Server
	if tb != nil {
		tb.Cleanup(g.Close)
	}
	return g
}

// newGrants returns the authorization server that GitHub and Google
// share, without its server.
func newGrants(prefix string) *GitHub {
	g := &GitHub{
		ClientID:     prefix + "-client-" + token(""),
		ClientSecret: prefix + "-secret-" + token(""),
		user:         GitHubUser{ID: 4242, Login: "octo", Name: "Octo Cat"},
		emails:       []GitHubEmail{{Email: "octo@example.test", Primary: true, Verified: true}},
		tokens:       map[string]bool{},
	}
	g.init()
	return g
}

// OAuth2 returns the OAuth 2.0 client of the fake for callbackURL, the
// endpoints that oauth.Config.OAuth2 takes to exchange the code itself
// (with PKCE) while goth's provider fetches the profile.
func (g *GitHub) OAuth2(callbackURL string) *oauth2.Config {
	base := g.Server.URL
	return &oauth2.Config{
		ClientID: g.ClientID, ClientSecret: g.ClientSecret, RedirectURL: callbackURL,
		Endpoint: oauth2.Endpoint{AuthURL: base + "/login/oauth/authorize", TokenURL: base + "/login/oauth/access_token"},
		Scopes:   []string{"user:email"},
	}
}

// SetProfileFault makes the profile endpoints (GitHub's /user and
// /user/emails, Google's userinfo) misbehave from now on.
func (g *GitHub) SetProfileFault(f Fault) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.profFault = f
}

// profileFaulted answers a profile request with the profile fault, and
// reports whether it did.
func (g *GitHub) profileFaulted(w http.ResponseWriter, r *http.Request) bool {
	g.mu.Lock()
	f := g.profFault
	g.mu.Unlock()
	return serveFault(w, r, f, g.done)
}

// Provider returns goth's GitHub provider pointed at the fake, with the
// given callback URL and the scope "user:email".
func (g *GitHub) Provider(callbackURL string) *github.Provider {
	base := g.Server.URL
	return github.NewCustomisedURL(g.ClientID, g.ClientSecret, callbackURL,
		base+"/login/oauth/authorize", base+"/login/oauth/access_token", base+"/user", base+"/user/emails", "user:email")
}

// SetUser replaces the profile and addresses the fake returns.
func (g *GitHub) SetUser(u GitHubUser, emails ...GitHubEmail) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.user, g.emails = u, emails
}

// SetDeny makes the authorize endpoint refuse: it redirects back with
// error=access_denied and the given error_description (pass a hostile one
// to check it is never reflected). Empty restores consent.
func (g *GitHub) SetDeny(description string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.deny = description
}

// AllowCode makes the token endpoint accept code any number of times,
// for any redirect URI and without PKCE, for suites that send one request
// again and again (strategytest.Conformance). Real codes stay one-time.
func (g *GitHub) AllowCode(code string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.reusable[code] = true
}

func (g *GitHub) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	back, ok := g.beginAuthorize(w, q, g.ClientID)
	if !ok {
		return
	}
	g.mu.Lock()
	deny := g.deny
	g.mu.Unlock()
	params := back.Query()
	params.Set("state", q.Get("state"))
	if deny != "" {
		params.Set("error", "access_denied")
		params.Set("error_description", deny)
	} else {
		params.Set("code", g.newCode(back, q))
	}
	back.RawQuery = params.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (g *GitHub) handleToken(w http.ResponseWriter, r *http.Request) {
	if !g.beginToken(w, r, g.ClientID, g.ClientSecret) {
		return
	}
	if _, ok := g.redeem(w, r, false); !ok {
		return
	}
	tok := token("gho_")
	g.mu.Lock()
	g.tokens[tok] = true
	g.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "bearer", "scope": "user:email"})
}

// bearer returns whether r carries an access token the fake issued.
func (g *GitHub) bearer(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || (!strings.EqualFold(scheme, "Bearer") && !strings.EqualFold(scheme, "token")) {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.tokens[tok]
}

func (g *GitHub) handleUser(w http.ResponseWriter, r *http.Request) {
	if g.profileFaulted(w, r) {
		return
	}
	if !g.bearer(r) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials"})
		return
	}
	g.mu.Lock()
	u := g.user
	g.mu.Unlock()
	writeJSON(w, http.StatusOK, u)
}

func (g *GitHub) handleEmails(w http.ResponseWriter, r *http.Request) {
	if g.profileFaulted(w, r) {
		return
	}
	if !g.bearer(r) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials"})
		return
	}
	g.mu.Lock()
	emails := append([]GitHubEmail{}, g.emails...)
	g.mu.Unlock()
	writeJSON(w, http.StatusOK, emails)
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}
