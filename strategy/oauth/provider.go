package oauth

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"runtime/debug"
	"strings"

	"github.com/markbates/goth"
	"github.com/markbates/goth/providers/openidConnect"
	"golang.org/x/oauth2"
)

// PKCE says whether a strategy adds a PKCE (RFC 7636) S256 code challenge
// to each flow's authorization request and sends the verifier at the code
// exchange.
type PKCE uint8

const (
	// PKCEAuto, the default, turns PKCE on whenever the strategy exchanges
	// the code itself (Config.OAuth2, or goth's openidConnect provider).
	// For goth's own flow it is on for the goth providers whose session
	// passes a code_verifier parameter on to the token exchange (zoom and
	// fitbit, goth v1.82); the others drop it, and a provider that saw a
	// challenge would then refuse the exchange.
	PKCEAuto PKCE = iota
	// PKCEOn forces PKCE: with goth's flow, for a custom goth provider whose
	// Session.Authorize reads params.Get("code_verifier") and sends it to
	// the token endpoint.
	PKCEOn
	// PKCEOff never sends a challenge: for a token endpoint that refuses
	// a code_verifier it did not expect.
	PKCEOff
)

// String returns "auto", "on" or "off".
func (p PKCE) String() string {
	switch p {
	case PKCEOn:
		return "on"
	case PKCEOff:
		return "off"
	default:
		return "auto"
	}
}

// SendsCodeVerifier reports whether p is one of the goth providers whose
// session passes a code_verifier on to the token exchange, for which
// [PKCEAuto] turns PKCE on in goth's own flow (without Config.OAuth2).
func SendsCodeVerifier(p goth.Provider) bool {
	t := reflect.TypeOf(p)
	if t == nil {
		return false
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	// The packages of the goth providers whose session sends
	// params.Get("code_verifier") at the exchange, compared by path so that
	// this package compiles none of them.
	switch t.PkgPath() {
	case "github.com/markbates/goth/providers/openidConnect",
		"github.com/markbates/goth/providers/zoom",
		"github.com/markbates/goth/providers/fitbit":
		return true
	}
	return false
}

// clientField returns the exported *http.Client field of a goth provider
// (most call it HTTPClient, tiktok calls it Client), settable, or an
// invalid Value when the provider has none.
func clientField(p goth.Provider) reflect.Value {
	v := reflect.ValueOf(p)
	if !v.IsValid() || v.Kind() != reflect.Pointer || v.IsNil() {
		return reflect.Value{}
	}
	e := v.Elem()
	if e.Kind() != reflect.Struct {
		return reflect.Value{}
	}
	for _, name := range [...]string{"HTTPClient", "Client"} {
		sf, ok := e.Type().FieldByName(name)
		if !ok || !sf.IsExported() || sf.Type != reflect.TypeFor[*http.Client]() {
			continue
		}
		f, err := e.FieldByIndexErr(sf.Index)
		if err != nil || !f.CanSet() {
			continue
		}
		return f
	}
	return reflect.Value{}
}

// ProviderHTTPClient returns the *http.Client that goth provider p is set
// to use (its exported HTTPClient field), and whether p has such a field.
// A nil client with ok true means p falls back to http.DefaultClient.
func ProviderHTTPClient(p goth.Provider) (client *http.Client, ok bool) {
	f := clientField(p)
	if !f.IsValid() {
		return nil, false
	}
	c, _ := f.Interface().(*http.Client)
	return c, true
}

// withHTTPClient returns p when goth's profile requests already use c
// (or p has no client field to hold it), else a shallow copy of p whose
// HTTPClient field is c. The caller's provider is never written: the copy
// shares everything else with it (goth's providers keep only their
// configuration in their fields), and its unexported fields come along
// unchanged.
func withHTTPClient(p goth.Provider, c *http.Client) goth.Provider {
	f := clientField(p)
	if !f.IsValid() {
		return p
	}
	if cur, _ := f.Interface().(*http.Client); cur == c {
		return p
	}
	v := reflect.ValueOf(p)
	cp := reflect.New(v.Elem().Type())
	cp.Elem().Set(v.Elem())
	out, ok := cp.Interface().(goth.Provider)
	if !ok {
		return p
	}
	clientField(out).Set(reflect.ValueOf(c))
	return out
}

// oauth2For returns the OAuth 2.0 client that goth provider p exports, for
// the strategy's own exchange: goth's openidConnect provider, whose
// credentials and endpoints are exported fields (its scopes are read from
// the authorization URL it builds). Other providers keep their endpoints
// unexported: nil.
func oauth2For(p goth.Provider) (*oauth2.Config, error) {
	op, ok := p.(*openidConnect.Provider)
	if !ok || op == nil || op.OpenIDConfig == nil {
		return nil, nil
	}
	c := &oauth2.Config{
		ClientID:     op.ClientKey,
		ClientSecret: op.Secret,
		RedirectURL:  op.CallbackURL,
		Endpoint:     oauth2.Endpoint{AuthURL: op.OpenIDConfig.AuthEndpoint, TokenURL: op.OpenIDConfig.TokenEndpoint},
	}
	var authURL string
	err := safely("goth BeginAuth", func() error {
		gs, err := op.BeginAuth("probe")
		if err != nil {
			return err
		}
		authURL, err = gs.GetAuthURL()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("openidConnect: reading its scopes: %w", err)
	}
	if u, err := url.Parse(authURL); err == nil {
		c.Scopes = strings.Fields(u.Query().Get("scope"))
	}
	return c, nil
}

// safely runs f, turning a panic into an error: goth's providers assert
// types without checking and index JSON claims they did not check, and a
// hostile or broken provider response must be a fail, never a crash.
func safely(what string, f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("oauth: %s panicked: %v\n%s", what, p, debug.Stack())
		}
	}()
	return f()
}
