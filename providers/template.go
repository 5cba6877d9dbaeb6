package providers

import (
	"bytes"
	"fmt"
	"html/template"
)

// ButtonsTemplate is the name of the partial that renders the "Sign in
// with …" buttons. Its data is a []Button ([Catalogue.Buttons]); with none
// it renders nothing.
const ButtonsTemplate = "passport_social_buttons"

// buttonsSource is the partial: a labelled navigation landmark holding a
// list of links (GET requests, so that a Content-Security-Policy
// form-action 'self' does not block the redirect to the provider). Each
// link's accessible name is its text; the icon is hidden from screen
// readers.
const buttonsSource = `{{define "` + ButtonsTemplate + `"}}{{if .}}<nav class="social-buttons" aria-label="Sign in with another account">
<ul>
{{- range .}}
<li><a class="social-button social-button--{{.Name}}" href="{{.Href}}">{{.Icon}}<span>{{.Text}}</span></a></li>
{{- end}}
</ul>
</nav>{{end}}{{end}}`

// ParseButtons adds the [ButtonsTemplate] partial to t (a new template set
// when t is nil) and returns t. Use it in a page as
//
//	{{template "passport_social_buttons" .SocialButtons}}
//
// with SocialButtons set from [Catalogue.Buttons].
func ParseButtons(t *template.Template) (*template.Template, error) {
	if t == nil {
		t = template.New(ButtonsTemplate)
	}
	if _, err := t.New(ButtonsTemplate + ".tmpl").Parse(buttonsSource); err != nil {
		return nil, fmt.Errorf("providers: parsing the buttons partial: %w", err)
	}
	return t, nil
}

// RenderButtons renders the catalogue's buttons with the partial, for
// pages that are not html/template themselves.
func (c *Catalogue) RenderButtons() (template.HTML, error) {
	t, err := ParseButtons(nil)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, ButtonsTemplate, c.Buttons()); err != nil {
		return "", fmt.Errorf("providers: rendering the buttons: %w", err)
	}
	return template.HTML(b.String()), nil
}
