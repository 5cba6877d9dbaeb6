package providers

import (
	"fmt"
	"strings"
)

// Environment variables read by [FromEnv]. Each built-in provider is on
// when both its client ID and secret are set.
const (
	EnvGitHubClientID        = "GITHUB_CLIENT_ID"
	EnvGitHubClientSecret    = "GITHUB_CLIENT_SECRET"
	EnvGoogleClientID        = "GOOGLE_CLIENT_ID"
	EnvGoogleClientSecret    = "GOOGLE_CLIENT_SECRET"
	EnvGitLabClientID        = "GITLAB_CLIENT_ID"
	EnvGitLabClientSecret    = "GITLAB_CLIENT_SECRET"
	EnvGitLabURL             = "GITLAB_URL"
	EnvDiscordClientID       = "DISCORD_CLIENT_ID"
	EnvDiscordClientSecret   = "DISCORD_CLIENT_SECRET"
	EnvMicrosoftClientID     = "MICROSOFT_CLIENT_ID"
	EnvMicrosoftClientSecret = "MICROSOFT_CLIENT_SECRET"
	EnvOIDCIssuer            = "OIDC_ISSUER"
	EnvOIDCClientID          = "OIDC_CLIENT_ID"
	EnvOIDCClientSecret      = "OIDC_CLIENT_SECRET"
	EnvOIDCName              = "OIDC_NAME"
	EnvOIDCLabel             = "OIDC_LABEL"
)

// FromEnv returns a Config with the providers whose credentials getenv
// (os.Getenv, or a map lookup in tests) reports: GITHUB_, GOOGLE_,
// GITLAB_, DISCORD_ and MICROSOFT_CLIENT_ID / _CLIENT_SECRET, GITLAB_URL
// for a self-managed GitLab, and OIDC_ISSUER, OIDC_CLIENT_ID and
// OIDC_CLIENT_SECRET (with optional OIDC_NAME and OIDC_LABEL) for a generic
// OpenID Connect provider. The app sets BaseURL, MountPath and HTTPClient.
//
// A half-configured provider (an ID without its secret, an issuer without
// credentials) is an error wrapping [ErrInvalidConfig], not a provider
// silently left out. Values are trimmed of surrounding spaces.
func FromEnv(getenv func(string) string) (Config, error) {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	var cfg Config
	pair := func(name, idKey, secretKey string) (*Credentials, error) {
		id, secret := get(idKey), get(secretKey)
		switch {
		case id == "" && secret == "":
			return nil, nil
		case id == "" || secret == "":
			return nil, fmt.Errorf("%w: %s: set both %s and %s, or neither", ErrInvalidConfig, name, idKey, secretKey)
		}
		return &Credentials{ClientID: id, ClientSecret: secret}, nil
	}
	var err error
	if cfg.GitHub, err = pair("GitHub", EnvGitHubClientID, EnvGitHubClientSecret); err != nil {
		return Config{}, err
	}
	if cfg.Google, err = pair("Google", EnvGoogleClientID, EnvGoogleClientSecret); err != nil {
		return Config{}, err
	}
	if cfg.GitLab, err = pair("GitLab", EnvGitLabClientID, EnvGitLabClientSecret); err != nil {
		return Config{}, err
	}
	cfg.GitLabURL = get(EnvGitLabURL)
	if cfg.Discord, err = pair("Discord", EnvDiscordClientID, EnvDiscordClientSecret); err != nil {
		return Config{}, err
	}
	if cfg.Microsoft, err = pair("Microsoft", EnvMicrosoftClientID, EnvMicrosoftClientSecret); err != nil {
		return Config{}, err
	}
	creds, err := pair("OpenID Connect", EnvOIDCClientID, EnvOIDCClientSecret)
	if err != nil {
		return Config{}, err
	}
	issuer := get(EnvOIDCIssuer)
	switch {
	case issuer != "" && creds == nil:
		return Config{}, fmt.Errorf("%w: %s is set without %s and %s", ErrInvalidConfig, EnvOIDCIssuer, EnvOIDCClientID, EnvOIDCClientSecret)
	case issuer == "" && creds != nil:
		return Config{}, fmt.Errorf("%w: %s is required with %s", ErrInvalidConfig, EnvOIDCIssuer, EnvOIDCClientID)
	case issuer != "":
		cfg.OIDC = &OIDCConfig{Name: get(EnvOIDCName), Label: get(EnvOIDCLabel), Issuer: issuer, Credentials: *creds}
	}
	return cfg, nil
}
