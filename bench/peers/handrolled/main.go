// Command handrolled is the hand-written peer of bench/cmd/compare: the routes
// of bench/server written on Echo v4, gorilla/sessions' CookieStore and
// golang-jwt, as a Go developer writes them without passport.
//
//	go run ./bench/peers/handrolled -addr 127.0.0.1:8081 -jwt-secret <hex>
//
// Routes: GET /plain, GET /me (session), GET /api/me (HS256 bearer),
// POST /login (form, trivial password check, a new session saved) and
// POST /login-hashed (the same with argon2id at passport's default cost).
package main

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"

	jwtlib "github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/sessions"
	"github.com/labstack/echo/v4"
	"golang.org/x/crypto/argon2"
)

type user struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

var errUnknown = errors.New("unknown user")

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "listen address")
	secretHex := flag.String("jwt-secret", "", "HS256 secret, hex (at least 32 bytes)")
	flag.Parse()
	secret, err := hex.DecodeString(*secretHex)
	if err != nil || len(secret) < 32 {
		log.Fatal("handrolled: -jwt-secret must be at least 32 bytes in hex")
	}
	e := newApp(secret)
	go func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGTERM, os.Interrupt)
		<-ch
		_ = e.Close()
	}()
	log.Printf("handrolled: listening on %s", *addr)
	if err := e.Start(*addr); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

func newApp(secret []byte) *echo.Echo {
	users := map[string]*user{"42": {ID: "42", Name: "Ada"}}
	byName := map[string]string{"alice": "42"}
	find := func(id string) (*user, error) {
		u, ok := users[id]
		if !ok {
			return nil, errUnknown
		}
		return u, nil
	}
	hashKey, blockKey := make([]byte, 32), make([]byte, 32)
	_, _ = rand.Read(hashKey)
	_, _ = rand.Read(blockKey)
	store := sessions.NewCookieStore(hashKey, blockKey)
	store.Options.HttpOnly = true
	store.Options.SameSite = http.SameSiteLaxMode

	// argon2id of "secret", made once: hashing at start-up would put its
	// 19 MiB into the peak RSS the driver measures.
	salt := []byte("passport-bench-s")
	hashed, _ := hex.DecodeString("8e099db14b00b1784870edee29472fca026d7639d4c5953f8d383a57de60d0f2")

	parser := jwtlib.NewParser(
		jwtlib.WithValidMethods([]string{"HS256"}),
		jwtlib.WithExpirationRequired(),
		jwtlib.WithAudience("api"),
		jwtlib.WithIssuer("https://issuer.bench"),
	)
	keyFunc := func(*jwtlib.Token) (any, error) { return secret, nil }

	requireLogin := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			s, err := store.Get(c.Request(), "session")
			if err != nil {
				return echo.ErrUnauthorized
			}
			id, ok := s.Values["user"].(string)
			if !ok {
				return echo.ErrUnauthorized
			}
			u, err := find(id)
			if err != nil {
				return echo.ErrUnauthorized
			}
			c.Set("user", u)
			return next(c)
		}
	}
	requireJWT := func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Request().Header.Get(echo.HeaderAuthorization)
			if len(h) < 8 || h[:7] != "Bearer " {
				return echo.ErrUnauthorized
			}
			var claims jwtlib.RegisteredClaims
			if _, err := parser.ParseWithClaims(h[7:], &claims, keyFunc); err != nil {
				return echo.ErrUnauthorized
			}
			u, err := find(claims.Subject)
			if err != nil {
				return echo.ErrUnauthorized
			}
			c.Set("user", u)
			return next(c)
		}
	}
	login := func(check func(password string) bool) echo.HandlerFunc {
		return func(c echo.Context) error {
			id, ok := byName[c.FormValue("username")]
			if !ok || !check(c.FormValue("password")) {
				return c.Redirect(http.StatusFound, "/login")
			}
			s, _ := store.Get(c.Request(), "session")
			// A new session: gorilla's cookie store has no server-side ID
			// to regenerate, so fixation is avoided by starting afresh.
			s.Values = map[any]any{"user": id}
			s.IsNew = true
			if err := s.Save(c.Request(), c.Response()); err != nil {
				return err
			}
			return c.Redirect(http.StatusFound, "/")
		}
	}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/plain", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	me := func(c echo.Context) error { return c.JSON(http.StatusOK, c.Get("user")) }
	e.GET("/me", me, requireLogin)
	e.GET("/api/me", me, requireJWT)
	e.POST("/login", login(func(p string) bool { return subtle.ConstantTimeCompare([]byte(p), []byte("secret")) == 1 }))
	e.POST("/login-hashed", login(func(p string) bool {
		return subtle.ConstantTimeCompare(argon2.IDKey([]byte(p), salt, 2, 19456, 1, 32), hashed) == 1
	}))
	return e
}
