// Command demo is passport's main example: the classic Node.js lesson app
// "log on with Passport and see the secret word", in Go on Echo.
//
// A visitor registers (name, email, password), logs on with the local
// strategy (email and password, argon2id hashes, throttled failures), is
// sent back to the page that asked for a logon, reads and changes a secret
// word kept in the session (any word, except one starting with P), and logs
// off. Users and sessions live in one SQLite file (pure Go, no cgo);
// sessions are server-side, so logging off really ends them. Every form
// carries a CSRF token; pages are server-rendered with html/template.
//
// Routes:
//
//	GET  /                    who is logged on, with links
//	GET  /sessions/register   registration form; POST creates the user and logs on
//	GET  /sessions/logon      logon form; POST authenticates with the local strategy
//	POST /sessions/logoff     ends the session
//	GET  /secretWord          the secret word (logon required); POST changes it
//
// Usage, from the repository root:
//
//	go run ./examples/demo [-addr 127.0.0.1:8080] [-db passport-demo.db] [-secure-cookies]
//
// Flags and environment:
//
//	-addr            listen address. Default 127.0.0.1:8080, or 127.0.0.1:$PORT
//	                 when the PORT environment variable is set (PORT=9000).
//	-db              SQLite database file, created when missing, or ":memory:"
//	                 for a database that lives as long as the process.
//	                 Default $DEMO_DB, else passport-demo.db in the working
//	                 directory.
//	-secure-cookies  mark cookies Secure even over plain HTTP, for a proxy that
//	                 terminates TLS in front of the app.
//	SESSION_SECRET   when set, the key that seals session cookies is derived
//	                 from it (at least 32 bytes); otherwise a random key is
//	                 generated on the first run and kept in the database.
//
// A flag given on the command line wins over the environment.
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
	"strconv"
	"syscall"
	"time"
)

// defaultAddr is where the demo listens without -addr or PORT: the loopback
// interface only.
const defaultAddr = "127.0.0.1:8080"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// options are the parsed command line and environment.
type options struct {
	addr string
	cfg  Config
}

// parseOptions reads the flags in args and the environment through getenv.
func parseOptions(args []string, getenv func(string) string, output io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.StringVar(&o.addr, "addr", "", "listen `address` (default 127.0.0.1:8080, or 127.0.0.1:$PORT)")
	fs.StringVar(&o.cfg.DB, "db", "", "SQLite database `file`, or :memory: (default $DEMO_DB, else "+defaultDB+")")
	fs.BoolVar(&o.cfg.SecureCookies, "secure-cookies", false, "mark cookies Secure (behind a TLS-terminating proxy)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("demo: unexpected arguments %q", fs.Args())
	}
	if o.addr == "" {
		o.addr = defaultAddr
		if port := getenv("PORT"); port != "" {
			n, err := strconv.Atoi(port)
			if err != nil || n < 1 || n > 65535 {
				return o, fmt.Errorf("demo: PORT=%q is not a port number (1-65535)", port)
			}
			o.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(n))
		}
	}
	if o.cfg.DB == "" {
		o.cfg.DB = getenv("DEMO_DB")
	}
	if o.cfg.DB == "" {
		o.cfg.DB = defaultDB
	}
	o.cfg.SessionSecret = getenv("SESSION_SECRET")
	return o, nil
}

// run serves the demo until ctx is cancelled, then shuts down gracefully.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	o, err := parseOptions(args, getenv, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	o.cfg.Logger = logger
	o.cfg.LogRequests = true

	e, closeApp, err := newApp(ctx, o.cfg)
	if err != nil {
		return err
	}
	defer func() {
		if err := closeApp(); err != nil {
			logger.Error("demo: closing", "err", err)
		}
	}()
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	srv := &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("passport demo listening", "url", serverURL(ln.Addr()), "db", o.cfg.DB)

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("demo: %w", err)
	case <-ctx.Done():
	}
	logger.Info("passport demo shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("demo: shutting down: %w", err)
	}
	return nil
}

// serverURL is the URL to open in a browser for a listening address; an
// unspecified host (":8080") is shown as 127.0.0.1.
func serverURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String() + "/"
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}
