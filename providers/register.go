package providers

import (
	"fmt"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/oauth"
)

// StrategyConfig returns the oauth configuration of the provider called
// name: its goth provider, OAuth 2.0 client, name, label, OIDC
// verification, PKCE mode and the catalogue's HTTP client (or the
// provider's own, when it has one), with verify. Change what you need and pass
// it to oauth.New.
func StrategyConfig[U any](c *Catalogue, name string, verify oauth.VerifyFunc[U]) (oauth.Config[U], error) {
	p, ok := c.Lookup(name)
	if !ok {
		return oauth.Config[U]{}, fmt.Errorf("%w: no provider %q in the catalogue", ErrInvalidConfig, name)
	}
	client := c.client
	if own, ok := oauth.ProviderHTTPClient(p.Goth); ok && own != nil {
		client = own
	}
	return oauth.Config[U]{
		Provider:      p.Goth,
		OAuth2:        p.OAuth2,
		AuthParams:    p.AuthParams,
		EndSessionURL: p.EndSessionURL,
		Verify:        verify,
		Name:          p.Name,
		Label:         p.Display.Label,
		HTTPClient:    client,
		OIDC:          p.OIDC,
		PKCE:          p.PKCE,
	}, nil
}

// Register builds an oauth strategy for every provider of c with verify,
// and registers each under its name with use, which is passport's
// Authenticator.Use:
//
//	err := providers.Register(cat, auth.Use, verify)
//	err = auth.MountOAuth(e.Group("/auth"), cat.Names(), opts...)
func Register[U any](c *Catalogue, use func(name string, s strategy.Strategy[U]) error, verify oauth.VerifyFunc[U]) error {
	if use == nil || verify == nil {
		return fmt.Errorf("%w: Register needs use and verify", ErrInvalidConfig)
	}
	for _, name := range c.Names() {
		cfg, err := StrategyConfig(c, name, verify)
		if err != nil {
			return err
		}
		s, err := oauth.New(cfg)
		if err != nil {
			return fmt.Errorf("providers: %s: %w", name, err)
		}
		if err := use(name, s); err != nil {
			return fmt.Errorf("providers: registering %s: %w", name, err)
		}
	}
	return nil
}
