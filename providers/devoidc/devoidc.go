package devoidc

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/markbates/goth/providers/openidConnect"
	"github.com/oauth2-proxy/mockoidc"

	"github.com/gopassport/passport/providers"
	"github.com/gopassport/passport/strategy/oauth"
)

// Defaults of a [Config].
const (
	DefaultName  = "devoidc"
	DefaultLabel = "Dev OIDC"
	DefaultAddr  = "127.0.0.1:0"
)

// maxRequestBody bounds what the server reads of a request before it
// takes its lock.
const maxRequestBody = 64 << 10

// ErrInvalidConfig is wrapped by the errors that [Start] returns for a
// Config it cannot run with, [ErrNotEnabled] included.
var ErrInvalidConfig = errors.New("devoidc: invalid config")

// ErrNotEnabled is returned by [Start] unless Config.Enabled is true. It
// wraps [ErrInvalidConfig].
var ErrNotEnabled = fmt.Errorf("%w: not enabled (set Config.Enabled: it is a development tool that signs anyone in)", ErrInvalidConfig)

// User is who the provider signs in.
type User struct {
	// Subject is the stable ID, the ID token's sub. Required.
	Subject string
	// Email is the address, reported as verified.
	Email string
	// PreferredUsername is the preferred_username claim.
	PreferredUsername string
}

// Config configures a development provider.
type Config struct {
	// Enabled must be true: a zero Config never starts a provider that
	// signs in anyone who clicks. Required.
	Enabled bool
	// Name is the route and strategy name. Optional. Default DefaultName.
	Name string
	// Label is the button's label: "Sign in with " + Label. Optional.
	// Default DefaultLabel.
	Label string
	// Addr is the loopback address to listen on. Optional. Default
	// DefaultAddr, a random port on 127.0.0.1. Any other host than a
	// loopback address is refused.
	Addr string
	// User is who is signed in. Optional. Default mockoidc's user: subject
	// "1234567890", jane.doe@example.com, preferred_username jane.doe.
	User *User
	// Logger receives the "not for production" warning. Optional. Default
	// slog.Default().
	Logger *slog.Logger
}

// Server is a running development provider. Its methods are safe for
// concurrent use.
type Server struct {
	m      *mockoidc.MockOIDC
	name   string
	label  string
	user   *mockoidc.MockUser
	tokens atomic.Int64

	mu        sync.Mutex // one request at a time: mockoidc's maps have no lock
	closeOnce sync.Once
	closeErr  error
}

// Start starts a development OpenID Connect provider on a loopback port
// and logs, at warning level, that it is not for production. Close it
// when done. A Config it cannot run with is an error wrapping
// [ErrInvalidConfig].
func Start(cfg Config) (*Server, error) {
	if !cfg.Enabled {
		return nil, ErrNotEnabled
	}
	s := &Server{name: cfg.Name, label: cfg.Label}
	if s.name == "" {
		s.name = DefaultName
	}
	if s.label == "" {
		s.label = DefaultLabel
	}
	if u := cfg.User; u != nil {
		if u.Subject == "" {
			return nil, fmt.Errorf("%w: User.Subject is required", ErrInvalidConfig)
		}
		s.user = &mockoidc.MockUser{Subject: u.Subject, Email: u.Email, EmailVerified: u.Email != "", PreferredUsername: u.PreferredUsername}
	}
	addr := cfg.Addr
	if addr == "" {
		addr = DefaultAddr
	}
	if !loopback(addr) {
		return nil, fmt.Errorf("%w: Addr %q is not a loopback address with a port", ErrInvalidConfig, addr)
	}
	// A fresh key per run: mockoidc's default key is public.
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("devoidc: generating a key: %w", err)
	}
	m, err := mockoidc.NewServer(key)
	if err != nil {
		return nil, fmt.Errorf("devoidc: %w", err)
	}
	s.m = m
	if err := m.AddMiddleware(s.middleware); err != nil {
		return nil, fmt.Errorf("devoidc: %w", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("devoidc: %w", err)
	}
	if err := m.Start(ln, nil); err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("devoidc: %w", err)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	email := "jane.doe@example.com"
	if s.user != nil {
		email = s.user.Email
	}
	logger.Warn("devoidc: DEVELOPMENT SIGN-IN PROVIDER RUNNING - NOT FOR PRODUCTION: anyone who clicks its button is signed in, without a password",
		"issuer", m.Issuer(), "user", email)
	return s, nil
}

// loopback reports whether addr ("host:port") is on a loopback interface.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// middleware runs between mockoidc's routes and its handlers: it reads the
// body first (bounded), then serves one request at a time, because
// mockoidc keeps its sessions in maps without a lock; it counts token
// requests, copies HTTP Basic client credentials into the form (mockoidc
// reads them only from the form, and x/oauth2 tries Basic first), and
// signs in the configured user.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
			if err != nil {
				http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		switch r.URL.Path {
		case mockoidc.TokenEndpoint:
			s.tokens.Add(1)
			if err := formCredentials(r); err != nil {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
		case mockoidc.AuthorizationEndpoint:
			if s.user != nil {
				s.m.QueueUser(s.user)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// formCredentials parses r's form and, when r authenticates with HTTP
// Basic (client_secret_basic), adds client_id and client_secret to it
// unless it has them.
func formCredentials(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	id, secret, ok := basicCredentials(r.Header.Get("Authorization"))
	if !ok {
		return nil
	}
	for k, v := range map[string]string{"client_id": id, "client_secret": secret} {
		if r.PostForm.Get(k) == "" {
			r.PostForm.Set(k, v)
			r.Form.Set(k, v)
		}
	}
	return nil
}

// basicCredentials reads client credentials from an Authorization header
// of the Basic scheme; RFC 6749 2.3.1 URL-encodes both before the Basic
// encoding.
func basicCredentials(header string) (id, secret string, ok bool) {
	r := http.Request{Header: http.Header{"Authorization": {header}}}
	u, p, ok := r.BasicAuth()
	if !ok {
		return "", "", false
	}
	id, err1 := url.QueryUnescape(u)
	secret, err2 := url.QueryUnescape(p)
	if err1 != nil || err2 != nil || id == "" {
		return "", "", false
	}
	return id, secret, true
}

// Name returns the provider's route and strategy name.
func (s *Server) Name() string { return s.name }

// Issuer returns the issuer, http://127.0.0.1:PORT/oidc.
func (s *Server) Issuer() string { return s.m.Issuer() }

// ClientID returns the client ID the provider accepts.
func (s *Server) ClientID() string { return s.m.ClientID }

// ClientSecret returns the client secret the provider accepts (random per
// run).
func (s *Server) ClientSecret() string { return s.m.ClientSecret }

// TokenRequests returns how many requests reached the token endpoint.
func (s *Server) TokenRequests() int { return int(s.tokens.Load()) }

// OIDC returns the ID token verification for the provider: its issuer,
// client ID and JWKS URL (no discovery needed).
func (s *Server) OIDC() *oauth.OIDC {
	return &oauth.OIDC{Issuer: s.m.Issuer(), ClientID: s.m.ClientID, JWKSURL: s.m.JWKSEndpoint()}
}

// Provider returns goth's openidConnect provider for this server, with
// the given callback URL and client (nil: a client with a 10 s timeout),
// named Name(), asking for the scopes openid, email and profile.
func (s *Server) Provider(callbackURL string, client *http.Client) (*openidConnect.Provider, error) {
	p, err := openidConnect.NewCustomisedURL(s.m.ClientID, s.m.ClientSecret, callbackURL,
		s.m.AuthorizationEndpoint(), s.m.TokenEndpoint(), s.m.Issuer(), s.m.UserinfoEndpoint(), "", "openid", "email", "profile")
	if err != nil {
		return nil, fmt.Errorf("devoidc: %w", err)
	}
	p.SetName(s.name)
	if client == nil {
		client = &http.Client{Timeout: oauth.DefaultTimeout}
	}
	p.HTTPClient = client
	return p, nil
}

// Display is the provider's button: "Sign in with Dev OIDC", purple.
func (s *Server) Display() providers.Display {
	return providers.Display{Label: s.label, Background: "#6d28d9", Foreground: "#ffffff", Icon: providers.Monogram("Dev")}
}

// AddTo adds the provider to the catalogue c, with c's callback URL and
// HTTP client, its button and its ID token verification.
func (s *Server) AddTo(c *providers.Catalogue) error {
	p, err := s.Provider(c.CallbackURL(s.name), c.HTTPClient())
	if err != nil {
		return err
	}
	return c.Add(providers.Provider{Name: s.name, Goth: p, Display: s.Display(), OIDC: s.OIDC()})
}

// Close shuts the server down, waiting up to 5 s for requests in flight.
// It is idempotent.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.m.Server.Shutdown(ctx); err != nil {
			s.closeErr = errors.Join(fmt.Errorf("devoidc: shutdown: %w", err), s.m.Server.Close())
		}
	})
	return s.closeErr
}

// String describes the server for logs.
func (s *Server) String() string {
	return fmt.Sprintf("devoidc %s at %s (not for production)", s.name, strings.TrimSuffix(s.m.Issuer(), mockoidc.IssuerBase))
}
