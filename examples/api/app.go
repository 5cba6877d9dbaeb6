package main

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/strategy/jwt"
	"github.com/gopassport/passport/strategy/local"
	"github.com/gopassport/passport/strategy/password"
	"github.com/gopassport/passport/strategy/throttle"
)

// Routes of the API.
const (
	tokenPath   = "/api/v1/token"
	refreshPath = "/api/v1/token/refresh"
	mePath      = "/api/v1/me"
	logoutPath  = "/api/v1/logout"
	jwksPath    = "/.well-known/jwks.json"
)

// audience is the "aud" of the access tokens: this API.
const audience = "passport-example-api"

// config configures newApp.
type config struct {
	// Issuer is the "iss" claim of the tokens, the API's base URL.
	// Required.
	Issuer string
	// Users are the accounts, hashed with Hasher at start.
	Users []seedUser
	// Hasher hashes and checks passwords. Optional. Default argon2id with
	// OWASP's parameters; tests give a cheap one.
	Hasher *password.Hasher
	// AccessTTL and RefreshTTL are the tokens' lifetimes. Optional.
	// Default 15 minutes and 30 days.
	AccessTTL, RefreshTTL time.Duration
	// Now is the clock of the issuer and the verifier. Optional. Default
	// time.Now.
	Now func() time.Time
	// Logger receives faults and security events. Optional. Default
	// slog.Default().
	Logger *slog.Logger
}

// app is the API: its routes, users, token issuer and token state.
type app struct {
	e      *echo.Echo
	auth   *passport.Authenticator[*User]
	users  *userStore
	issuer *jwt.Issuer
	tokens *jwt.MemoryStore
	now    func() time.Time
	logger *slog.Logger
}

// newApp builds the API: an Ed25519 signing key generated now, the users
// hashed, the local and jwt strategies registered, the routes mounted.
func newApp(cfg config) (*app, error) {
	if cfg.Issuer == "" {
		return nil, errors.New("api: config.Issuer is required")
	}
	a := &app{now: cfg.Now, logger: cfg.Logger}
	if a.now == nil {
		a.now = time.Now
	}
	if a.logger == nil {
		a.logger = slog.Default()
	}
	a.tokens = jwt.NewMemoryStore(jwt.MemoryStoreConfig{Now: a.now})
	var err error
	if a.users, err = newUserStore(cfg.Users, cfg.Hasher); err != nil {
		return nil, err
	}

	key, err := jwt.GenerateEd25519Key()
	if err != nil {
		return nil, err
	}
	kid, err := keyID(key)
	if err != nil {
		return nil, err
	}
	a.issuer, err = jwt.NewIssuer(jwt.IssuerConfig{
		Issuer:     cfg.Issuer,
		Audience:   []string{audience},
		Key:        jwt.Key{ID: kid, Key: key},
		AccessTTL:  cfg.AccessTTL,
		RefreshTTL: cfg.RefreshTTL,
		Store:      a.tokens,
		Now:        a.now,
	})
	if err != nil {
		return nil, err
	}

	a.auth, err = passport.New(passport.Config[*User]{
		Serialize:   func(u *User) (string, error) { return u.ID, nil },
		Deserialize: a.users.byIDErr,
		Logger:      a.logger,
	})
	if err != nil {
		return nil, err
	}
	login, err := local.New(local.Config[*User]{
		UsernameField: "email",
		Throttle:      throttle.NewMemory(throttle.MemoryConfig{Now: a.now}),
		Verify:        password.Verify(a.users.lookupHash, cfg.Hasher),
	})
	if err != nil {
		return nil, err
	}
	bearer, err := jwt.New(jwt.Config[*User, *jwt.Claims]{
		Algorithms:  []string{a.issuer.Algorithm()},
		Keys:        a.issuer.VerificationKeys(),
		Issuer:      cfg.Issuer,
		Audience:    []string{audience},
		TokenTypes:  []string{jwt.AccessTokenType},
		Revocations: a.tokens,
		Now:         a.now,
		Verify: func(ctx context.Context, c *jwt.Claims) (*User, error) {
			return a.users.byIDErr(ctx, c.Subject)
		},
	})
	if err != nil {
		return nil, err
	}
	if err := a.auth.Use("local", login); err != nil {
		return nil, err
	}
	if err := a.auth.Use("jwt", bearer); err != nil {
		return nil, err
	}
	if err := a.routes(); err != nil {
		return nil, err
	}
	return a, nil
}

// routes mounts the API on a new Echo.
func (a *app) routes() error {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = a.handleError

	bearer := a.auth.Authenticate("jwt", passport.Stateless()).Middleware()
	jwks, err := a.issuer.JWKSHandler()
	if err != nil {
		return err
	}
	// The token endpoints are the library's: they answer as RFC 6749 and
	// RFC 7009 say, refusals included. The strategies run through Chain,
	// not as route middleware, so that a login is still audited and
	// throttled as on a route. Owner makes logout take a bearer access
	// token and revoke only a refresh token of the same user, so that a
	// stolen refresh token cannot log somebody else out.
	subject := func(u *User) string { return u.ID }
	ep, err := a.issuer.Endpoints(jwt.EndpointsConfig{
		Authenticate: jwt.CheckWith(a.auth.Chain("local"), subject),
		Owner:        jwt.CheckWith(a.auth.Chain("jwt"), subject),
		Logger:       a.logger,
	})
	if err != nil {
		return err
	}

	// Middleware per route (the bearer check of /me), not on a group:
	// Echo answers a group's unknown paths and methods with 404 through
	// the group's middleware, which would hide the 405 of a wrong method.
	e.POST(tokenPath, passport.WrapHandler(ep.Token()))
	e.POST(refreshPath, passport.WrapHandler(ep.Refresh()))
	e.POST(logoutPath, passport.WrapHandler(ep.Revoke()))
	e.GET(mePath, a.me, noStore, bearer)
	e.GET(jwksPath, echo.WrapHandler(jwks))
	e.HEAD(jwksPath, echo.WrapHandler(jwks))
	a.e = e
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

// keyID is the RFC 7638 thumbprint of an Ed25519 key: a kid that changes
// with the key and says nothing else about it.
func keyID(key ed25519.PrivateKey) (string, error) {
	pub, ok := key.Public().(ed25519.PublicKey)
	if !ok {
		return "", fmt.Errorf("api: unexpected public key type %T", key.Public())
	}
	canon := `{"crv":"Ed25519","kty":"OKP","x":"` + base64.RawURLEncoding.EncodeToString(pub) + `"}`
	sum := sha256.Sum256([]byte(canon))
	return base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

// sweep removes expired refresh tokens every interval until ctx ends, so
// that the in-memory store does not grow without bound.
func (a *app) sweep(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := a.tokens.DeleteExpired(ctx); err != nil {
				a.logger.ErrorContext(ctx, "api: deleting expired refresh tokens", "err", err)
			}
		}
	}
}
