package main

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport"
	"github.com/gopassport/passport/providers"
)

// pages holds one parsed template set per page.
type pages map[string]*template.Template

// parsePages parses templates/layout.html with each page under
// templates/, and the "Sign in with …" buttons partial of package
// providers.
func parsePages(fsys fs.FS) (pages, error) {
	names := []string{"index", "register", "logon", "secret", "error"}
	p := make(pages, len(names))
	for _, name := range names {
		t, err := template.New("layout.html").ParseFS(fsys, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("demo: parsing template %s: %w", name, err)
		}
		if t, err = providers.ParseButtons(t); err != nil {
			return nil, fmt.Errorf("demo: parsing template %s: %w", name, err)
		}
		p[name] = t
	}
	return p, nil
}

// page is what every template sees.
type page struct {
	Title string
	// User is the logged-in user, nil for a visitor.
	User *User
	// CSRF is the token every form sends back as _csrf.
	CSRF string
	// Errors and Infos are shown at the top of the page: the flash
	// messages of the previous request and this page's own.
	Errors []string
	Infos  []string

	// Form holds what a re-rendered registration form shows again.
	Form registration
	// FieldErrors are the registration form's messages per field.
	FieldErrors map[string]string
	// SecretWord is the secret word page's word.
	SecretWord string
	// Error is the error page's: what passport.ErrorHandler tells its
	// template (status, message, the wait of a 429, the link back).
	Error passport.ErrorPage

	// SocialButtons are the logon page's "Sign in with …" buttons.
	SocialButtons []providers.Button
	// Identities are the provider accounts linked to the logged-in user,
	// and LinkButtons the "Link …" buttons of the providers not linked
	// yet; both on the home page.
	Identities  []linkedIdentity
	LinkButtons []providers.Button
}

// newPage returns the page data common to every page: the title, the
// user (a fault while loading reads as nobody; the routes that need a user
// use RequireLogin, which turns it into a 500) and the CSRF token.
func (a *app) newPage(c echo.Context, title string) *page {
	p := &page{Title: title}
	if u, ok := a.auth.User(c); ok {
		p.User = u
	}
	if tok, ok := c.Get(csrfContextKey).(string); ok {
		p.CSRF = tok
	}
	return p
}

// render writes a page with the flash messages of the session (taking,
// and so removing, them). It executes the page into a buffer first, so
// that a template error is a clean 500 rather than half a page.
func (a *app) render(c echo.Context, status int, name string, p *page) error {
	if sess, ok := passport.SessionFrom(c); ok {
		p.Errors = append(sess.Flashes("error"), p.Errors...)
		p.Infos = append(append(sess.Flashes("success"), sess.Flashes("info")...), p.Infos...)
	}
	return a.write(c, status, name, p)
}

// renderError is passport.ErrorHandler's Render: the error page in the
// layout, with the header of every page (the user and the CSRF token of
// the log-off button). It leaves the flashes for the next page.
func (a *app) renderError(c echo.Context, ep passport.ErrorPage) error {
	p := a.newPage(c, ep.Title)
	p.Error = ep
	return a.write(c, ep.Status, "error", p)
}

// write executes page name with p into a buffer and sends it.
func (a *app) write(c echo.Context, status int, name string, p *page) error {
	t, ok := a.pages[name]
	if !ok {
		return fmt.Errorf("demo: no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		return fmt.Errorf("demo: rendering %s: %w", name, err)
	}
	h := c.Response().Header()
	// Pages show who is logged in and carry a CSRF token: never cache them.
	h.Set(echo.HeaderCacheControl, "no-store")
	return c.HTMLBlob(status, buf.Bytes())
}
