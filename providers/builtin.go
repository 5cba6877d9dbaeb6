package providers

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/markbates/goth/providers/discord"
	"github.com/markbates/goth/providers/github"
	"github.com/markbates/goth/providers/gitlab"
	"github.com/markbates/goth/providers/google"
	"github.com/markbates/goth/providers/microsoftonline"
	"github.com/markbates/goth/providers/openidConnect"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/endpoints"

	"github.com/gopassport/passport/strategy/oauth"
)

// Endpoints the built-in providers use besides goth's defaults.
const (
	// DefaultGitLabURL is GitLab.com. goth's gitlab.New still asks the
	// v3 API for the profile, which GitLab removed; the catalogue asks v4.
	DefaultGitLabURL  = "https://gitlab.com"
	discordAuthURL    = "https://discord.com/api/oauth2/authorize"
	discordTokenURL   = "https://discord.com/api/oauth2/token"
	defaultOIDCName   = "oidc"
	defaultOIDCLabel  = "OpenID Connect"
	discoveryDocument = "/.well-known/openid-configuration"
)

// builtin is one provider the Config can turn on.
type builtin struct {
	name  string
	creds *Credentials
	build func(ctx context.Context, c *Catalogue) (Provider, error)
}

// builtins lists cfg's providers in button order. Each gets its OAuth 2.0
// client, so that its strategy exchanges the code itself with PKCE, and
// the catalogue's HTTP client for goth's profile requests.
func builtins(cfg Config) []builtin {
	scopes := func(c *Credentials, def ...string) []string {
		if len(c.Scopes) > 0 {
			return slices.Clone(c.Scopes)
		}
		return def
	}
	client := func(c *Credentials, callbackURL string, ep oauth2.Endpoint, scopes []string) *oauth2.Config {
		return &oauth2.Config{ClientID: c.ClientID, ClientSecret: c.ClientSecret, RedirectURL: callbackURL, Endpoint: ep, Scopes: scopes}
	}
	list := []builtin{
		{"github", cfg.GitHub, func(_ context.Context, c *Catalogue) (Provider, error) {
			sc := scopes(cfg.GitHub, "read:user", "user:email")
			p := github.New(cfg.GitHub.ClientID, cfg.GitHub.ClientSecret, c.CallbackURL("github"), sc...)
			p.HTTPClient = c.client
			// GitHub documents the client's credentials as form parameters.
			ep := oauth2.Endpoint{AuthURL: github.AuthURL, TokenURL: github.TokenURL, AuthStyle: oauth2.AuthStyleInParams}
			return Provider{Name: "github", Goth: p, Display: GitHubDisplay(), OAuth2: client(cfg.GitHub, c.CallbackURL("github"), ep, sc)}, nil
		}},
		{"google", cfg.Google, func(_ context.Context, c *Catalogue) (Provider, error) {
			sc := scopes(cfg.Google, "openid", "email", "profile")
			p := google.New(cfg.Google.ClientID, cfg.Google.ClientSecret, c.CallbackURL("google"), sc...)
			p.HTTPClient = c.client
			return Provider{Name: "google", Goth: p, Display: GoogleDisplay(),
				OAuth2: client(cfg.Google, c.CallbackURL("google"), endpoints.Google, sc),
				// As goth's google provider asks: a refresh token.
				AuthParams: url.Values{"access_type": {"offline"}}}, nil
		}},
		{"gitlab", cfg.GitLab, func(_ context.Context, c *Catalogue) (Provider, error) {
			base := strings.TrimSuffix(cfg.GitLabURL, "/")
			if base == "" {
				base = DefaultGitLabURL
			}
			if !strings.HasPrefix(base, "https://") && !strings.HasPrefix(base, "http://") {
				return Provider{}, fmt.Errorf("%w: GitLabURL %q is not an http(s) URL", ErrInvalidConfig, cfg.GitLabURL)
			}
			sc := scopes(cfg.GitLab, "read_user")
			ep := oauth2.Endpoint{AuthURL: base + "/oauth/authorize", TokenURL: base + "/oauth/token"}
			p := gitlab.NewCustomisedURL(cfg.GitLab.ClientID, cfg.GitLab.ClientSecret, c.CallbackURL("gitlab"),
				ep.AuthURL, ep.TokenURL, base+"/api/v4/user", sc...)
			p.HTTPClient = c.client
			return Provider{Name: "gitlab", Goth: p, Display: GitLabDisplay(), OAuth2: client(cfg.GitLab, c.CallbackURL("gitlab"), ep, sc)}, nil
		}},
		{"discord", cfg.Discord, func(_ context.Context, c *Catalogue) (Provider, error) {
			sc := scopes(cfg.Discord, "identify", "email")
			p := discord.New(cfg.Discord.ClientID, cfg.Discord.ClientSecret, c.CallbackURL("discord"), sc...)
			p.HTTPClient = c.client
			ep := oauth2.Endpoint{AuthURL: discordAuthURL, TokenURL: discordTokenURL}
			return Provider{Name: "discord", Goth: p, Display: DiscordDisplay(), OAuth2: client(cfg.Discord, c.CallbackURL("discord"), ep, sc)}, nil
		}},
		{"microsoft", cfg.Microsoft, func(_ context.Context, c *Catalogue) (Provider, error) {
			// goth's own default scopes.
			sc := scopes(cfg.Microsoft, "openid", "offline_access", "user.read")
			p := microsoftonline.New(cfg.Microsoft.ClientID, cfg.Microsoft.ClientSecret, c.CallbackURL("microsoft"), sc...)
			p.HTTPClient = c.client
			return Provider{Name: "microsoft", Goth: p, Display: MicrosoftDisplay(),
				OAuth2: client(cfg.Microsoft, c.CallbackURL("microsoft"), endpoints.AzureAD("common"), sc)}, nil
		}},
	}
	if cfg.OIDC != nil {
		name := cfg.OIDC.Name
		if name == "" {
			name = defaultOIDCName
		}
		creds := cfg.OIDC.Credentials
		list = append(list, builtin{name, &creds, func(ctx context.Context, c *Catalogue) (Provider, error) {
			return discoverOIDC(ctx, c, name, *cfg.OIDC)
		}})
	}
	return list
}

// discoverOIDC builds a generic OpenID Connect provider from its discovery
// document, fetched with the catalogue's client: goth's openidConnect
// provider on the discovered endpoints (goth's own discovery would use
// http.DefaultClient), and the verification of its ID tokens against the
// discovered JWKS.
func discoverOIDC(ctx context.Context, c *Catalogue, name string, cfg OIDCConfig) (Provider, error) {
	if cfg.Issuer == "" {
		return Provider{}, fmt.Errorf("%w: OIDC needs an Issuer", ErrInvalidConfig)
	}
	// The issuer exactly as configured: go-oidc compares it with the
	// document's, character for character, and Auth0 and others publish
	// theirs with a trailing slash.
	op, err := oidc.NewProvider(oidc.ClientContext(ctx, c.client), cfg.Issuer)
	if err != nil {
		return Provider{}, fmt.Errorf("providers: OIDC discovery at %s%s: %w", strings.TrimSuffix(cfg.Issuer, "/"), discoveryDocument, err)
	}
	var meta struct {
		Issuer     string   `json:"issuer"`
		JWKSURL    string   `json:"jwks_uri"`
		Algorithms []string `json:"id_token_signing_alg_values_supported"`
		EndSession string   `json:"end_session_endpoint"`
	}
	if err := op.Claims(&meta); err != nil {
		return Provider{}, fmt.Errorf("providers: OIDC discovery at %s: %w", cfg.Issuer, err)
	}
	if meta.JWKSURL == "" {
		return Provider{}, fmt.Errorf("providers: OIDC discovery at %s: no jwks_uri", cfg.Issuer)
	}
	scopes := cfg.Scopes
	if len(scopes) == 0 {
		scopes = []string{"openid", "email", "profile"}
	}
	ep := op.Endpoint() // with the auth style the document announces
	p, err := openidConnect.NewCustomisedURL(cfg.ClientID, cfg.ClientSecret, c.CallbackURL(name),
		ep.AuthURL, ep.TokenURL, meta.Issuer, op.UserInfoEndpoint(), meta.EndSession, scopes...)
	if err != nil {
		return Provider{}, fmt.Errorf("providers: OIDC: %w", err)
	}
	p.HTTPClient = c.client
	label := cfg.Label
	if label == "" {
		label = defaultOIDCLabel
	}
	return Provider{
		Name:    name,
		Goth:    p,
		Display: OIDCDisplay(label),
		OAuth2: &oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, RedirectURL: c.CallbackURL(name),
			Endpoint: ep, Scopes: slices.Clone(scopes)},
		EndSessionURL: meta.EndSession,
		OIDC: &oauth.OIDC{
			Issuer:            meta.Issuer,
			ClientID:          cfg.ClientID,
			JWKSURL:           meta.JWKSURL,
			SigningAlgorithms: signingAlgorithms(meta.Algorithms),
		},
	}, nil
}

// signingAlgorithms keeps the asymmetric algorithms go-oidc verifies with
// a JWKS, in the provider's order; nil (RS256) when none is left.
func signingAlgorithms(announced []string) []string {
	supported := []string{
		oidc.RS256, oidc.RS384, oidc.RS512, oidc.ES256, oidc.ES384, oidc.ES512,
		oidc.PS256, oidc.PS384, oidc.PS512, oidc.EdDSA,
	}
	var out []string
	for _, a := range announced {
		if slices.Contains(supported, a) && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}
