// Command custom-strategy is a small Echo app with two ways in, side by
// side: people log in with a password and get a session (as in
// examples/quickstart), and an order system posts webhooks to
// POST /webhooks/orders, signed with an HMAC of their body and checked by
// package hmacsig of this directory, a strategy written as an outside
// author would, against package strategy only.
//
//	go run ./examples/custom-strategy
//
// It listens on 127.0.0.1:8081 (-addr to change it) and prints the curl
// commands that log in and post a signed webhook. The webhook sender
// "acme" signs with the secret in WEBHOOK_SECRET, or with one generated
// for the run. With -sign, the program prints a curl command that posts
// its argument, signed now, and exits:
//
//	WEBHOOK_SECRET=<secret> go run ./examples/custom-strategy -sign '{"id":43}'
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/examples/custom-strategy/hmacsig"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/local"
	"github.com/gopassport/passport/strategy/password"
	"github.com/gopassport/passport/strategy/throttle"
)

// Account is who a request comes from: a person logged in with a
// password, or a webhook sender.
type Account struct {
	Name   string
	Sender bool
}

// appConfig holds the app's users and webhook senders. A real app keeps
// them in its database.
type appConfig struct {
	// Passwords maps user names to password hashes (password.Hash).
	Passwords map[string]string
	// Senders maps webhook sender IDs to the secrets they sign with.
	Senders map[string][]byte
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8081", "address to listen on")
	sign := flag.String("sign", "", "print a curl command that posts `body`, signed by sender acme with WEBHOOK_SECRET, to the app at -addr, and exit")
	flag.Parse()
	base := "http://" + *addr

	secret := []byte(os.Getenv("WEBHOOK_SECRET"))
	if *sign != "" {
		if len(secret) == 0 {
			log.Fatal("-sign needs the sender's secret in WEBHOOK_SECRET (the running app prints it)")
		}
		fmt.Println(curlWebhook(base, "acme", secret, []byte(*sign), time.Now()))
		return
	}
	generated := len(secret) == 0
	if generated {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			log.Fatal(err)
		}
		secret = []byte(hex.EncodeToString(b[:]))
	}
	hash, err := password.Hash("correct horse") // your users table keeps hashes
	check(err)
	e, err := newApp(appConfig{
		Passwords: map[string]string{"alice": hash},
		Senders:   map[string][]byte{"acme": secret},
	})
	check(err)
	e.HideBanner = true

	fmt.Printf("Log in as alice, then open the home page:\n  curl -i -c jar %s/login --data-urlencode username=alice --data-urlencode 'password=correct horse'\n  curl -i -b jar %s/\n\n", base, base)
	fmt.Printf("Post a signed webhook (valid for %v):\n  %s\n\n", hmacsig.DefaultTolerance, curlWebhook(base, "acme", secret, []byte(`{"id":42}`), time.Now()))
	if generated {
		fmt.Printf("Sign another body (the secret was generated for this run):\n  WEBHOOK_SECRET=%s go run ./examples/custom-strategy -sign '{\"id\":43}'\n\n", secret)
	}
	check(e.Start(*addr))
}

// newApp builds the app: a session login with the local strategy, a home
// page for people logged in, and a webhook route with the hmacsig strategy.
func newApp(cfg appConfig) (*echo.Echo, error) {
	key, err := session.GenerateKey() // in production, load a stable secret instead
	if err != nil {
		return nil, err
	}
	store, err := session.NewCookieStore(key)
	if err != nil {
		return nil, err
	}
	sessions, err := session.New(session.Config{Store: store})
	if err != nil {
		return nil, err
	}
	auth, err := passport.New(passport.Config[*Account]{
		Sessions: sessions,
		Serialize: func(a *Account) (string, error) {
			if a.Sender {
				return "", errors.New("a webhook sender never gets a session")
			}
			return a.Name, nil
		},
		Deserialize: func(_ context.Context, name string) (*Account, error) {
			if _, ok := cfg.Passwords[name]; !ok {
				return nil, passport.ErrUserNotFound
			}
			return &Account{Name: name}, nil
		},
	})
	if err != nil {
		return nil, err
	}

	login, err := local.New(local.Config[*Account]{
		Verify: password.Verify(func(_ context.Context, name string) (*Account, string, error) {
			hash, ok := cfg.Passwords[name]
			if !ok {
				return nil, "", strategy.ErrUserNotFound
			}
			return &Account{Name: name}, hash, nil
		}, nil),
		Throttle: throttle.NewMemory(throttle.MemoryConfig{}),
	})
	if err != nil {
		return nil, err
	}
	webhooks, err := hmacsig.New(hmacsig.Config[*Account]{
		Lookup: func(_ context.Context, id string) (*Account, []byte, error) {
			secret, ok := cfg.Senders[id]
			if !ok {
				return nil, nil, strategy.ErrUserNotFound
			}
			return &Account{Name: id, Sender: true}, secret, nil
		},
	})
	if err != nil {
		return nil, err
	}
	if err := auth.Use("local", login); err != nil {
		return nil, err
	}
	if err := auth.Use(webhooks.Name(), webhooks); err != nil {
		return nil, err
	}

	e := echo.New()
	e.Use(auth.Session())
	e.POST("/login", auth.Authenticate("local", passport.SuccessRedirect("/")).Handler())
	e.GET("/", func(c echo.Context) error {
		user, _ := auth.User(c)
		return c.String(http.StatusOK, "Hello, "+user.Name)
	}, auth.RequireLogin())
	// Stateless: the sender is the user of this request only; no session
	// is read or written.
	e.POST("/webhooks/orders", func(c echo.Context) error {
		sender, ok := auth.User(c)
		if !ok || !sender.Sender {
			return echo.NewHTTPError(http.StatusForbidden, "Only webhook senders may post here.")
		}
		// The strategy put the body back after checking it. A signature
		// stays valid for its tolerance: a real handler also ignores an
		// event ID it has already processed.
		var order struct {
			ID int64 `json:"id"`
		}
		if err := json.NewDecoder(c.Request().Body).Decode(&order); err != nil {
			return echo.NewHTTPError(http.StatusBadRequest, "The body is not an order.")
		}
		return c.String(http.StatusOK, fmt.Sprintf("order %d received from %s", order.ID, sender.Name))
	}, auth.Authenticate(webhooks.Name(), passport.Stateless()).Middleware())
	return e, nil
}

// curlWebhook returns a curl command that posts body to the webhook route
// of the app at base, signed by sender with secret at now.
func curlWebhook(base, sender string, secret, body []byte, now time.Time) string {
	return fmt.Sprintf("curl -i %s -H 'Content-Type: application/json' -H %s -H %s --data-raw %s",
		shellQuote(base+"/webhooks/orders"),
		shellQuote(hmacsig.DefaultSenderHeader+": "+sender),
		shellQuote(hmacsig.DefaultSignatureHeader+": "+hmacsig.Sign(secret, body, now)),
		shellQuote(string(body)))
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
