package providers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/markbates/goth"
	"golang.org/x/oauth2"

	"github.com/gopassport/passport/strategy/oauth"
)

// Defaults of a [Config].
const (
	// DefaultMountPath is where the sign-in routes are mounted: passport's
	// MountOAuth on e.Group("/auth") serves /auth/<name> and
	// /auth/<name>/callback.
	DefaultMountPath = "/auth"
	// DefaultTimeout is the timeout of the catalogue's HTTP client.
	DefaultTimeout = 10 * time.Second
)

// ErrInvalidConfig is wrapped by the errors of [New], [FromEnv] and
// [Catalogue.Add] for a configuration they cannot use.
var ErrInvalidConfig = errors.New("providers: invalid config")

// Credentials are an OAuth client registered with a provider.
type Credentials struct {
	// ClientID is the client's ID. Required.
	ClientID string
	// ClientSecret is the client's secret. Required. Never log it.
	ClientSecret string
	// Scopes replaces the provider's default scopes. Optional.
	Scopes []string
}

// check reports an empty (or blank) ClientID or ClientSecret, naming the
// provider and the field. ([FromEnv] refuses an empty variable itself,
// naming it.)
func (c *Credentials) check(provider string) error {
	switch {
	case strings.TrimSpace(c.ClientID) == "":
		return fmt.Errorf("%w: %s: ClientID is empty", ErrInvalidConfig, provider)
	case strings.TrimSpace(c.ClientSecret) == "":
		return fmt.Errorf("%w: %s: ClientSecret is empty", ErrInvalidConfig, provider)
	}
	return nil
}

// OIDCConfig is a generic OpenID Connect provider, configured through
// discovery.
type OIDCConfig struct {
	// Name is the route and strategy name. Optional. Default "oidc".
	Name string
	// Label is the name on the button. Optional. Default "OpenID Connect".
	Label string
	// Issuer is the issuer URL; its discovery document is fetched from
	// Issuer + "/.well-known/openid-configuration" when [New] runs.
	// Required.
	Issuer string
	Credentials
}

// Config says which providers a [Catalogue] offers. A provider whose
// credentials are nil is off.
type Config struct {
	// BaseURL is the app's public origin as the browser sees it, such as
	// "https://app.example" or "http://127.0.0.1:8080"; callback URLs
	// start with it. Required. Use the same host the browser uses
	// (127.0.0.1 and localhost are two cookie jars: a callback on the
	// other one finds no session).
	BaseURL string
	// MountPath is the path of the Echo group the sign-in routes are
	// mounted on. Optional. Default DefaultMountPath.
	MountPath string
	// HTTPClient makes every outbound call of the catalogue's providers
	// (discovery, code exchange, profile). Optional. Default a client with
	// DefaultTimeout.
	HTTPClient *http.Client

	// GitHub, Google, GitLab, Discord and Microsoft are the built-in
	// providers' credentials; nil leaves a provider off.
	GitHub    *Credentials
	Google    *Credentials
	GitLab    *Credentials
	Discord   *Credentials
	Microsoft *Credentials
	// GitLabURL is the base URL of a self-managed GitLab. Optional.
	// Default "https://gitlab.com".
	GitLabURL string
	// OIDC is a generic OpenID Connect provider. Optional.
	OIDC *OIDCConfig
	// WithoutPKCE names the providers (built-in or added) whose token
	// endpoint refuses PKCE: their strategies send no code_challenge.
	// Optional. Default: every provider uses PKCE S256 where the strategy
	// exchanges the code itself.
	WithoutPKCE []string
}

// Provider is one entry of a [Catalogue]: a goth provider and how to show
// and verify it.
type Provider struct {
	// Name is the route segment and the strategy name: lower-case
	// letters, digits, '-' and '_', at most 32 characters, not "callback".
	// Required.
	Name string
	// Goth is the provider, built with [Catalogue.CallbackURL](Name).
	// Required. Add renames it to Name (goth's SetName); nothing else of it
	// is changed. It fetches the profile; the strategy gives it the
	// catalogue's HTTP client on a copy.
	Goth goth.Provider
	// OAuth2 is its OAuth 2.0 client (credentials, endpoints, the
	// callback URL, scopes): with it the strategy builds the authorization
	// request and exchanges the code itself, with PKCE and the request's
	// context (see oauth.Config.OAuth2). Optional: the built-in providers
	// have it; a provider added without it keeps goth's own flow and,
	// unless goth's session sends a code_verifier, no PKCE. goth's
	// openidConnect provider derives it.
	OAuth2 *oauth2.Config
	// AuthParams are extra parameters of its authorization request
	// (Google's access_type=offline). Optional; only with OAuth2.
	AuthParams url.Values
	// Display is how its button looks. Optional: Label defaults to Name,
	// the colours to a neutral dark grey, the icon to a monogram.
	Display Display
	// OIDC verifies its ID tokens. Optional: goth's openidConnect
	// provider gets it from its own configuration (see oauth.Config.OIDC).
	OIDC *oauth.OIDC
	// EndSessionURL is the provider's end_session_endpoint, for provider
	// logout (passport's ProviderLogout). Optional: the generic OpenID
	// Connect provider reads it from the discovery document; goth's
	// openidConnect provider has its own.
	EndSessionURL string
	// PKCE is the strategy's PKCE mode. Optional. Default oauth.PKCEAuto;
	// oauth.PKCEOff for a name in Config.WithoutPKCE.
	PKCE oauth.PKCE
}

// Catalogue is the set of sign-in providers an app offers, in the order
// their buttons appear. Build it with [New]; add any other goth provider
// with [Catalogue.Add]. It never touches goth's global registry
// (goth.UseProviders). A Catalogue is safe for concurrent use.
type Catalogue struct {
	base   string
	mount  string
	client *http.Client
	noPKCE []string

	mu        sync.RWMutex
	providers []Provider
}

// validName reports whether name may name a provider: it is a URL path
// segment, a session key part and a CSS class.
func validName(name string) bool {
	if name == "" || len(name) > 32 || name == "callback" || name[0] == '-' || name[0] == '_' {
		return false
	}
	for _, r := range name {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '_' {
			return false
		}
	}
	return true
}

// New builds the catalogue of cfg's providers: GitHub, Google, GitLab,
// Discord, Microsoft, then the generic OpenID Connect provider, whose
// discovery document is fetched now (ctx bounds it). It returns an error
// wrapping [ErrInvalidConfig] for an unusable Config, or the discovery's
// error.
func New(ctx context.Context, cfg Config) (*Catalogue, error) {
	base, err := url.Parse(cfg.BaseURL)
	if cfg.BaseURL == "" || err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" ||
		base.RawQuery != "" || base.Fragment != "" || base.User != nil {
		return nil, fmt.Errorf("%w: BaseURL %q must be an absolute http(s) URL without query or fragment", ErrInvalidConfig, cfg.BaseURL)
	}
	mount := cfg.MountPath
	if mount == "" {
		mount = DefaultMountPath
	}
	if !strings.HasPrefix(mount, "/") || strings.ContainsAny(mount, "?#") || (len(mount) > 1 && strings.HasSuffix(mount, "/")) {
		return nil, fmt.Errorf("%w: MountPath %q must start with '/' and not end with one", ErrInvalidConfig, mount)
	}
	if mount == "/" {
		mount = ""
	}
	c := &Catalogue{base: strings.TrimSuffix(cfg.BaseURL, "/"), mount: mount, client: cfg.HTTPClient, noPKCE: slices.Clone(cfg.WithoutPKCE)}
	if c.client == nil {
		c.client = &http.Client{Timeout: DefaultTimeout}
	}
	for _, b := range builtins(cfg) {
		if b.creds == nil {
			continue
		}
		if err := b.creds.check(b.name); err != nil {
			return nil, err
		}
		p, err := b.build(ctx, c)
		if err != nil {
			return nil, err
		}
		if err := c.Add(p); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// CallbackURL returns the callback URL of the provider called name, the
// one to register with the provider: BaseURL + MountPath + "/" + name +
// "/callback".
func (c *Catalogue) CallbackURL(name string) string {
	return c.base + c.mount + "/" + name + "/callback"
}

// BeginPath returns the path that starts a sign-in with name, relative to
// the app's origin: MountPath + "/" + name.
func (c *Catalogue) BeginPath(name string) string {
	return c.mount + "/" + name
}

// MountPath returns the path of the group the routes are mounted on,
// Config.MountPath ("" for the root).
func (c *Catalogue) MountPath() string { return c.mount }

// HTTPClient returns the client the catalogue gives its providers.
func (c *Catalogue) HTTPClient() *http.Client { return c.client }

// Add appends p to the catalogue, replacing any provider of the same
// name. Use it for any goth provider the Config does not cover, with its
// OAuth 2.0 client so that it has PKCE:
//
//	cb := cat.CallbackURL("twitch")
//	err := cat.Add(providers.Provider{Name: "twitch", Goth: twitch.New(id, secret, cb),
//		OAuth2: &oauth2.Config{ClientID: id, ClientSecret: secret, RedirectURL: cb, Endpoint: endpoints.Twitch},
//		Display: providers.Display{Label: "Twitch", Background: "#6441a5", Foreground: "#ffffff"}})
//
// p.OAuth2 is copied; p.Goth is renamed to p.Name (goth's SetName) and
// otherwise left as it is. A name in Config.WithoutPKCE turns PKCE off.
func (c *Catalogue) Add(p Provider) error {
	if !validName(p.Name) {
		return fmt.Errorf("%w: provider name %q: want lower-case letters, digits, '-' or '_', at most 32, not \"callback\"", ErrInvalidConfig, p.Name)
	}
	if p.Goth == nil {
		return fmt.Errorf("%w: provider %q has no goth provider", ErrInvalidConfig, p.Name)
	}
	d, err := p.Display.withDefaults(p.Name)
	if err != nil {
		return err
	}
	p.Display = d
	if len(p.AuthParams) > 0 && p.OAuth2 == nil {
		return fmt.Errorf("%w: provider %q has AuthParams without OAuth2", ErrInvalidConfig, p.Name)
	}
	if p.OAuth2 != nil {
		cp := *p.OAuth2
		cp.Scopes = slices.Clone(cp.Scopes)
		p.OAuth2 = &cp
	}
	if slices.Contains(c.noPKCE, p.Name) {
		p.PKCE = oauth.PKCEOff
	}
	p.Goth.SetName(p.Name)
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, q := range c.providers {
		if q.Name == p.Name {
			c.providers[i] = p
			return nil
		}
	}
	c.providers = append(c.providers, p)
	return nil
}

// Lookup returns the provider called name.
func (c *Catalogue) Lookup(name string) (Provider, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, p := range c.providers {
		if p.Name == name {
			return p, true
		}
	}
	return Provider{}, false
}

// Providers returns the providers in button order. The slice is a copy.
func (c *Catalogue) Providers() []Provider {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]Provider(nil), c.providers...)
}

// Names returns the providers' names in button order, the list to hand
// passport's MountOAuth.
func (c *Catalogue) Names() []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	names := make([]string, len(c.providers))
	for i, p := range c.providers {
		names[i] = p.Name
	}
	return names
}

// Len returns the number of providers.
func (c *Catalogue) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.providers)
}
