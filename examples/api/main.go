// Command api is a focused JSON API that authenticates with bearer tokens:
// a password login issues a short-lived access token (a JWT signed with
// EdDSA) and an opaque refresh token; the refresh token rotates on every
// use, and presenting a rotated one again revokes the whole login.
//
// Routes:
//
//	POST /api/v1/token          {"email","password"} (JSON or a form) → 200 token pair
//	POST /api/v1/token/refresh  {"refresh_token"} → 200 a new pair; an unusable token → 400 invalid_grant,
//	                            a reused one also revokes its login
//	GET  /api/v1/me             Authorization: Bearer <access token> → 200 {"id","name","email"}
//	POST /api/v1/logout         bearer access token and {"refresh_token"} (or RFC 7009's {"token"}) → 200,
//	                            the login and its access tokens revoked
//	GET  /.well-known/jwks.json the public signing key, for other services to verify tokens
//
// The token, refresh and logout routes are the token endpoints of
// strategy/jwt: they answer as OAuth 2.0 (RFC 6749) does, never cached,
// and refuse with {"error": code, "error_description": text}, such as
// invalid_grant for a wrong password or an unusable refresh token. Logout
// is RFC 7009 revocation: it answers 200 whether or not the refresh token
// was known, and leaves a refresh token of another user alone, so that a
// stolen one cannot log its owner out and the answer tells a thief
// nothing. The app's own errors (/me, unknown routes, wrong methods) are
// {"error": message, "status": code}; a 5xx shows only its status text.
//
// Users and refresh tokens live in memory, and the signing key is generated
// at start: a restart logs every client out. The seeded user is
// ada@example.com with the password "correct horse battery staple".
//
// Usage, from the repository root:
//
//	go run ./examples/api [-addr 127.0.0.1:8082] [-issuer http://127.0.0.1:8082]
//
//	curl -s -d '{"email":"ada@example.com","password":"correct horse battery staple"}' \
//	     -H 'Content-Type: application/json' http://127.0.0.1:8082/api/v1/token
//	curl -s -H "Authorization: Bearer $ACCESS_TOKEN" http://127.0.0.1:8082/api/v1/me
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// defaultAddr is where the API listens without -addr: the loopback
// interface only.
const defaultAddr = "127.0.0.1:8082"

// demoPassword is the password of the seeded user. It is published in the
// package documentation: this example keeps no secret.
const demoPassword = "correct horse battery staple"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// options are the parsed command line.
type options struct {
	addr   string
	issuer string
}

// parseOptions reads the flags in args.
func parseOptions(args []string, output io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("api", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.StringVar(&o.addr, "addr", defaultAddr, "listen `address`")
	fs.StringVar(&o.issuer, "issuer", "", "the tokens' \"iss\" `URL` (default http://<addr>)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("api: unexpected arguments %q", fs.Args())
	}
	if o.issuer == "" {
		o.issuer = "http://" + o.addr
	}
	return o, nil
}

// run serves the API until ctx is cancelled, then shuts down gracefully.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	a, err := newApp(config{
		Issuer: o.issuer,
		Users:  []seedUser{{ID: "1", Name: "Ada Lovelace", Email: "ada@example.com", Password: demoPassword}},
		Logger: logger,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("api: %w", err)
	}
	srv := &http.Server{
		Handler:           a.e,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("passport api listening", "url", "http://"+ln.Addr().String(), "issuer", o.issuer)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	go a.sweep(ctx, time.Hour)
	select {
	case err := <-served:
		return fmt.Errorf("api: %w", err)
	case <-ctx.Done():
	}
	logger.Info("passport api shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("api: shutting down: %w", err)
	}
	return nil
}
