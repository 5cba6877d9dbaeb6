package oauthtest

import (
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/markbates/goth/providers/openidConnect"
	"golang.org/x/oauth2"
)

// IDTokenFault is what is wrong with the ID token a fake OIDC provider
// issues.
type IDTokenFault int

const (
	// IDTokenOK: a valid token.
	IDTokenOK IDTokenFault = iota
	// IDTokenBadSignature: signed by another key under the same key ID.
	IDTokenBadSignature
	// IDTokenWrongNonce: a nonce other than the one of the authorization
	// request.
	IDTokenWrongNonce
	// IDTokenNoNonce: no nonce claim.
	IDTokenNoNonce
	// IDTokenWrongAudience: issued to another client.
	IDTokenWrongAudience
	// IDTokenWrongIssuer: issued by another issuer.
	IDTokenWrongIssuer
	// IDTokenExpired: expired an hour ago.
	IDTokenExpired
	// IDTokenAlgNone: unsigned, with "alg": "none".
	IDTokenAlgNone
	// IDTokenMissing: the token response has no id_token.
	IDTokenMissing
	// IDTokenWrongAccessTokenHash: an at_hash that does not match the
	// access token.
	IDTokenWrongAccessTokenHash
	// IDTokenOtherAuthorizedParty: an audience of our client and another
	// one, with azp the other client (issued to it, not to us).
	IDTokenOtherAuthorizedParty
	// IDTokenNoAuthorizedParty: an audience of our client and another
	// one, without azp.
	IDTokenNoAuthorizedParty
	// IDTokenSharedAudience: a valid token whose audience holds our client
	// and another one, with azp our client.
	IDTokenSharedAudience
)

// String names the fault as test names do: "ID token expired".
func (f IDTokenFault) String() string {
	switch f {
	case IDTokenBadSignature:
		return "ID token with a bad signature"
	case IDTokenWrongNonce:
		return "ID token with a wrong nonce"
	case IDTokenNoNonce:
		return "ID token without a nonce"
	case IDTokenWrongAudience:
		return "ID token for another audience"
	case IDTokenWrongIssuer:
		return "ID token from another issuer"
	case IDTokenExpired:
		return "ID token expired"
	case IDTokenAlgNone:
		return "ID token with alg none"
	case IDTokenMissing:
		return "no ID token"
	case IDTokenWrongAccessTokenHash:
		return "ID token with a wrong at_hash"
	case IDTokenOtherAuthorizedParty:
		return "ID token for another authorized party"
	case IDTokenNoAuthorizedParty:
		return "ID token with several audiences and no azp"
	case IDTokenSharedAudience:
		return "ID token with several audiences and our azp"
	default:
		return "valid ID token"
	}
}

// OIDCUser is who a fake OIDC provider signs in.
type OIDCUser struct {
	Subject string
	Email   string
	Name    string
}

// OIDC is an OpenID Connect provider on an httptest server, with its own
// RSA key (generated per fake):
//
//	GET  /.well-known/openid-configuration  discovery
//	GET  /jwks                              the public key
//	GET  /authorize                         signs the user in at once, redirects back with a code
//	POST /token                             exchanges a code (once; PKCE S256 checked) for tokens
//	GET  /userinfo                          the user's claims
//
// The issuer is the server's URL. Build it with [NewOIDC]; its methods are
// safe for concurrent use.
type OIDC struct {
	// Server is the running server.
	Server *httptest.Server
	// ClientID and ClientSecret are the credentials the fake accepts.
	ClientID, ClientSecret string

	key, otherKey *rsa.PrivateKey
	kid           string
	authServer

	// guarded by mu
	issuer    string
	user      OIDCUser
	infoFault Fault
	logouts   []url.Values
	idFault   IDTokenFault
	tokens    map[string]string // access token → subject
}

// NewOIDC starts a fake OpenID Connect provider signing in the subject
// "oidc-user-1" (ada@example.test), with two RSA keys of its own (one
// signs, the other forges). With a non-nil tb it is closed when the test
// ends and a failure to generate the keys is fatal; with nil (in an
// Example), the caller closes it and such a failure panics, as
// httptest.NewServer does when it cannot listen.
func NewOIDC(tb testing.TB) *OIDC {
	if tb != nil {
		tb.Helper()
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	var other *rsa.PrivateKey
	if err == nil {
		other, err = rsa.GenerateKey(rand.Reader, 2048)
	}
	if err != nil {
		if tb == nil {
			panic("oauthtest: generating a key: " + err.Error())
		}
		tb.Fatalf("oauthtest: generating a key: %v", err)
	}
	o := &OIDC{
		ClientID:     "oidc-client-" + token(""),
		ClientSecret: "oidc-secret-" + token(""),
		key:          key,
		otherKey:     other,
		kid:          "k1",
		user:         OIDCUser{Subject: "oidc-user-1", Email: "ada@example.test", Name: "Ada Lovelace"},
		tokens:       map[string]string{},
	}
	o.init()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", o.handleDiscovery)
	mux.HandleFunc("GET /jwks", o.handleJWKS)
	mux.HandleFunc("GET /authorize", o.handleAuthorize)
	mux.HandleFunc("POST /token", o.handleToken)
	mux.HandleFunc("GET /userinfo", o.handleUserinfo)
	mux.HandleFunc("GET /logout", o.handleLogout)
	o.Server = httptest.NewServer(mux)
	o.srv = o.Server
	o.issuer = o.Server.URL
	if tb != nil {
		tb.Cleanup(o.Close)
	}
	return o
}

// Issuer returns the issuer URL: the server's URL, with a trailing slash
// after [OIDC.SetIssuerTrailingSlash].
func (o *OIDC) Issuer() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.issuer
}

// SetIssuerTrailingSlash makes the issuer the server's URL followed by
// "/", as Auth0 and others publish it, in the discovery document and the
// ID tokens alike. The discovery document stays at
// /.well-known/openid-configuration.
func (o *OIDC) SetIssuerTrailingSlash() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.issuer = o.Server.URL + "/"
}

// EndSessionURL returns the end_session_endpoint the discovery document
// announces: GET /logout, which records its query ([OIDC.Logouts]) and
// redirects to post_logout_redirect_uri.
func (o *OIDC) EndSessionURL() string { return o.Server.URL + "/logout" }

// Logouts returns the query of every request to the end_session_endpoint
// so far, oldest first.
func (o *OIDC) Logouts() []url.Values {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]url.Values, len(o.logouts))
	for i, q := range o.logouts {
		out[i] = cloneValues(q)
	}
	return out
}

// SetUserinfoFault makes the userinfo endpoint misbehave from now on.
func (o *OIDC) SetUserinfoFault(f Fault) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.infoFault = f
}

// OAuth2 returns the OAuth 2.0 client of the fake for callbackURL, with
// the scopes openid, email and profile.
func (o *OIDC) OAuth2(callbackURL string) *oauth2.Config {
	base := o.Server.URL
	return &oauth2.Config{
		ClientID: o.ClientID, ClientSecret: o.ClientSecret, RedirectURL: callbackURL,
		Endpoint: oauth2.Endpoint{AuthURL: base + "/authorize", TokenURL: base + "/token"},
		Scopes:   []string{"openid", "email", "profile"},
	}
}

// Provider returns goth's openidConnect provider pointed at the fake
// without discovery, named name, with scopes openid, email and profile
// and the fake's end_session_endpoint.
func (o *OIDC) Provider(name, callbackURL string) (*openidConnect.Provider, error) {
	base := o.Server.URL
	p, err := openidConnect.NewCustomisedURL(o.ClientID, o.ClientSecret, callbackURL,
		base+"/authorize", base+"/token", o.Issuer(), base+"/userinfo", o.EndSessionURL(), "openid", "email", "profile")
	if err != nil {
		return nil, err
	}
	p.SetName(name)
	return p, nil
}

// SetUser replaces the user the fake signs in.
func (o *OIDC) SetUser(u OIDCUser) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.user = u
}

// SetIDTokenFault makes the token endpoint issue a bad ID token from now
// on.
func (o *OIDC) SetIDTokenFault(f IDTokenFault) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.idFault = f
}
