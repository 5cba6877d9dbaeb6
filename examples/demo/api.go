package main

// The demo's JSON API: the same contract as examples/api, on the demo's
// users table and database.
//
//	POST /api/v1/token          {"email","password"} (JSON or a form) → 200 token pair; wrong credentials → 400 invalid_grant
//	POST /api/v1/token/refresh  {"refresh_token"} → 200 a new pair; an unusable token → 400 invalid_grant,
//	                            a reused one also revokes its login
//	GET  /api/v1/me             a bearer access token or the browser's session → 200 {"id","name","email"}
//	POST /api/v1/logout         bearer access token and {"refresh_token"} → 200, empty: the login and its access
//	                            tokens revoked; an unknown token, or another user's (left alone), is 200 too
//	GET  /.well-known/jwks.json the public signing key
//
// The token routes are strategy/jwt's endpoints (RFC 6749 and, for
// logout, RFC 7009): their answers carry Cache-Control: no-store and their
// refusals are {"error","error_description"} JSON. /me's errors are the
// demo's {"error","status"} JSON, as for every other /api/ path.
//
// The API takes no CSRF token: its routes are exempt from the CSRF
// middleware, and only GET /api/v1/me, which changes nothing, accepts the
// session cookie. The routes that change state authenticate with a
// password, a refresh token or a bearer token, none of which a browser
// sends on its own with a cross-site request.

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/strategy/jwt"
)

// Routes of the API.
const (
	apiPrefix      = "/api/"
	apiTokenPath   = "/api/v1/token"
	apiRefreshPath = "/api/v1/token/refresh"
	apiMePath      = "/api/v1/me"
	apiLogoutPath  = "/api/v1/logout"
	jwksPath       = "/.well-known/jwks.json"
)

const (
	// apiIssuer is the "iss" of the demo's access tokens. It names the
	// demo rather than its address, which changes with -addr.
	apiIssuer = "passport-demo"
	// apiAudience is their "aud": this API.
	apiAudience = "passport-demo-api"
	// signingKeySetting is the settings row that holds the Ed25519 signing
	// key, PKCS #8 PEM.
	signingKeySetting = "jwt_signing_key"
)

// isAPI reports whether the request is for the API, which the CSRF
// middleware skips: the API's callers send no CSRF token, and its routes
// that change state never accept the session cookie. The JWK Set is
// included so that no CSRF cookie rides on a publicly cacheable response.
func isAPI(c echo.Context) bool {
	p := c.Request().URL.Path
	return strings.HasPrefix(p, apiPrefix) || p == jwksPath
}

// tokenAPI is the API's state: the token issuer, on the demo's database.
type tokenAPI struct {
	*app
	issuer *jwt.Issuer
}

// apiUser is the JSON form of a user.
type apiUser struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// mountAPI adds the API to the app: the refresh-token tables, the signing
// key (generated on the first run and kept in the settings table), the
// "jwt" and "session" strategies and the routes.
func (a *app) mountAPI(ctx context.Context) error {
	tokens := a.shared.tokens
	key, err := signingKey(ctx, a.db)
	if err != nil {
		return err
	}
	kid, err := keyID(key)
	if err != nil {
		return err
	}
	issuer, err := jwt.NewIssuer(jwt.IssuerConfig{
		Issuer:   apiIssuer,
		Audience: []string{apiAudience},
		Key:      jwt.Key{ID: kid, Key: key},
		Store:    tokens,
	})
	if err != nil {
		return err
	}
	bearer, err := jwt.New(jwt.Config[*User, *jwt.Claims]{
		Algorithms:  []string{issuer.Algorithm()},
		Keys:        issuer.VerificationKeys(),
		Issuer:      apiIssuer,
		Audience:    []string{apiAudience},
		TokenTypes:  []string{jwt.AccessTokenType},
		Revocations: tokens,
		Verify: func(ctx context.Context, c *jwt.Claims) (*User, error) {
			return a.users.byID(ctx, c.Subject) // an unknown user wraps ErrUserNotFound: 401
		},
	})
	if err != nil {
		return err
	}
	if err := a.auth.Use("jwt", bearer); err != nil {
		return err
	}
	if err := a.auth.Use("session", a.auth.SessionLoginStrategy()); err != nil {
		return err
	}
	t := &tokenAPI{app: a, issuer: issuer}
	return t.routes(ctx)
}

// routes mounts the API on the app's Echo. The token routes are the
// library's OAuth 2.0 endpoints: they read their own JSON or form body and
// answer every refusal themselves, as RFC 6749 JSON with no-store, so the
// app's error handler never sees them. They check credentials with the
// app's strategies through Chain, which audits and throttles as a route
// does: the password on /token (the logon form's throttle, so guessing on
// the API locks the account for browsers too), the bearer access token on
// /logout. WrapHandler gives them the client IP that Echo finds, which the
// throttle counts by. /me is an Echo route that takes a bearer token or
// the session.
func (t *tokenAPI) routes(ctx context.Context) error {
	ep, err := t.issuer.Endpoints(jwt.EndpointsConfig{
		Authenticate: jwt.CheckWith(t.auth.Chain("local"), subject),
		// Only the refresh token of the bearer token's user is revoked,
		// so that a stolen refresh token cannot log somebody else out.
		Owner:  jwt.CheckWith(t.auth.Chain("jwt"), subject),
		Logger: t.logger,
	})
	if err != nil {
		return err
	}
	bearerOrSession := t.auth.AuthenticateAny([]string{"jwt", "session"}, passport.Stateless()).Middleware()
	jwks, err := t.issuer.JWKSHandler()
	if err != nil {
		return err
	}
	e := t.e
	e.POST(apiTokenPath, passport.WrapHandler(ep.Token()))
	e.POST(apiRefreshPath, passport.WrapHandler(ep.Refresh()))
	e.GET(apiMePath, t.me, noStore, bearerOrSession)
	// Revoking the refresh token's family (the login) revokes every access
	// token of the login too: the "jwt" strategy checks the family of each
	// token's "sid" in the same store.
	e.POST(apiLogoutPath, passport.WrapHandler(ep.Revoke()))
	e.GET(jwksPath, echo.WrapHandler(jwks))
	e.HEAD(jwksPath, echo.WrapHandler(jwks))
	return nil
}

// noStore keeps account data out of caches, on errors too, as the token
// endpoints do for tokens (RFC 6749 section 5.1).
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set(echo.HeaderCacheControl, "no-store")
		h.Set("Pragma", "no-cache")
		return next(c)
	}
}

// signingKey returns the Ed25519 key that signs access tokens: generated
// on the first run and kept in the settings table (inserted unless present,
// then read back, so that two instances starting at once on one database
// agree).
// Like the session key, it is as secret as the database file.
func signingKey(ctx context.Context, db database) (ed25519.PrivateKey, error) {
	fresh, err := jwt.GenerateEd25519Key()
	if err != nil {
		return nil, fmt.Errorf("demo: generating the signing key: %w", err)
	}
	pemKey, err := jwt.MarshalPrivateKeyPEM(fresh)
	if err != nil {
		return nil, fmt.Errorf("demo: encoding the signing key: %w", err)
	}
	if _, err := db.exec(ctx, insertSetting, signingKeySetting, pemKey); err != nil {
		return nil, fmt.Errorf("demo: storing the signing key: %w", err)
	}
	var stored []byte
	if err := db.queryRow(ctx, selectSetting, signingKeySetting).Scan(&stored); err != nil {
		return nil, fmt.Errorf("demo: reading the signing key: %w", err)
	}
	signer, err := jwt.ParsePrivateKeyPEM(stored)
	if err != nil {
		return nil, fmt.Errorf("demo: the signing key stored in the settings table: %w; delete that row to generate a new one", err)
	}
	key, ok := signer.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("demo: the signing key stored in the settings table is a %T, want an Ed25519 key; delete that row to generate a new one", signer)
	}
	return key, nil
}

// keyID is the RFC 7638 thumbprint of an Ed25519 key: a kid that changes
// with the key and says nothing else about it.
func keyID(key ed25519.PrivateKey) (string, error) {
	pub, ok := key.Public().(ed25519.PublicKey)
	if !ok {
		return "", fmt.Errorf("demo: unexpected public key type %T", key.Public())
	}
	canon := `{"crv":"Ed25519","kty":"OKP","x":"` + base64.RawURLEncoding.EncodeToString(pub) + `"}`
	sum := sha256.Sum256([]byte(canon))
	return base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

// userOf returns the user the route's strategy authenticated. The routes
// that call it run behind a strategy, so a missing user is a fault.
func (t *tokenAPI) userOf(c echo.Context) (*User, error) {
	u, ok, err := t.auth.LoadUser(c)
	if err != nil {
		return nil, err
	}
	if !ok || u == nil {
		return nil, errors.New("demo: no authenticated user on an authenticated route")
	}
	return u, nil
}

// me is GET /api/v1/me: the user of the bearer token or of the session.
func (t *tokenAPI) me(c echo.Context) error {
	u, err := t.userOf(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiUser{ID: subject(u), Name: u.Name, Email: u.Email})
}

// subject is the "sub" of a user's tokens: its ID in decimal, the key the
// session keeps too.
func subject(u *User) string { return strconv.FormatInt(u.ID, 10) }
