package main

// Social sign-in: "Sign in with Dev OIDC" (a development OpenID Connect
// provider started in the process, package providers/devoidc) and the real
// providers whose credentials are in the environment (providers.FromEnv).
//
//	GET       /auth/<name>           begins a sign-in: a redirect to the provider
//	GET|POST  /auth/<name>/callback  completes it, then / (or the page that asked for a logon)
//	GET       /static/social.css     the buttons' stylesheet
//
// A provider's account (provider + subject) is kept in the identities
// table. The verify callback finds its user there; else, when somebody is
// logged in (strategy.CurrentUser), it links the account to that user (the
// "Link Dev OIDC" button of the home page is the same sign-in route, and
// the logged-in user signs in again as themself); else it creates a user
// without a password from the profile's name and e-mail address. It never
// links by e-mail address: an address already registered is refused, with
// a message that says to log on first and link from the home page.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"github.com/markbates/goth"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/providers"
	"github.com/gopassport/passport/providers/devoidc"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/oauth"
)

// socialCSSPath serves the buttons' stylesheet. It is under /static/, so
// it loads no session and sets no CSRF cookie; the Content-Security-Policy
// (style-src 'self') allows it where it would block inline styles.
const socialCSSPath = "/static/social.css"

// Messages of social sign-in. Tests look for them. %s is the provider's
// label, such as "Dev OIDC".
const (
	msgSocialEmailTaken           = "An account with that e-mail exists. Log on with your password first, then link %s from the home page."
	msgSocialEmailTakenNoPassword = "An account with that e-mail exists. Sign in to it the way you did before, then link %s from the home page."
	msgSocialLinkedElsewhere      = "That %s account is linked to another user."
	msgSocialLinked               = "%s is now linked to your account."
)

// social is the demo's sign-in providers.
type social struct {
	// cat is the catalogue of providers; nil when none is configured.
	cat *providers.Catalogue
	// dev is the development provider; nil unless Config.DevOIDC.
	dev *devoidc.Server
}

// newSocial builds the catalogue of cfg's providers: those whose
// credentials Getenv reports, then Dev OIDC, started now on a random
// loopback port when cfg.DevOIDC is set. Without any provider it needs no
// BaseURL and builds no catalogue.
func newSocial(ctx context.Context, cfg Config, logger *slog.Logger) (*social, error) {
	getenv := cfg.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	pcfg, err := providers.FromEnv(getenv)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if cfg.BaseURL == "" {
		if cfg.DevOIDC || anyProvider(pcfg) {
			return nil, errors.New("demo: social sign-in needs Config.BaseURL, the origin browsers use (such as http://127.0.0.1:3000): the providers redirect back to it")
		}
		return &social{}, nil
	}
	pcfg.BaseURL = cfg.BaseURL
	cat, err := providers.New(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	s := &social{cat: cat}
	if cfg.DevOIDC {
		dev, err := devoidc.Start(devoidc.Config{Enabled: true, User: cfg.devOIDCUser, Logger: logger})
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		s.dev = dev
		if err := dev.AddTo(cat); err != nil {
			return nil, errors.Join(fmt.Errorf("demo: %w", err), dev.Close())
		}
	}
	return s, nil
}

// anyProvider reports whether cfg turns on a built-in provider.
func anyProvider(cfg providers.Config) bool {
	return cfg.GitHub != nil || cfg.Google != nil || cfg.GitLab != nil || cfg.Discord != nil || cfg.Microsoft != nil || cfg.OIDC != nil
}

// close shuts the development provider down.
func (s *social) close() error {
	if s == nil || s.dev == nil {
		return nil
	}
	return s.dev.Close()
}

// enabled reports whether any provider is offered.
func (s *social) enabled() bool { return s != nil && s.cat != nil && s.cat.Len() > 0 }

// buttons returns the "Sign in with …" buttons of the logon page.
func (s *social) buttons() []providers.Button {
	if !s.enabled() {
		return nil
	}
	return s.cat.Buttons()
}

// label returns the name people know the provider called name by.
func (s *social) label(name string) string {
	if s != nil && s.cat != nil {
		if p, ok := s.cat.Lookup(name); ok {
			return p.Display.Label
		}
	}
	return name
}

// isCallbackPost reports whether c is a POST to a provider's callback,
// which comes from the provider's page (response_mode=form_post) without
// the app's CSRF token: the CSRF middleware skips it, and the one-time
// state of the sign-in protects it instead. The other social routes are
// GET requests, which the CSRF middleware does not check.
func isCallbackPost(c echo.Context) bool {
	return c.Request().Method == http.MethodPost &&
		c.Path() == providers.DefaultMountPath+"/:provider"+passport.OAuthCallbackSuffix
}

// mountSocial registers a strategy per provider and mounts the sign-in
// routes and the buttons' stylesheet. Without providers it mounts nothing:
// /auth/<name> is a 404.
func (a *app) mountSocial(e *echo.Echo) error {
	s := a.social
	if !s.enabled() {
		return nil
	}
	if err := providers.Register(s.cat, a.auth.Use, a.verifySocial); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	err := a.auth.MountOAuth(e.Group(s.cat.MountPath()), s.cat.Names(),
		passport.SuccessReturnToOrRedirect("/"),
		passport.FailureRedirect("/sessions/logon"),
		passport.FailureFlash(""), // the strategy's message, or the one refuse gave
	)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	css := []byte(s.cat.CSS())
	e.GET(socialCSSPath, func(c echo.Context) error {
		return c.Blob(http.StatusOK, "text/css; charset=utf-8", css)
	})
	return nil
}

// refuse is the verify callback's refusal of a sign-in: it wraps
// strategy.ErrInvalidCredentials, so the strategy turns it into a fail (no
// session), not a 500, and carries msg (strategy.WithUserMessage), which
// the fail shows in place of the strategy's generic "Could not sign in.
// Please try again.". why is for the logs only.
func refuse(why, msg string) error {
	return strategy.WithUserMessage(fmt.Errorf("demo: social sign-in refused: %s: %w", why, strategy.ErrInvalidCredentials), msg)
}

// verifySocial is the oauth strategies' Verify: the user of the provider's
// account (provider + subject), found in the identities table; else the
// logged-in user, to whom the account is linked; else a new user without a
// password. An account linked to somebody else than the logged-in user,
// and a new user whose e-mail address is already registered, are refused.
func (a *app) verifySocial(ctx context.Context, gu goth.User) (*User, error) {
	id := oauth.IdentityOf(gu)
	label := a.social.label(id.Provider)
	cur, loggedIn, err := strategy.CurrentUser[*User](ctx)
	if err != nil {
		return nil, err
	}
	loggedIn = loggedIn && cur != nil
	owner, found, err := a.identities().owner(ctx, id)
	if err != nil {
		return nil, err
	}
	switch {
	case found && loggedIn && owner != cur.ID:
		return nil, refuse("account linked to another user", fmt.Sprintf(msgSocialLinkedElsewhere, label))
	case found:
		return a.users.byID(ctx, strconv.FormatInt(owner, 10))
	case loggedIn:
		return a.linkIdentity(ctx, cur, id, gu, label)
	default:
		return a.createSocialUser(ctx, id, gu, label)
	}
}

// linkIdentity links the provider's account id to the logged-in user cur.
func (a *app) linkIdentity(ctx context.Context, cur *User, id oauth.Identity, gu goth.User, label string) (*User, error) {
	linked, err := a.identities().link(ctx, cur.ID, id, accountName(gu))
	if err != nil {
		return nil, err
	}
	if !linked {
		// Another request linked it in the meantime.
		owner, found, err := a.identities().owner(ctx, id)
		if err != nil {
			return nil, err
		}
		if !found || owner != cur.ID {
			return nil, refuse("account linked to another user", fmt.Sprintf(msgSocialLinkedElsewhere, label))
		}
	}
	flash(ctx, "info", fmt.Sprintf(msgSocialLinked, label))
	return cur, nil
}

// createSocialUser creates the user of a provider's account nobody has
// linked yet, with the profile's name and e-mail address and no password.
// An address already registered is refused: whoever controls an account at
// a provider that says so must not get the account of that address.
func (a *app) createSocialUser(ctx context.Context, id oauth.Identity, gu goth.User, label string) (*User, error) {
	name, email := profileName(gu, label), profileEmail(gu)
	usr, err := a.users.createWithIdentity(ctx, name, email, id, accountName(gu))
	switch {
	case err == nil:
		flash(ctx, "info", msgAccountCreated)
		return usr, nil
	case errors.Is(err, errEmailTaken), errors.Is(err, errIdentityTaken):
		// A request that raced this one may have created the same
		// account's user: that one is the user.
		owner, found, oerr := a.identities().owner(ctx, id)
		if oerr != nil {
			return nil, oerr
		}
		if found {
			return a.users.byID(ctx, strconv.FormatInt(owner, 10))
		}
		if !errors.Is(err, errEmailTaken) {
			return nil, err
		}
		_, hash, _, herr := a.users.byEmail(ctx, email)
		if herr != nil {
			return nil, herr
		}
		msg := msgSocialEmailTaken
		if hash == "" {
			msg = msgSocialEmailTakenNoPassword
		}
		return nil, refuse("e-mail address already registered", fmt.Sprintf(msg, label))
	default:
		return nil, err
	}
}

// flash adds a message to the session of the request whose context is
// ctx. It survives the login that follows a successful sign-in.
func flash(ctx context.Context, kind, msg string) {
	if s, ok := session.FromContext(ctx); ok {
		s.AddFlash(kind, msg)
	}
}

// profileName is the name of a new user: the profile's name, nickname,
// first and last name or the e-mail address's local part, the first that
// is not empty once cleaned (printable, at most maxNameRunes), else
// "<label> user".
func profileName(gu goth.User, label string) string {
	local, _, _ := strings.Cut(gu.Email, "@")
	for _, candidate := range []string{gu.Name, gu.NickName, gu.FirstName + " " + gu.LastName, local} {
		name := strings.TrimSpace(printable(candidate))
		if utf8.RuneCountInString(name) > maxNameRunes {
			name = strings.TrimSpace(string([]rune(name)[:maxNameRunes]))
		}
		if name != "" {
			return name
		}
	}
	return label + " user"
}

// profileEmail is the e-mail address of a new user: the profile's, unless
// the provider says it is not verified (the OpenID Connect claim
// email_verified false) or it is not an address the registration form
// would accept; then "".
func profileEmail(gu goth.User) string {
	switch v := gu.RawData["email_verified"].(type) {
	case bool:
		if !v {
			return ""
		}
	case string:
		if v == "false" {
			return ""
		}
	}
	email := strings.TrimSpace(gu.Email)
	if email == "" || len(email) > maxEmailBytes || !validEmail(email) {
		return ""
	}
	return email
}

// accountName is how the home page names a linked account: the profile's
// e-mail address, nickname or name, else its subject; printable, at most
// maxEmailBytes bytes. It is shown, never looked up.
func accountName(gu goth.User) string {
	for _, candidate := range []string{gu.Email, gu.NickName, gu.Name, gu.UserID} {
		s := strings.TrimSpace(printable(candidate))
		if len(s) > maxEmailBytes {
			s = strings.ToValidUTF8(s[:maxEmailBytes], "")
		}
		if s != "" {
			return s
		}
	}
	return ""
}

// socialAccount returns what the home page shows a logged-in user: the
// provider accounts linked to them, and a "Link <provider>" button for
// each offered provider none of whose accounts is linked yet.
func (a *app) socialAccount(ctx context.Context, u *User) ([]linkedIdentity, []providers.Button, error) {
	linked, err := a.identities().ofUser(ctx, u.ID)
	if err != nil {
		return nil, nil, err
	}
	has := make(map[string]bool, len(linked))
	for i := range linked {
		linked[i].Label = a.social.label(linked[i].Provider)
		has[linked[i].Provider] = true
	}
	var link []providers.Button
	for _, b := range a.social.buttons() {
		if !has[b.Name] {
			b.Text = "Link " + b.Label
			link = append(link, b)
		}
	}
	return linked, link, nil
}
