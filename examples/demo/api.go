package main

// The demo's JSON API: the same contract as examples/api, on the demo's
// users table and database.
//
//	POST /api/v1/token          {"email","password"} (JSON or a form) → 200 token pair
//	POST /api/v1/token/refresh  {"refresh_token"} → 200 a new pair; a reused token → 401, its login revoked
//	GET  /api/v1/me             a bearer access token or the browser's session → 200 {"id","name","email"}
//	POST /api/v1/logout         bearer access token and {"refresh_token"} → 204, the login and its access tokens revoked
//	GET  /.well-known/jwks.json the public signing key
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
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/strategy/jwt"
	"github.com/gopassport/passport/strategy/jwt/sqltokens"
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
	// maxTokenBody is the most read of a refresh or logout body: a refresh
	// token is 43 characters.
	maxTokenBody = 4 << 10
)

// isAPI reports whether the request is for the API, which the CSRF
// middleware skips: the API's callers send no CSRF token, and its routes
// that change state never accept the session cookie. The JWK Set is
// included so that no CSRF cookie rides on a publicly cacheable response.
func isAPI(c echo.Context) bool {
	p := c.Request().URL.Path
	return strings.HasPrefix(p, apiPrefix) || p == jwksPath
}

// tokenAPI is the API's state: the token issuer and the refresh-token
// store, both on the demo's database.
type tokenAPI struct {
	*app
	issuer *jwt.Issuer
	tokens *sqltokens.Store
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
	// The store deletes expired refresh tokens in the background until
	// the app closes it.
	tokens, err := sqltokens.New(ctx, a.db, sqltokens.Config{Logger: a.logger})
	if err != nil {
		return fmt.Errorf("demo: refresh-token store: %w", err)
	}
	a.tokens = tokens
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
	t := &tokenAPI{app: a, issuer: issuer, tokens: tokens}
	return t.routes(ctx)
}

// routes mounts the API on the app's Echo. Each route names its
// strategies: the password for /token, a bearer token for /logout, a
// bearer token or the session for /me.
func (t *tokenAPI) routes(ctx context.Context) error {
	password := t.auth.Authenticate("local", passport.Stateless()).Middleware()
	bearer := t.auth.Authenticate("jwt", passport.Stateless()).Middleware()
	bearerOrSession := t.auth.AuthenticateAny([]string{"jwt", "session"}, passport.Stateless()).Middleware()
	jwks, err := t.issuer.JWKSHandler()
	if err != nil {
		return err
	}
	e := t.e
	e.POST(apiTokenPath, t.token, noStore, password)
	e.POST(apiRefreshPath, t.refresh, noStore)
	e.GET(apiMePath, t.me, noStore, bearerOrSession)
	e.POST(apiLogoutPath, t.logout, noStore, bearer)
	e.GET(jwksPath, echo.WrapHandler(jwks))
	e.HEAD(jwksPath, echo.WrapHandler(jwks))
	return nil
}

// noStore keeps tokens and account data out of caches (RFC 6749 section
// 5.1), on errors too.
func noStore(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set(echo.HeaderCacheControl, "no-store")
		h.Set("Pragma", "no-cache")
		return next(c)
	}
}

// signingKey returns the Ed25519 key that signs access tokens: generated
// on the first run and kept in the settings table (INSERT OR IGNORE then
// SELECT, so that two instances starting at once on one file agree).
// Like the session key, it is as secret as the database file.
func signingKey(ctx context.Context, db *sql.DB) (ed25519.PrivateKey, error) {
	fresh, err := jwt.GenerateEd25519Key()
	if err != nil {
		return nil, fmt.Errorf("demo: generating the signing key: %w", err)
	}
	pemKey, err := jwt.MarshalPrivateKeyPEM(fresh)
	if err != nil {
		return nil, fmt.Errorf("demo: encoding the signing key: %w", err)
	}
	if _, err := db.ExecContext(ctx, `INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)`, signingKeySetting, pemKey); err != nil {
		return nil, fmt.Errorf("demo: storing the signing key: %w", err)
	}
	var stored []byte
	if err := db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, signingKeySetting).Scan(&stored); err != nil {
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

// token is POST /api/v1/token, after the local strategy accepted the email
// and password: a new login, with a fresh refresh-token family.
func (t *tokenAPI) token(c echo.Context) error {
	u, err := t.userOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	pair, err := t.issuer.Issue(ctx, subject(u))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pair)
}

// refresh is POST /api/v1/token/refresh: the refresh token is rotated.
// Every refusal is the same 401; a reused token (its login is then
// revoked) is logged as a security event.
func (t *tokenAPI) refresh(c echo.Context) error {
	tok, err := readRefreshToken(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	pair, err := t.issuer.Refresh(ctx, tok)
	switch {
	case errors.Is(err, jwt.ErrRefreshReused):
		// The family is revoked (unless the store failed, which err then
		// says too): the thief and the client must both log in again.
		t.logger.WarnContext(ctx, "demo: refresh token reused, login revoked", "ip", c.RealIP(), "err", err)
		return refreshRefused(err)
	case errors.Is(err, jwt.ErrRefreshInvalid), errors.Is(err, jwt.ErrRefreshExpired), errors.Is(err, jwt.ErrRefreshRevoked):
		return refreshRefused(err)
	case err != nil:
		return err
	}
	return c.JSON(http.StatusOK, pair)
}

// me is GET /api/v1/me: the user of the bearer token or of the session.
func (t *tokenAPI) me(c echo.Context) error {
	u, err := t.userOf(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, apiUser{ID: subject(u), Name: u.Name, Email: u.Email})
}

// logout is POST /api/v1/logout: the refresh token's family (the login) is
// revoked, and with it every access token of the login: the "jwt"
// strategy checks the family of each token's "sid" in the same store. The
// access token that authenticates the request must belong to the user of
// the refresh token, so a stolen refresh token cannot log somebody else
// out.
func (t *tokenAPI) logout(c echo.Context) error {
	u, err := t.userOf(c)
	if err != nil {
		return err
	}
	tok, err := readRefreshToken(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	rec, err := t.tokens.GetRefresh(ctx, jwt.HashRefreshToken(tok))
	switch {
	case errors.Is(err, jwt.ErrNotFound):
		return unknownRefresh()
	case err != nil:
		return err
	case rec.Subject != subject(u):
		return unknownRefresh()
	}
	if err := t.issuer.Revoke(ctx, tok); err != nil {
		if errors.Is(err, jwt.ErrRefreshInvalid) {
			return unknownRefresh()
		}
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// subject is the "sub" of a user's tokens: its ID in decimal, the key the
// session keeps too.
func subject(u *User) string { return strconv.FormatInt(u.ID, 10) }

// unknownRefresh answers a logout whose refresh token is not one of the
// caller's logins. It is a 400, not a 401: the access token was fine.
func unknownRefresh() error {
	return echo.NewHTTPError(http.StatusBadRequest, "Unknown refresh token.")
}

// refreshRefused is the 401 of a refresh token that cannot be used; the
// reason stays in the logs.
func refreshRefused(reason error) error {
	return echo.NewHTTPError(http.StatusUnauthorized, "Invalid refresh token.").WithInternal(reason)
}

// readRefreshToken reads {"refresh_token": "..."} from a JSON body, or the
// refresh_token field of a form, at most maxTokenBody bytes.
func readRefreshToken(c echo.Context) (string, error) {
	r := c.Request()
	mt, _, err := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	if err != nil {
		mt = ""
	}
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxTokenBody)
	var tok string
	switch mt {
	case echo.MIMEApplicationJSON:
		var body struct {
			RefreshToken string `json:"refresh_token"`
		}
		dec := json.NewDecoder(r.Body)
		if err := dec.Decode(&body); err != nil {
			return "", bodyError(err, "Malformed JSON body.")
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return "", bodyError(err, "Malformed JSON body.")
		}
		tok = body.RefreshToken
	case echo.MIMEApplicationForm:
		// readForm parsed the form already, within the app's body limit.
		if err := r.ParseForm(); err != nil {
			return "", bodyError(err, "Malformed form.")
		}
		values := r.PostForm["refresh_token"]
		if len(values) > 1 {
			return "", echo.NewHTTPError(http.StatusBadRequest, "refresh_token sent more than once.")
		}
		if len(values) == 1 {
			tok = values[0]
		}
	default:
		return "", echo.NewHTTPError(http.StatusUnsupportedMediaType, "Send application/json or application/x-www-form-urlencoded.")
	}
	if tok == "" {
		return "", echo.NewHTTPError(http.StatusBadRequest, "Missing refresh_token.")
	}
	return tok, nil
}

// bodyError is the error of a body that cannot be read: 413 when it is
// over the limit, else 400 with msg.
func bodyError(err error, msg string) error {
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, "Request body too large.").WithInternal(err)
	}
	return echo.NewHTTPError(http.StatusBadRequest, msg).WithInternal(err)
}
