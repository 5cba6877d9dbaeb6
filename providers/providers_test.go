package providers_test

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/markbates/goth"
	"github.com/markbates/goth/providers/twitch"

	"github.com/gopassport/passport/providers"
	"github.com/gopassport/passport/session"
	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/oauth"
	"github.com/gopassport/passport/strategy/oauth/oauthtest"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    providers.Config
		wantErr bool
	}{
		{"ok, nothing set", nil, providers.Config{}, false},
		{"ok, GitHub", map[string]string{"GITHUB_CLIENT_ID": " id ", "GITHUB_CLIENT_SECRET": "s"},
			providers.Config{GitHub: &providers.Credentials{ClientID: "id", ClientSecret: "s"}}, false},
		{"ok, every provider", map[string]string{
			"GITHUB_CLIENT_ID": "a", "GITHUB_CLIENT_SECRET": "b", "GOOGLE_CLIENT_ID": "c", "GOOGLE_CLIENT_SECRET": "d",
			"GITLAB_CLIENT_ID": "e", "GITLAB_CLIENT_SECRET": "f", "GITLAB_URL": "https://git.example",
			"DISCORD_CLIENT_ID": "g", "DISCORD_CLIENT_SECRET": "h", "MICROSOFT_CLIENT_ID": "i", "MICROSOFT_CLIENT_SECRET": "j",
			"OIDC_ISSUER": "https://sso.example", "OIDC_CLIENT_ID": "k", "OIDC_CLIENT_SECRET": "l", "OIDC_NAME": "sso", "OIDC_LABEL": "Acme SSO",
		}, providers.Config{
			GitHub: &providers.Credentials{ClientID: "a", ClientSecret: "b"}, Google: &providers.Credentials{ClientID: "c", ClientSecret: "d"},
			GitLab: &providers.Credentials{ClientID: "e", ClientSecret: "f"}, GitLabURL: "https://git.example",
			Discord: &providers.Credentials{ClientID: "g", ClientSecret: "h"}, Microsoft: &providers.Credentials{ClientID: "i", ClientSecret: "j"},
			OIDC: &providers.OIDCConfig{Name: "sso", Label: "Acme SSO", Issuer: "https://sso.example", Credentials: providers.Credentials{ClientID: "k", ClientSecret: "l"}},
		}, false},
		{"nok, ID without secret", map[string]string{"GOOGLE_CLIENT_ID": "c"}, providers.Config{}, true},
		{"nok, secret without ID", map[string]string{"DISCORD_CLIENT_SECRET": "c"}, providers.Config{}, true},
		{"nok, issuer without credentials", map[string]string{"OIDC_ISSUER": "https://sso.example"}, providers.Config{}, true},
		{"nok, OIDC credentials without issuer", map[string]string{"OIDC_CLIENT_ID": "k", "OIDC_CLIENT_SECRET": "l"}, providers.Config{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := providers.FromEnv(env(tt.env))
			if (err != nil) != tt.wantErr {
				t.Fatalf("got error %v; want one %v", err, tt.wantErr)
			}
			if err != nil {
				if !errors.Is(err, providers.ErrInvalidConfig) {
					t.Errorf("got %v; want ErrInvalidConfig", err)
				}
				return
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v; want %+v", got, tt.want)
			}
		})
	}
}

func TestNewWithEveryProvider(t *testing.T) {
	op := oauthtest.NewOIDC(t)
	creds := func(p string) *providers.Credentials {
		return &providers.Credentials{ClientID: p + "-id", ClientSecret: p + "-secret"}
	}
	client := &http.Client{Timeout: 3 * time.Second}
	cat, err := providers.New(t.Context(), providers.Config{
		BaseURL: "https://app.example/", HTTPClient: client,
		GitHub: creds("github"), Google: creds("google"), GitLab: creds("gitlab"), Discord: creds("discord"), Microsoft: creds("microsoft"),
		OIDC: &providers.OIDCConfig{Name: "sso", Label: "Acme SSO", Issuer: op.Issuer(), Credentials: providers.Credentials{ClientID: op.ClientID, ClientSecret: op.ClientSecret}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"github", "google", "gitlab", "discord", "microsoft", "sso"}
	if got := cat.Names(); !reflect.DeepEqual(got, want) {
		t.Fatalf("names: got %q; want %q", got, want)
	}
	if got := cat.CallbackURL("github"); got != "https://app.example/auth/github/callback" {
		t.Errorf("callback URL: got %q", got)
	}
	for _, p := range cat.Providers() {
		if p.Goth.Name() != p.Name {
			t.Errorf("%s: goth name %q", p.Name, p.Goth.Name())
		}
		if c, ok := oauth.ProviderHTTPClient(p.Goth); !ok || c != client {
			t.Errorf("%s: HTTP client %v (%v); want the catalogue's", p.Name, c, ok)
		}
	}
	sso, _ := cat.Lookup("sso")
	if sso.OIDC == nil || sso.OIDC.Issuer != op.Issuer() || sso.OIDC.JWKSURL != op.Issuer()+"/jwks" || sso.Display.Label != "Acme SSO" {
		t.Errorf("sso: got OIDC %+v, label %q; want the discovered issuer and JWKS", sso.OIDC, sso.Display.Label)
	}

	// Registered strategies: PKCE and OIDC exactly where they apply.
	got := map[string]*oauth.Strategy[string]{}
	err = providers.Register(cat, func(name string, s strategy.Strategy[string]) error {
		o, ok := s.(*oauth.Strategy[string])
		if !ok {
			return errors.New("not an oauth strategy")
		}
		got[name] = o
		return nil
	}, func(_ context.Context, u goth.User) (string, error) { return u.UserID, nil })
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range got {
		wantOIDC := name == "sso"
		if !s.UsesPKCE() || s.UsesOIDC() != wantOIDC {
			t.Errorf("%s: PKCE %v, OIDC %v; want PKCE, and OIDC %v", name, s.UsesPKCE(), s.UsesOIDC(), wantOIDC)
		}
		if q := begin(t, s, "/auth/"+name).Query(); q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43 {
			t.Errorf("%s: authorization request without an S256 challenge: %v", name, q)
		}
		if s.HTTPClient() != client {
			t.Errorf("%s: strategy client is not the catalogue's", name)
		}
	}
	// The discovered OIDC provider begins at the discovered endpoint with a
	// nonce and a challenge.
	loc := begin(t, got["sso"], "/auth/sso")
	q := loc.Query()
	if loc.Scheme+"://"+loc.Host+loc.Path != op.Issuer()+"/authorize" || q.Get("nonce") == "" || q.Get("code_challenge_method") != "S256" ||
		q.Get("redirect_uri") != "https://app.example/auth/sso/callback" {
		t.Errorf("sso begin: got %s", loc)
	}
	if loc := begin(t, got["gitlab"], "/auth/gitlab"); loc.Host != "gitlab.com" || loc.Query().Get("scope") != "read_user" {
		t.Errorf("gitlab begin: got %s", loc)
	}
}

// begin runs the begin leg of s and returns the authorization URL.
func begin(t *testing.T, s strategy.Strategy[string], path string) *url.URL {
	t.Helper()
	key := make([]byte, 32)
	store, err := session.NewCookieStore(key)
	if err != nil {
		t.Fatal(err)
	}
	mgr, err := session.New(session.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, path, nil)
	sess := mgr.Bind(httptest.NewRecorder(), r)
	r = r.WithContext(session.NewContext(r.Context(), sess))
	sess.SetRequest(r)
	res, err := s.Authenticate(r)
	if err != nil || res.Kind != strategy.KindRedirect {
		t.Fatalf("begin: got %v, %v; want a redirect", res.Kind, err)
	}
	u, err := url.Parse(res.Location)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestNewErrors(t *testing.T) {
	gh := &providers.Credentials{ClientID: "a", ClientSecret: "b"}
	tests := []struct {
		name string
		cfg  providers.Config
	}{
		{"nok, no BaseURL", providers.Config{GitHub: gh}},
		{"nok, relative BaseURL", providers.Config{BaseURL: "/app", GitHub: gh}},
		{"nok, BaseURL with a query", providers.Config{BaseURL: "https://app.example/?x=1", GitHub: gh}},
		{"nok, MountPath without slash", providers.Config{BaseURL: "https://app.example", MountPath: "auth", GitHub: gh}},
		{"nok, MountPath with a trailing slash", providers.Config{BaseURL: "https://app.example", MountPath: "/auth/", GitHub: gh}},
		{"nok, credentials without secret", providers.Config{BaseURL: "https://app.example", GitHub: &providers.Credentials{ClientID: "a"}}},
		{"nok, OIDC without issuer", providers.Config{BaseURL: "https://app.example", OIDC: &providers.OIDCConfig{Credentials: *gh}}},
		{"nok, GitLab URL not http", providers.Config{BaseURL: "https://app.example", GitLab: gh, GitLabURL: "git.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := providers.New(t.Context(), tt.cfg); !errors.Is(err, providers.ErrInvalidConfig) {
				t.Errorf("got %v; want ErrInvalidConfig", err)
			}
		})
	}
	for _, tt := range []struct {
		name string
		cfg  providers.Config
		want string
	}{
		{"nok, GitHub ClientID empty", providers.Config{BaseURL: "https://app.example", GitHub: &providers.Credentials{ClientSecret: "b"}}, "github: ClientID is empty"},
		{"nok, Google ClientSecret empty", providers.Config{BaseURL: "https://app.example", Google: &providers.Credentials{ClientID: "a"}}, "google: ClientSecret is empty"},
		{"nok, Discord ClientID blank", providers.Config{BaseURL: "https://app.example", Discord: &providers.Credentials{ClientID: " ", ClientSecret: "b"}}, "discord: ClientID is empty"},
		{"nok, Microsoft ClientSecret blank", providers.Config{BaseURL: "https://app.example", Microsoft: &providers.Credentials{ClientID: "a", ClientSecret: "\t"}}, "microsoft: ClientSecret is empty"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := providers.New(t.Context(), tt.cfg)
			if !errors.Is(err, providers.ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v; want ErrInvalidConfig naming %q", err, tt.want)
			}
		})
	}
	t.Run("nok, OIDC discovery fails", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		defer srv.Close()
		_, err := providers.New(t.Context(), providers.Config{BaseURL: "https://app.example",
			OIDC: &providers.OIDCConfig{Issuer: srv.URL, Credentials: *gh}})
		if err == nil || !strings.Contains(err.Error(), "discovery") {
			t.Errorf("got %v; want a discovery error", err)
		}
	})
}

func TestMountPath(t *testing.T) {
	for _, tt := range []struct{ mount, wantCallback, wantBegin string }{
		{"", "https://app.example/auth/github/callback", "/auth/github"},
		{"/login/with", "https://app.example/login/with/github/callback", "/login/with/github"},
		{"/", "https://app.example/github/callback", "/github"},
	} {
		t.Run("ok, "+tt.mount, func(t *testing.T) {
			cat, err := providers.New(t.Context(), providers.Config{BaseURL: "https://app.example", MountPath: tt.mount})
			if err != nil {
				t.Fatal(err)
			}
			if got := cat.CallbackURL("github"); got != tt.wantCallback {
				t.Errorf("callback: got %q; want %q", got, tt.wantCallback)
			}
			if got := cat.BeginPath("github"); got != tt.wantBegin {
				t.Errorf("begin: got %q; want %q", got, tt.wantBegin)
			}
		})
	}
}

func newEmpty(t *testing.T) *providers.Catalogue {
	t.Helper()
	cat, err := providers.New(t.Context(), providers.Config{BaseURL: "http://127.0.0.1:8080"})
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func TestAdd(t *testing.T) {
	cat := newEmpty(t)
	tw := twitch.New("id", "secret", cat.CallbackURL("twitch"))
	if err := cat.Add(providers.Provider{Name: "twitch", Goth: tw}); err != nil {
		t.Fatal(err)
	}
	p, ok := cat.Lookup("twitch")
	if !ok || p.Display.Label != "twitch" || p.Display.Background != "#374151" || !strings.Contains(string(p.Display.Icon), ">T</text>") {
		t.Errorf("defaults: got %+v", p.Display)
	}
	if c, ok := oauth.ProviderHTTPClient(tw); !ok || c != nil {
		t.Errorf("the caller's provider was given client %v; want it left alone", c)
	}
	if cfg, err := providers.StrategyConfig(cat, "twitch", verifyID); err != nil || cfg.HTTPClient != cat.HTTPClient() {
		t.Errorf("strategy config: client %v, %v; want the catalogue's", cfg.HTTPClient, err)
	}
	// Adding again replaces.
	if err := cat.Add(providers.Provider{Name: "twitch", Goth: tw, Display: providers.Display{Label: "Twitch", Background: "#6441a5"}}); err != nil {
		t.Fatal(err)
	}
	if p, _ := cat.Lookup("twitch"); cat.Len() != 1 || p.Display.Label != "Twitch" {
		t.Errorf("replace: got %d providers, label %q", cat.Len(), p.Display.Label)
	}

	bad := []struct {
		name string
		p    providers.Provider
	}{
		{"nok, empty name", providers.Provider{Goth: tw}},
		{"nok, upper case", providers.Provider{Name: "Twitch", Goth: tw}},
		{"nok, slash", providers.Provider{Name: "a/b", Goth: tw}},
		{"nok, callback", providers.Provider{Name: "callback", Goth: tw}},
		{"nok, too long", providers.Provider{Name: strings.Repeat("a", 33), Goth: tw}},
		{"nok, no goth provider", providers.Provider{Name: "x"}},
		{"nok, colour not hex", providers.Provider{Name: "x", Goth: tw, Display: providers.Display{Background: "red"}}},
		{"nok, low contrast", providers.Provider{Name: "x", Goth: tw, Display: providers.Display{Background: "#fc6d26", Foreground: "#ffffff"}}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if err := cat.Add(tt.p); !errors.Is(err, providers.ErrInvalidConfig) {
				t.Errorf("got %v; want ErrInvalidConfig", err)
			}
		})
	}
}

func TestBuiltinDisplaysAreReadable(t *testing.T) {
	for _, d := range []providers.Display{
		providers.GitHubDisplay(), providers.GoogleDisplay(), providers.GitLabDisplay(),
		providers.DiscordDisplay(), providers.MicrosoftDisplay(), providers.OIDCDisplay("SSO"),
	} {
		t.Run("ok, "+d.Label, func(t *testing.T) {
			if r := providers.ContrastRatio(d.Background, d.Foreground); r < providers.MinContrast {
				t.Errorf("contrast %.2f; want at least %.1f", r, providers.MinContrast)
			}
			if !strings.Contains(string(d.Icon), `aria-hidden="true"`) || strings.Contains(string(d.Icon), "http") {
				t.Errorf("icon %q: want inline, hidden from screen readers, no external asset", d.Icon)
			}
		})
	}
}

func TestContrastRatio(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"#000000", "#ffffff", 21},
		{"#ffffff", "#ffffff", 1},
		{"#777777", "#ffffff", 4.48},
		{"#zzzzzz", "#ffffff", 0},
	}
	for _, tt := range tests {
		if got := providers.ContrastRatio(tt.a, tt.b); got < tt.want-0.01 || got > tt.want+0.01 {
			t.Errorf("ContrastRatio(%s, %s): got %.2f; want %.2f", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestButtons(t *testing.T) {
	cat := newEmpty(t)
	if html, err := cat.RenderButtons(); err != nil || html != "" {
		t.Errorf("no providers: got %q, %v; want nothing", html, err)
	}
	if err := cat.Add(providers.Provider{Name: "github", Goth: twitch.New("id", "s", cat.CallbackURL("github")), Display: providers.GitHubDisplay()}); err != nil {
		t.Fatal(err)
	}
	if err := cat.Add(providers.Provider{Name: "evil", Goth: twitch.New("id", "s", cat.CallbackURL("evil")),
		Display: providers.Display{Label: `<script>alert(1)</script>`}}); err != nil {
		t.Fatal(err)
	}
	out, err := cat.RenderButtons()
	if err != nil {
		t.Fatal(err)
	}
	html := string(out)
	for _, want := range []string{
		`<nav class="social-buttons" aria-label="Sign in with another account">`,
		`<a class="social-button social-button--github" href="/auth/github">`,
		`<span>Sign in with GitHub</span>`,
		`aria-hidden="true"`,
		`&lt;script&gt;`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("buttons lack %q:\n%s", want, html)
		}
	}
	if strings.Contains(html, "<script>") {
		t.Errorf("a label was not escaped:\n%s", html)
	}
	css := cat.CSS()
	for _, want := range []string{".social-button--github{background:#24292f;color:#ffffff}", ":focus-visible"} {
		if !strings.Contains(css, want) {
			t.Errorf("CSS lacks %q:\n%s", want, css)
		}
	}
	// The partial in the app's own template set.
	page := template.Must(template.New("page").Parse(`<main>{{template "passport_social_buttons" .}}</main>`))
	if _, err := providers.ParseButtons(page); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := page.Execute(&b, cat.Buttons()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `href="/auth/github"`) {
		t.Errorf("page: got %s", b.String())
	}
}

func TestRegisterErrors(t *testing.T) {
	cat := newEmpty(t)
	if err := cat.Add(providers.Provider{Name: "twitch", Goth: twitch.New("id", "s", cat.CallbackURL("twitch"))}); err != nil {
		t.Fatal(err)
	}
	verify := func(_ context.Context, u goth.User) (string, error) { return u.UserID, nil }
	if err := providers.Register[string](cat, nil, verify); !errors.Is(err, providers.ErrInvalidConfig) {
		t.Errorf("nil use: got %v", err)
	}
	refuse := errors.New("taken")
	err := providers.Register(cat, func(string, strategy.Strategy[string]) error { return refuse }, verify)
	if !errors.Is(err, refuse) {
		t.Errorf("use error: got %v; want it passed on", err)
	}
	if _, err := providers.StrategyConfig(cat, "nope", verify); !errors.Is(err, providers.ErrInvalidConfig) {
		t.Errorf("unknown name: got %v", err)
	}
}

func verifyID(_ context.Context, u goth.User) (string, error) { return u.UserID, nil }
