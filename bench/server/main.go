// Command server is passport's side of bench/cmd/compare: the routes of the
// peers in bench/peers, written on this library the way its documentation
// recommends (a sealed cookie store, Session() app-wide, strategy/jwt HS256,
// strategy/local with its memory throttle and device cookies, the default
// audit log).
//
//	go run ./bench/server -addr 127.0.0.1:8082 -jwt-secret <hex> [-store cookie|sqlite|postgres|redis] [-pprof 127.0.0.1:6060]
//
// Routes: GET /plain (no authentication, through the Session middleware),
// GET /me (login required, the user from an in-memory map, JSON),
// GET /api/me (an HS256 bearer token), POST /login (a form; a trivial
// password check so that the framework's cost is measured; the session
// regenerated and saved) and POST /login-hashed (the same with
// password.Verify and the default argon2id hasher).
package main

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	jwtlib "github.com/golang-jwt/jwt/v5"
	"github.com/gorilla/sessions"
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/labstack/echo/v4"
	"github.com/redis/go-redis/v9"
	_ "modernc.org/sqlite"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/session/redisstore"
	"github.com/gopassport/passport/session/sqlstore"
	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/jwt"
	"github.com/gopassport/passport/strategy/local"
	"github.com/gopassport/passport/strategy/password"
	"github.com/gopassport/passport/strategy/throttle"
)

// Issuer and Audience are the claims every peer checks in a bearer token.
const (
	Issuer   = "https://issuer.bench"
	Audience = "api"
)

// secretHash is password.Hash("secret") made once: hashing at start-up
// would put argon2id's 19 MiB into the peak RSS the driver measures.
const secretHash = "$argon2id$v=19$m=19456,t=2,p=1$UyAaEbFihaT4Z2X5TEJh8g$aNzl38cEeRfSRrwcoWWcCaOGLSePP9lYeFf2YSo0Y2g"

type user struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type options struct {
	addr, pprofAddr, store, postgresDSN, redisAddr, sqlitePath string
	secret                                                     []byte
	audit                                                      bool
}

func main() {
	var o options
	secretHex := flag.String("jwt-secret", "", "HS256 secret, hex (at least 32 bytes)")
	flag.StringVar(&o.addr, "addr", "127.0.0.1:8082", "listen address")
	flag.StringVar(&o.pprofAddr, "pprof", "", "address of a net/http/pprof listener (off when empty)")
	flag.StringVar(&o.store, "store", "cookie", "session store: cookie, sqlite, postgres or redis")
	flag.StringVar(&o.postgresDSN, "postgres-dsn", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable", "PostgreSQL DSN for -store postgres")
	flag.StringVar(&o.redisAddr, "redis-addr", "127.0.0.1:6379", "Redis address for -store redis")
	flag.StringVar(&o.sqlitePath, "sqlite", "", "SQLite file for -store sqlite (default: one in a temporary directory)")
	flag.BoolVar(&o.audit, "audit", true, "keep the default audit log (one record per login on stderr)")
	flag.Parse()
	var err error
	if o.secret, err = hex.DecodeString(*secretHex); err != nil || len(o.secret) < 32 {
		log.Fatal("server: -jwt-secret must be at least 32 bytes in hex")
	}
	e, closeStore, err := newApp(context.Background(), o)
	if err != nil {
		log.Fatal(err)
	}
	defer closeStore()
	if o.pprofAddr != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		go func() { log.Print(http.ListenAndServe(o.pprofAddr, mux)) }()
	}
	go func() {
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGTERM, os.Interrupt)
		<-ch
		_ = e.Close()
	}()
	log.Printf("server: listening on %s, store %s", o.addr, o.store)
	if err := e.Start(o.addr); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// newStore returns the session store -store names and a function that
// releases it.
func newStore(ctx context.Context, o options, key []byte) (sessions.Store, func(), error) {
	switch o.store {
	case "cookie":
		st, err := session.NewCookieStore(key)
		return st, func() {}, err
	case "redis":
		client := redis.NewClient(&redis.Options{Addr: o.redisAddr, ContextTimeoutEnabled: true})
		st, err := redisstore.New(client, redisstore.Config{Keys: [][]byte{key}, KeyPrefix: fmt.Sprintf("passport:bench:%d:", os.Getpid())})
		return st, func() { client.Close() }, err
	case "sqlite", "postgres":
		driver, dsn, dialect := "pgx", o.postgresDSN, sqlstore.PostgreSQL
		table := fmt.Sprintf("passport_sessions_bench_%d", os.Getpid())
		if o.store == "sqlite" {
			path := o.sqlitePath
			if path == "" {
				dir, err := os.MkdirTemp("", "passport-bench-")
				if err != nil {
					return nil, nil, err
				}
				path = filepath.Join(dir, "sessions.db")
			}
			driver, dsn, dialect = "sqlite", "file:"+path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)", sqlstore.SQLite
		}
		db, err := sql.Open(driver, dsn)
		if err != nil {
			return nil, nil, err
		}
		st, err := sqlstore.New(ctx, db, sqlstore.Config{Keys: [][]byte{key}, Dialect: dialect, Table: table})
		if err != nil {
			db.Close()
			return nil, nil, err
		}
		return st, func() {
			st.Close()
			if o.store == "postgres" {
				_, _ = db.ExecContext(context.Background(), `DROP TABLE IF EXISTS "`+table+`"`)
			}
			db.Close()
		}, nil
	}
	return nil, nil, fmt.Errorf("server: unknown -store %q (cookie, sqlite, postgres or redis)", o.store)
}

func newApp(ctx context.Context, o options) (*echo.Echo, func(), error) {
	users := map[string]*user{"42": {ID: "42", Name: "Ada"}}
	find := func(_ context.Context, id string) (*user, error) {
		u, ok := users[id]
		if !ok {
			return nil, strategy.ErrUserNotFound
		}
		return u, nil
	}
	key, err := session.GenerateKey()
	if err != nil {
		return nil, nil, err
	}
	store, closeStore, err := newStore(ctx, o, key)
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*echo.Echo, func(), error) { closeStore(); return nil, nil, err }
	mgr, err := session.New(session.Config{Store: store})
	if err != nil {
		return fail(err)
	}
	auth, err := passport.New(passport.Config[*user]{
		Sessions:     mgr,
		Serialize:    func(u *user) (string, error) { return u.ID, nil },
		Deserialize:  find,
		DisableAudit: !o.audit,
	})
	if err != nil {
		return fail(err)
	}
	thr := throttle.NewMemory(throttle.MemoryConfig{})
	trivial, err := local.New(local.Config[*user]{
		Throttle: thr,
		Verify: func(ctx context.Context, name, pw string) (*user, error) {
			if name != "alice" || subtle.ConstantTimeCompare([]byte(pw), []byte("secret")) != 1 {
				return nil, strategy.ErrInvalidCredentials
			}
			return find(ctx, "42")
		},
	})
	if err != nil {
		return fail(err)
	}
	hashed, err := local.New(local.Config[*user]{
		Throttle: thr,
		Verify: password.Verify(func(ctx context.Context, name string) (*user, string, error) {
			if name != "alice" {
				return nil, "", strategy.ErrUserNotFound
			}
			u, err := find(ctx, "42")
			return u, secretHash, err
		}, &password.Hasher{}),
	})
	if err != nil {
		return fail(err)
	}
	bearer, err := jwt.New(jwt.Config[*user, *jwtlib.RegisteredClaims]{
		Algorithms: []string{"HS256"},
		Keys:       []jwt.Key{{Key: o.secret}},
		Issuer:     Issuer,
		Audience:   []string{Audience},
		Verify: func(ctx context.Context, c *jwtlib.RegisteredClaims) (*user, error) {
			return find(ctx, c.Subject)
		},
	})
	if err != nil {
		return fail(err)
	}
	for name, s := range map[string]strategy.Strategy[*user]{"local": trivial, "local-hashed": hashed, "jwt": bearer} {
		if err := auth.Use(name, s); err != nil {
			return fail(err)
		}
	}

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.Use(auth.Session())
	me := func(c echo.Context) error {
		u, ok := auth.User(c)
		if !ok {
			return echo.ErrUnauthorized
		}
		return c.JSON(http.StatusOK, u)
	}
	e.GET("/plain", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	e.GET("/me", me, auth.RequireLogin())
	e.GET("/api/me", me, auth.Authenticate("jwt", passport.Stateless()).Middleware())
	e.POST("/login", auth.Authenticate("local", passport.SuccessRedirect("/")).Handler())
	e.POST("/login-hashed", auth.Authenticate("local-hashed", passport.SuccessRedirect("/")).Handler())
	e.Server.ReadHeaderTimeout = 10 * time.Second
	return e, closeStore, nil
}
