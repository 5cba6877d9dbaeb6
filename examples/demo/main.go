// Command demo is passport's main example: the classic Node.js lesson app
// "log on with Passport and see the secret word", in Go on Echo, with social
// sign-in and a JSON API.
//
// A visitor registers (name, email, password), logs on with the local
// strategy (email and password, argon2id hashes, throttled failures), is
// sent back to the page that asked for a logon, reads and changes a secret
// word kept in the session (any word, except one starting with P), and logs
// off; every page's header shows who is logged on, with a log-off button,
// and errors are rendered by passport.ErrorHandler (a page in the same
// layout, JSON under /api/). Users and sessions live in one SQLite file
// (pure Go, no cgo), or in PostgreSQL with -db postgres://…; sessions are
// server-side, so logging off really ends them. Every form
// carries a CSRF token; pages are server-rendered with html/template.
//
// The logon page also offers "Sign in with …" buttons. "Sign in with Dev
// OIDC" is on by default: a development OpenID Connect provider
// (providers/devoidc) runs in the process on a random 127.0.0.1 port and
// signs in its test user, jane.doe@example.com, at once, so the whole
// OAuth flow works offline. It is a development tool: anyone who clicks is
// signed in. Real providers join when their credentials are in the
// environment. A provider's account (provider + subject) signs in as the
// user it is linked to; the first sign-in creates a user without a
// password, or, from the home page of a logged-in user ("Link Dev OIDC"),
// links the account to that user. Accounts are never matched by e-mail
// address: signing in with an address that is already registered is
// refused until its owner logs on and links the provider.
//
// Routes:
//
//	GET  /                       who is logged on, with links, linked providers and "Link …" buttons
//	GET  /sessions/register      registration form; POST creates the user and logs on
//	GET  /sessions/logon         logon form and "Sign in with …" buttons; POST authenticates with the local strategy
//	                             (after a failure the form shows the e-mail address typed)
//	POST /sessions/logoff        ends the session
//	GET  /secretWord             the secret word (logon required); POST changes it
//	GET  /auth/<name>            begins a sign-in with a provider (devoidc, github, …): a redirect to it
//	GET  /auth/<name>/callback   completes it (POST too, for form_post providers; no CSRF token)
//	GET  /static/social.css      the sign-in buttons' stylesheet
//
// The JSON API, with bearer tokens (Ed25519 JWTs) and rotating refresh
// tokens, takes no CSRF token:
//
//	POST /api/v1/token           {"email","password"} → an access and a refresh token
//	POST /api/v1/token/refresh   {"refresh_token"} → a new pair; a reused refresh token revokes its login
//	GET  /api/v1/me              the user of a bearer token or of the browser's session
//	POST /api/v1/logout          bearer token and {"refresh_token"} → the login revoked
//	GET  /.well-known/jwks.json  the public key that verifies access tokens
//
// Usage, from the repository root:
//
//	go run ./examples/demo [-addr 127.0.0.1:3000] [-db passport-demo.db|postgres://…] [-secure-cookies] [-dev-oidc=false] [-base-url URL]
//
// As soon as it listens, it prints one line with the URL to open
// ("passport demo: open http://127.0.0.1:3000/"). -h prints the flags and
// the environment variables below, and exits 0.
//
// Flags and environment:
//
//	-addr            listen address. Default 127.0.0.1:3000, or 127.0.0.1:$PORT
//	                 when the PORT environment variable is set (PORT=9000).
//	-db              SQLite database file, created when missing, or ":memory:"
//	                 for a database that lives as long as the process, or a
//	                 PostgreSQL URL (postgres://user:pass@host:5432/db or
//	                 postgresql://…), where the demo creates its tables and,
//	                 without -sessions, keeps sessions and API tokens too.
//	                 Default $DEMO_DB, else passport-demo.db in the working
//	                 directory.
//	-secure-cookies  mark cookies Secure even over plain HTTP, for a proxy that
//	                 terminates TLS in front of the app.
//	-dev-oidc        offer "Sign in with Dev OIDC". Default true, or
//	                 $DEMO_DEV_OIDC (DEMO_DEV_OIDC=false turns it off).
//	-base-url        the origin browsers use, such as https://demo.example:
//	                 providers redirect back to <base-url>/auth/<name>/callback.
//	                 Default http:// and the listen address (an unspecified
//	                 host such as ":3000" reads as 127.0.0.1). Open the demo on
//	                 that very host: 127.0.0.1 and localhost keep separate
//	                 cookies, and a sign-in started on one fails on the other.
//	SESSION_SECRET   when set, the key that seals session cookies is derived
//	                 from it (at least 32 bytes); otherwise a random key is
//	                 generated on the first run and kept in the database.
//	GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET
//	                 offer "Sign in with GitHub"; likewise GOOGLE_, GITLAB_
//	                 (and GITLAB_URL), DISCORD_ and MICROSOFT_, and OIDC_ISSUER,
//	                 OIDC_CLIENT_ID and OIDC_CLIENT_SECRET for any OpenID
//	                 Connect provider (OIDC_NAME and OIDC_LABEL name it).
//	                 Register <base-url>/auth/<name>/callback as the callback
//	                 URL with the provider.
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
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// defaultAddr is where the demo listens without -addr or PORT: the loopback
// interface only, on another port than examples/quickstart's 8080, so that
// both can run at once.
const defaultAddr = "127.0.0.1:3000"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(exitCode(err))
}

// exitCode is the process's exit status after run returned err: 0 when it
// ended normally or printed the help (-h), 1 otherwise.
func exitCode(err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 1
}

// envHelp is the environment part of -h.
const envHelp = `
Environment (a flag given on the command line wins):
  PORT            listen on 127.0.0.1:$PORT when -addr is not given
  DEMO_DB         the database file or postgres:// URL when -db is not given
  DEMO_DEV_OIDC   false turns "Sign in with Dev OIDC" off, as -dev-oidc=false does
  DEMO_SESSIONS   the redis:// URL when -sessions is not given
  SESSION_SECRET  derive the session cookies' key from it (at least 32 bytes);
                  otherwise a random key is kept in the database
  GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET
  GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET
  GITLAB_CLIENT_ID, GITLAB_CLIENT_SECRET, GITLAB_URL (a self-managed GitLab)
  DISCORD_CLIENT_ID, DISCORD_CLIENT_SECRET
  MICROSOFT_CLIENT_ID, MICROSOFT_CLIENT_SECRET
                  offer "Sign in with <provider>" when both are set
  OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_NAME, OIDC_LABEL
                  any OpenID Connect provider (the name and the button's label
                  are optional)
  Register <base-url>/auth/<name>/callback as the callback URL with a provider.
`

// options are the parsed command line and environment.
type options struct {
	addr string
	// baseURL is -base-url, "" to derive it from the listen address.
	baseURL string
	cfg     Config
}

// parseOptions reads the flags in args and the environment through getenv.
func parseOptions(args []string, getenv func(string) string, output io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: demo [flags]\n\nThe passport demo: register, log on, a secret word, social sign-in and a JSON API.\n\nFlags:\n")
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), envHelp)
	}
	fs.StringVar(&o.addr, "addr", "", "listen `address` (default "+defaultAddr+", or 127.0.0.1:$PORT)")
	fs.StringVar(&o.cfg.DB, "db", "", "the `database`: a SQLite file, :memory:, or a postgres:// URL such as postgres://user:pass@127.0.0.1:5432/demo, which then also keeps sessions and API tokens unless -sessions (default $DEMO_DB, else "+defaultDB+")")
	fs.StringVar(&o.cfg.Sessions, "sessions", "", "where instances share sessions, the logon throttle and API tokens: a redis:// or postgres:// `URL` such as redis://127.0.0.1:6379/0 (default: the -db database)")
	fs.BoolVar(&o.cfg.SecureCookies, "secure-cookies", false, "mark cookies Secure (behind a TLS-terminating proxy)")
	fs.BoolVar(&o.cfg.DevOIDC, "dev-oidc", true, "offer \"Sign in with Dev OIDC\", a local test provider that signs anyone in: never in production; DEMO_DEV_OIDC=false also turns it off")
	fs.StringVar(&o.baseURL, "base-url", "", "the `origin` browsers use, the start of the providers' callback URLs (default http:// and the listen address)")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("demo: unexpected arguments %q", fs.Args())
	}
	devOIDCSet := false
	fs.Visit(func(f *flag.Flag) { devOIDCSet = devOIDCSet || f.Name == "dev-oidc" })
	if v := strings.TrimSpace(getenv("DEMO_DEV_OIDC")); v != "" && !devOIDCSet {
		on, err := strconv.ParseBool(v)
		if err != nil {
			return o, fmt.Errorf("demo: DEMO_DEV_OIDC=%q is not true or false", v)
		}
		o.cfg.DevOIDC = on
	}
	if o.baseURL != "" {
		base, err := parseBaseURL(o.baseURL)
		if err != nil {
			return o, err
		}
		o.baseURL = base
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
	if o.cfg.Sessions == "" {
		o.cfg.Sessions = getenv("DEMO_SESSIONS")
	}
	if err := parseSessionsURL(o.cfg.Sessions); err != nil {
		return o, err
	}
	o.cfg.SessionSecret = getenv("SESSION_SECRET")
	o.cfg.Getenv = getenv
	return o, nil
}

// parseBaseURL checks a -base-url: an http or https origin, without a path
// (the routes are at the root), query, fragment or user. It returns it
// without a trailing slash.
func parseBaseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		return "", fmt.Errorf("demo: -base-url %q: want the origin browsers use, such as https://demo.example or http://127.0.0.1:3000, without a path", raw)
	}
	return u.Scheme + "://" + u.Host, nil
}

// run serves the demo until ctx is cancelled, then shuts down gracefully.
// It prints one line with the URL to open on stdout as soon as it is ready
// to serve (the listener is bound before the app is built, so the line has
// the real port of -addr 127.0.0.1:0), and logs to stderr; -h prints the
// help on stderr and returns flag.ErrHelp.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, getenv, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	o.cfg.Logger = logger
	o.cfg.LogRequests = true

	// Listen first: the providers' callback URLs need the port, which
	// -addr 127.0.0.1:0 leaves to the system.
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	o.cfg.BaseURL = o.baseURL
	if o.cfg.BaseURL == "" {
		o.cfg.BaseURL = strings.TrimSuffix(serverURL(ln.Addr()), "/")
	}
	e, closeApp, err := newApp(ctx, o.cfg)
	if err != nil {
		_ = ln.Close()
		return err
	}
	defer func() {
		if err := closeApp(); err != nil {
			logger.Error("demo: closing", "err", err)
		}
	}()
	srv := &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("passport demo listening", "addr", ln.Addr().String(), "db", redactDB(o.cfg.DB), "base_url", o.cfg.BaseURL, "dev_oidc", o.cfg.DevOIDC)
	// The base URL, not the listen address: it is the host the cookies
	// and the providers' callbacks expect (derived from the listener
	// unless -base-url names a proxy in front).
	if _, err := fmt.Fprintf(stdout, "passport demo: open %s/\n", o.cfg.BaseURL); err != nil {
		logger.Warn("demo: printing the URL failed", "err", err)
	}

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
// unspecified host (":3000") is shown as 127.0.0.1.
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
