// Package providers is social login on top of goth and strategy/oauth: a
// [Catalogue] of sign-in providers configured from a [Config] or from the
// environment ([FromEnv]), with display metadata and an html/template
// partial that renders accessible "Sign in with …" buttons.
//
// Built in: GitHub, Google, GitLab (GitLab.com or self-managed), Discord,
// Microsoft, and one generic OpenID Connect provider configured through
// its discovery document. Any other of goth's providers is added in code
// with [Catalogue.Add]. goth's global registry (goth.UseProviders) is never
// used, and every provider gets the catalogue's HTTP client, which has a
// timeout.
//
//	cfg, err := providers.FromEnv(os.Getenv) // GITHUB_CLIENT_ID, GITHUB_CLIENT_SECRET, ...
//	if err != nil { ... }
//	cfg.BaseURL = "https://app.example" // as the browser sees it
//	cat, err := providers.New(ctx, cfg)
//	if err != nil { ... }
//	err = providers.Register(cat, auth.Use, func(ctx context.Context, u goth.User) (*User, error) {
//		return users.FindOrCreateByIdentity(ctx, oauth.IdentityOf(u), u)
//	})
//	if err != nil { ... }
//	err = auth.MountOAuth(e.Group(cat.MountPath()), cat.Names(),
//		passport.SuccessReturnToOrRedirect("/"), passport.FailureRedirect("/login"), passport.FailureFlash(""))
//
// and in the login page's template (parsed with [ParseButtons]):
//
//	{{template "passport_social_buttons" .SocialButtons}} <!-- .SocialButtons = cat.Buttons() -->
//
// with [Catalogue.CSS] served as a stylesheet. The buttons are links in a
// labelled list; each link's text is "Sign in with <Label>", icons are
// inline SVG hidden from screen readers, and [Catalogue.Add] refuses
// colours whose contrast is below WCAG AA ([MinContrast]).
//
// The providers/devoidc package adds a local OpenID Connect provider for
// development and tests.
package providers
