package providers

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MinContrast is the lowest contrast ratio between a button's text and its
// background that [Catalogue.Add] accepts: WCAG 2 level AA for normal
// text.
const MinContrast = 4.5

// Display is how a provider's button looks.
type Display struct {
	// Label is the provider's name for people: "Sign in with " + Label.
	// Optional. Default the provider's name.
	Label string
	// Background is the button's colour, "#rrggbb". Optional. Default
	// "#374151".
	Background string
	// Foreground is the text and icon colour, "#rrggbb". Optional. Default
	// "#ffffff". Its contrast with Background must be at least
	// MinContrast.
	Foreground string
	// Border is the border colour, "#rrggbb", for a light button on a
	// light page. Optional. Default none.
	Border string
	// Icon is inline SVG (or a text glyph) drawn before the label. It is
	// trusted HTML: build it from constants, never from input. It should
	// carry aria-hidden="true" (the label names the button). Optional.
	// Default a [Monogram] of the label's first letter.
	Icon template.HTML
}

// withDefaults fills in the defaults for the provider called name and
// checks the colours.
func (d Display) withDefaults(name string) (Display, error) {
	if d.Label == "" {
		d.Label = name
	}
	if d.Background == "" {
		d.Background = "#374151"
	}
	if d.Foreground == "" {
		d.Foreground = "#ffffff"
	}
	for _, c := range []string{d.Background, d.Foreground, d.Border} {
		if c != "" && !validColour(c) {
			return d, fmt.Errorf("%w: provider %q: colour %q: want #rrggbb", ErrInvalidConfig, name, c)
		}
	}
	if r := ContrastRatio(d.Background, d.Foreground); r < MinContrast {
		return d, fmt.Errorf("%w: provider %q: text contrast %.2f:1 is below %.1f:1", ErrInvalidConfig, name, r, MinContrast)
	}
	if d.Icon == "" {
		first, _ := utf8.DecodeRuneInString(d.Label)
		d.Icon = Monogram(string(unicode.ToUpper(first)))
	}
	return d, nil
}

func validColour(c string) bool {
	if len(c) != 7 || c[0] != '#' {
		return false
	}
	_, err := strconv.ParseUint(c[1:], 16, 32)
	return err == nil
}

// ContrastRatio returns the WCAG 2 contrast ratio of two "#rrggbb"
// colours, from 1 (none) to 21 (black on white); 0 when one does not
// parse.
func ContrastRatio(a, b string) float64 {
	la, ok1 := luminance(a)
	lb, ok2 := luminance(b)
	if !ok1 || !ok2 {
		return 0
	}
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// luminance is the WCAG 2 relative luminance of a "#rrggbb" colour.
func luminance(c string) (float64, bool) {
	if !validColour(c) {
		return 0, false
	}
	v, _ := strconv.ParseUint(c[1:], 16, 32)
	channel := func(x uint64) float64 {
		s := float64(x) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	r, g, b := channel(v>>16&0xff), channel(v>>8&0xff), channel(v&0xff)
	return 0.2126*r + 0.7152*g + 0.0722*b, true
}

// Monogram returns an inline SVG icon: text (one to three characters,
// escaped) in a circle, drawn in the button's text colour and hidden from
// screen readers.
func Monogram(text string) template.HTML {
	if utf8.RuneCountInString(text) > 3 {
		text = string([]rune(text)[:3])
	}
	size := "11"
	if utf8.RuneCountInString(text) > 1 {
		size = "8"
	}
	// Every part is a constant but the escaped text.
	return template.HTML(`<svg class="social-icon" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">` +
		`<circle cx="12" cy="12" r="10.5" fill="none" stroke="currentColor" stroke-width="1.5"/>` +
		`<text x="12" y="16" text-anchor="middle" font-family="system-ui,sans-serif" font-size="` + size +
		`" font-weight="700" fill="currentColor">` + html.EscapeString(text) + `</text></svg>`)
}

// squaresIcon is the four coloured squares of Microsoft's sign-in button.
const squaresIcon = `<svg class="social-icon" viewBox="0 0 21 21" width="20" height="20" aria-hidden="true" focusable="false">` +
	`<rect x="1" y="1" width="9" height="9" fill="#f25022"/><rect x="11" y="1" width="9" height="9" fill="#7fba00"/>` +
	`<rect x="1" y="11" width="9" height="9" fill="#00a4ef"/><rect x="11" y="11" width="9" height="9" fill="#ffb900"/></svg>`

// GitHubDisplay is GitHub's button: near-black, white text.
func GitHubDisplay() Display {
	return Display{Label: "GitHub", Background: "#24292f", Foreground: "#ffffff", Icon: Monogram("GH")}
}

// GoogleDisplay is Google's light button: white, dark text, grey border.
func GoogleDisplay() Display {
	return Display{Label: "Google", Background: "#ffffff", Foreground: "#1f1f1f", Border: "#747775", Icon: Monogram("G")}
}

// GitLabDisplay is GitLab's orange button, with dark text for contrast.
func GitLabDisplay() Display {
	return Display{Label: "GitLab", Background: "#fc6d26", Foreground: "#171321", Icon: Monogram("GL")}
}

// DiscordDisplay is Discord's blurple button.
func DiscordDisplay() Display {
	return Display{Label: "Discord", Background: "#5865f2", Foreground: "#ffffff", Icon: Monogram("D")}
}

// MicrosoftDisplay is Microsoft's dark button with the four squares.
func MicrosoftDisplay() Display {
	return Display{Label: "Microsoft", Background: "#2f2f2f", Foreground: "#ffffff", Icon: template.HTML(squaresIcon)}
}

// OIDCDisplay is the button of a generic OpenID Connect provider called
// label.
func OIDCDisplay(label string) Display {
	return Display{Label: label, Background: "#374151", Foreground: "#ffffff", Icon: Monogram("ID")}
}

// Button is what the buttons partial renders for one provider.
type Button struct {
	// Name is the provider's name, also in the CSS class
	// "social-button--<name>".
	Name string
	// Label is the provider's name for people.
	Label string
	// Text is the link text: "Sign in with <Label>".
	Text string
	// Href is the path that begins the sign-in, "/auth/<name>".
	Href string
	// Icon is the trusted inline icon.
	Icon template.HTML
}

// Buttons returns the buttons of the catalogue's providers, in order, for
// the [ButtonsTemplate] partial.
func (c *Catalogue) Buttons() []Button {
	ps := c.Providers()
	out := make([]Button, len(ps))
	for i, p := range ps {
		out[i] = Button{Name: p.Name, Label: p.Display.Label, Text: "Sign in with " + p.Display.Label, Href: c.BeginPath(p.Name), Icon: p.Display.Icon}
	}
	return out
}

// CSS returns the buttons' stylesheet: layout, a visible focus ring, and
// each provider's colours by class. Serve it from the app's origin (a
// Content-Security-Policy with style-src 'self' blocks inline styles), or
// append it to the app's own stylesheet.
func (c *Catalogue) CSS() string {
	var b strings.Builder
	b.WriteString(`.social-buttons ul{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:.5rem}
.social-button{display:flex;align-items:center;gap:.75rem;min-height:2.75rem;padding:.5rem 1rem;border:1px solid transparent;border-radius:.375rem;font:inherit;font-weight:600;text-decoration:none}
.social-button:hover{filter:brightness(.92)}
.social-button:focus-visible{outline:3px solid #2563eb;outline-offset:2px}
.social-icon{flex:none}
`)
	for _, p := range c.Providers() {
		d := p.Display
		fmt.Fprintf(&b, ".social-button--%s{background:%s;color:%s", p.Name, d.Background, d.Foreground)
		if d.Border != "" {
			fmt.Fprintf(&b, ";border-color:%s", d.Border)
		}
		b.WriteString("}\n")
	}
	return b.String()
}
