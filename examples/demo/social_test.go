package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopassport/passport/providers/devoidc"
	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/oauth"
)

// Dev OIDC's default test user, as the demo sees it.
const (
	devSubject = "1234567890"
	devEmail   = "jane.doe@example.com"
	devName    = "jane.doe" // preferred_username: the profile has no name
)

// msgSignInFailed is the strategy's message for a sign-in that failed.
const msgSignInFailed = strategy.MsgSignInFailed

// newSocialTestApp starts the demo with cfg behind httptest on 127.0.0.1,
// with cfg.BaseURL set to the server's URL before the app is built, as
// the providers' callback URLs need it.
func newSocialTestApp(t *testing.T, cfg Config) *testApp {
	t.Helper()
	return startTestApp(t, cfg, true)
}

// getURL fetches an absolute URL, such as the provider's.
func (b *browser) getURL(raw string) response {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodGet, raw, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// beginSignIn clicks "Sign in with" (or "Link") a provider: GET
// /auth/<name>, then the provider's authorization endpoint, which signs its
// user in at once. It returns the callback URL the provider sends the
// browser to, not yet visited.
func (b *browser) beginSignIn(name string) string {
	b.t.Helper()
	begin := b.get("/auth/" + name)
	if begin.status != http.StatusFound {
		b.t.Fatalf("GET /auth/%s: got %d; want 302\n%s", name, begin.status, begin.body)
	}
	authz := b.getURL(begin.location())
	if authz.status != http.StatusFound {
		b.t.Fatalf("GET %s: got %d; want 302\n%s", begin.location(), authz.status, authz.body)
	}
	cb := authz.location()
	if want := b.ta.srv.URL + "/auth/" + name + "/callback?"; !strings.HasPrefix(cb, want) {
		b.t.Fatalf("the provider redirects to %q; want %q…", cb, want)
	}
	return cb
}

// signIn runs a whole sign-in with a provider and returns the callback's
// response.
func (b *browser) signIn(name string) response {
	b.t.Helper()
	return b.getURL(b.beginSignIn(name))
}

// flashes returns the flash messages of the page at path.
func (b *browser) flashes(path string) []string {
	b.t.Helper()
	res := b.get(path)
	var out []string
	for _, m := range regexp.MustCompile(`<p class="flash [a-z]+" role="[a-z]+">(.*?)</p>`).FindAllStringSubmatch(res.body, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

// identityOwner returns the ID of the user the account provider+subject is
// linked to, 0 when none.
func (ta *testApp) identityOwner(t *testing.T, provider, subject string) int64 {
	t.Helper()
	id, found, err := ta.identities().owner(t.Context(), oauth.Identity{Provider: provider, Subject: subject})
	if err != nil {
		t.Fatal(err)
	}
	if !found {
		return 0
	}
	return id
}

// userID returns the ID of the user registered with email, 0 when none.
func (ta *testApp) userID(t *testing.T, email string) int64 {
	t.Helper()
	u, _, found, err := ta.users.byEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	if !found {
		return 0
	}
	return u.ID
}

// countIdentities returns how many provider accounts are linked.
func (ta *testApp) countIdentities(t *testing.T) int {
	t.Helper()
	var n int
	if err := ta.db.QueryRowContext(t.Context(), `SELECT count(*) FROM identities`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// expectRefused checks that res sends the browser back to the logon page,
// whose flash is want, and that b is logged on as wantUser afterwards.
func expectRefused(t *testing.T, b *browser, res response, want, wantUser string) {
	t.Helper()
	if res.status != http.StatusFound || res.location() != "/sessions/logon" {
		t.Fatalf("got %d %q; want 302 to /sessions/logon\n%s", res.status, res.location(), res.body)
	}
	// A logged-in user is sent on from the logon page to the home page,
	// where the flash waits.
	page := "/sessions/logon"
	if wantUser != "" {
		page = "/"
	}
	if got := b.flashes(page); len(got) != 1 || got[0] != want {
		t.Errorf("flashes: got %q; want [%q]", got, want)
	}
	if got := b.loggedOnAs(); got != wantUser {
		t.Errorf("logged on as %q; want %q", got, wantUser)
	}
}

func TestSocialLogonPage(t *testing.T) {
	ta := newSocialTestApp(t, Config{DevOIDC: true})
	b := ta.browser(t)

	res := b.get("/sessions/logon")
	if res.status != http.StatusOK {
		t.Fatalf("GET /sessions/logon: got %d; want 200", res.status)
	}
	for _, want := range []string{
		`<form method="post" action="/sessions/logon">`, // the password form stays
		`<nav class="social-buttons" aria-label="Sign in with another account">`,
		`<a class="social-button social-button--devoidc" href="/auth/devoidc">`,
		`<span>Sign in with Dev OIDC</span></a>`,
		`<link rel="stylesheet" href="/static/social.css">`,
	} {
		if !strings.Contains(res.body, want) {
			t.Errorf("logon page lacks %q:\n%s", want, res.body)
		}
	}
	if strings.Index(res.body, `action="/sessions/logon"`) > strings.Index(res.body, "Sign in with Dev OIDC") {
		t.Errorf("the buttons come before the password form")
	}

	css := b.get("/static/social.css")
	if css.status != http.StatusOK || css.header.Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("GET /static/social.css: got %d %q; want 200 text/css", css.status, css.header.Get("Content-Type"))
	}
	if !strings.Contains(css.body, ".social-button--devoidc{background:#6d28d9;color:#ffffff}") {
		t.Errorf("stylesheet lacks the Dev OIDC colours:\n%s", css.body)
	}
	if got := css.header.Get("Set-Cookie"); got != "" {
		t.Errorf("the stylesheet sets a cookie: %q", got)
	}

	// The home page of a visitor needs no buttons.
	if home := b.get("/"); strings.Contains(home.body, "social.css") {
		t.Errorf("the home page of a visitor links the buttons' stylesheet")
	}
}

func TestDevOIDCSignIn(t *testing.T) {
	ta := newSocialTestApp(t, Config{DevOIDC: true})
	b := ta.browser(t)

	res := b.signIn("devoidc")
	if res.status != http.StatusFound || res.location() != "/" {
		t.Fatalf("callback: got %d %q; want 302 to /\n%s", res.status, res.location(), res.body)
	}
	home := b.get("/")
	if !strings.Contains(home.body, "User "+devName+" is logged on.") {
		t.Fatalf("home page after sign-in:\n%s", home.body)
	}
	if !strings.Contains(home.body, "<li>Dev OIDC · "+devEmail+"</li>") {
		t.Errorf("home page does not list the linked account:\n%s", home.body)
	}
	if strings.Contains(home.body, "Link Dev OIDC") {
		t.Errorf("home page offers to link Dev OIDC again:\n%s", home.body)
	}
	if n := ta.countUsers(t); n != 1 {
		t.Fatalf("users: got %d; want 1", n)
	}
	id := ta.userID(t, devEmail)
	if id == 0 || ta.identityOwner(t, "devoidc", devSubject) != id {
		t.Fatalf("identity devoidc:%s: got owner %d; want the user of %s (%d)", devSubject, ta.identityOwner(t, "devoidc", devSubject), devEmail, id)
	}
	if h := ta.passwordHash(t, devEmail); h != "" {
		t.Errorf("password hash of a social user: got %q; want none", h)
	}
	if w := b.secretWord(); w != defaultSecretWord {
		t.Errorf("secret word: got %q; want %q", w, defaultSecretWord)
	}

	t.Run("ok, a second sign-in finds the same user", func(t *testing.T) {
		b.logoff()
		if got := b.loggedOnAs(); got != "" {
			t.Fatalf("after logoff: logged on as %q", got)
		}
		res := b.signIn("devoidc")
		if res.status != http.StatusFound || res.location() != "/" {
			t.Fatalf("callback: got %d %q; want 302 to /", res.status, res.location())
		}
		if got := b.loggedOnAs(); got != devName {
			t.Errorf("logged on as %q; want %q", got, devName)
		}
		if n := ta.countUsers(t); n != 1 {
			t.Errorf("users: got %d; want 1", n)
		}
		if n := ta.countIdentities(t); n != 1 {
			t.Errorf("identities: got %d; want 1", n)
		}
		if n := ta.social.dev.TokenRequests(); n != 2 {
			t.Errorf("token requests: got %d; want 2, one per sign-in", n)
		}
	})

	t.Run("ok, back to the page that asked for a logon", func(t *testing.T) {
		other := ta.browser(t)
		if res := other.get("/secretWord"); res.location() != "/sessions/logon" {
			t.Fatalf("GET /secretWord: got %d %q; want 302 to /sessions/logon", res.status, res.location())
		}
		if res := other.signIn("devoidc"); res.location() != "/secretWord" {
			t.Errorf("callback: got %d %q; want 302 to /secretWord", res.status, res.location())
		}
	})

	t.Run("nok, a password logon of a user without a password", func(t *testing.T) {
		v := ta.browser(t)
		for _, pw := range []string{"", "x", testPassword} {
			res := v.logon(devEmail, pw)
			if res.status != http.StatusFound || res.location() != "/sessions/logon" {
				t.Errorf("logon with %q: got %d %q; want 302 to /sessions/logon", pw, res.status, res.location())
			}
		}
		if got := v.loggedOnAs(); got != "" {
			t.Errorf("logged on as %q; want nobody", got)
		}
		api := httptest.NewRequest(http.MethodPost, apiTokenPath, strings.NewReader(`{"email":"`+devEmail+`","password":"`+testPassword+`"}`))
		api.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		ta.e.ServeHTTP(rec, api)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"invalid_grant"`) {
			t.Errorf("POST %s: got %d; want 400 invalid_grant\n%s", apiTokenPath, rec.Code, rec.Body.String())
		}
	})

	t.Run("nok, registering the address of a social user", func(t *testing.T) {
		v := ta.browser(t)
		res := v.submit("/sessions/register", "/sessions/register", url.Values{
			"name": {"Mallory"}, "email": {devEmail}, "password": {testPassword}, "password1": {testPassword},
		})
		if res.status != http.StatusBadRequest || !strings.Contains(res.body, msgEmailTaken) {
			t.Errorf("register: got %d; want 400 with %q", res.status, msgEmailTaken)
		}
	})
}

func TestDevOIDCFirstSignInFlash(t *testing.T) {
	ta := newSocialTestApp(t, Config{DevOIDC: true})
	b := ta.browser(t)
	b.signIn("devoidc")
	if got := b.flashes("/"); len(got) != 1 || got[0] != msgAccountCreated {
		t.Errorf("flashes: got %q; want [%q]", got, msgAccountCreated)
	}
}

func TestDevOIDCLinking(t *testing.T) {
	ta := newSocialTestApp(t, Config{DevOIDC: true})
	ada := ta.browser(t)
	ada.register("Ada Lovelace", "ada@example.com", testPassword)
	adaID := ta.userID(t, "ada@example.com")

	home := ada.get("/")
	if !strings.Contains(home.body, `<a class="social-button social-button--devoidc" href="/auth/devoidc">`) ||
		!strings.Contains(home.body, "<span>Link Dev OIDC</span>") ||
		!strings.Contains(home.body, "No provider is linked to your account yet.") {
		t.Fatalf("home page lacks the Link Dev OIDC button:\n%s", home.body)
	}

	res := ada.signIn("devoidc")
	if res.status != http.StatusFound || res.location() != "/" {
		t.Fatalf("callback: got %d %q; want 302 to /\n%s", res.status, res.location(), res.body)
	}
	home = ada.get("/")
	if !strings.Contains(home.body, "User Ada Lovelace is logged on.") {
		t.Fatalf("after linking:\n%s", home.body)
	}
	if !strings.Contains(home.body, fmt.Sprintf(msgSocialLinked, "Dev OIDC")) {
		t.Errorf("no flash about the link:\n%s", home.body)
	}
	if !strings.Contains(home.body, "<li>Dev OIDC · "+devEmail+"</li>") || strings.Contains(home.body, "Link Dev OIDC") {
		t.Errorf("home page after linking:\n%s", home.body)
	}
	if n := ta.countUsers(t); n != 1 {
		t.Errorf("users: got %d; want 1 (no new user)", n)
	}
	if got := ta.identityOwner(t, "devoidc", devSubject); got != adaID {
		t.Errorf("identity owner: got %d; want Ada (%d)", got, adaID)
	}

	t.Run("ok, Dev OIDC alone signs in as Ada", func(t *testing.T) {
		v := ta.browser(t)
		v.signIn("devoidc")
		if got := v.loggedOnAs(); got != "Ada Lovelace" {
			t.Errorf("logged on as %q; want Ada Lovelace", got)
		}
	})

	t.Run("ok, the password still works", func(t *testing.T) {
		v := ta.browser(t)
		if res := v.logon("ada@example.com", testPassword); res.location() != "/" {
			t.Errorf("logon: got %d %q; want 302 to /", res.status, res.location())
		}
	})

	t.Run("nok, linking an account linked to another user", func(t *testing.T) {
		bob := ta.browser(t)
		bob.register("Bob", "bob@example.com", testPassword)
		bob.get("/") // shows, and so drops, the flash of the registration
		res := bob.signIn("devoidc")
		expectRefused(t, bob, res, fmt.Sprintf(msgSocialLinkedElsewhere, "Dev OIDC"), "Bob")
		if got := ta.identityOwner(t, "devoidc", devSubject); got != adaID {
			t.Errorf("identity owner: got %d; want Ada (%d)", got, adaID)
		}
		if strings.Contains(bob.get("/").body, "<li>Dev OIDC") {
			t.Errorf("Bob's home page lists Ada's account")
		}
	})
}

func TestDevOIDCEmailCollision(t *testing.T) {
	ta := newSocialTestApp(t, Config{DevOIDC: true})
	jane := ta.browser(t)
	jane.register("Jane Doe", devEmail, testPassword)
	jane.logoff()

	// Somebody who controls a provider account with Jane's address does
	// not get Jane's account.
	v := ta.browser(t)
	res := v.signIn("devoidc")
	expectRefused(t, v, res, "An account with that e-mail exists. Log on with your password first, then link Dev OIDC from the home page.", "")
	if n := ta.countUsers(t); n != 1 {
		t.Errorf("users: got %d; want 1", n)
	}
	if n := ta.countIdentities(t); n != 0 {
		t.Errorf("identities: got %d; want 0", n)
	}

	// Jane logs on with her password and links Dev OIDC from the home page.
	if res := jane.logon(devEmail, testPassword); res.location() != "/" {
		t.Fatalf("logon: got %d %q", res.status, res.location())
	}
	if res := jane.signIn("devoidc"); res.location() != "/" {
		t.Fatalf("link: got %d %q", res.status, res.location())
	}
	if got, want := ta.identityOwner(t, "devoidc", devSubject), ta.userID(t, devEmail); got != want {
		t.Fatalf("identity owner: got %d; want %d", got, want)
	}
	// From now on Dev OIDC signs in as Jane.
	w := ta.browser(t)
	w.signIn("devoidc")
	if got := w.loggedOnAs(); got != "Jane Doe" {
		t.Errorf("logged on as %q; want Jane Doe", got)
	}
}

func TestDevOIDCEmailCollisionWithSocialUser(t *testing.T) {
	// Two runs of the demo on one database, each with a Dev OIDC user of
	// the same address but another subject: two provider accounts.
	db := filepath.Join(t.TempDir(), "demo.db")
	first := newSocialTestApp(t, Config{DB: db, DevOIDC: true, devOIDCUser: &devoidc.User{Subject: "first", Email: devEmail, PreferredUsername: "jane"}})
	first.browser(t).signIn("devoidc")
	first.stop(t)

	second := newSocialTestApp(t, Config{DB: db, DevOIDC: true, devOIDCUser: &devoidc.User{Subject: "second", Email: devEmail, PreferredUsername: "jane2"}})
	v := second.browser(t)
	res := v.signIn("devoidc")
	expectRefused(t, v, res, "An account with that e-mail exists. Sign in to it the way you did before, then link Dev OIDC from the home page.", "")
	if n := second.countUsers(t); n != 1 {
		t.Errorf("users: got %d; want 1", n)
	}
}

func TestDevOIDCWithoutEmail(t *testing.T) {
	ta := newSocialTestApp(t, Config{DevOIDC: true, devOIDCUser: &devoidc.User{Subject: "no-mail-1", PreferredUsername: "anon"}})
	b := ta.browser(t)
	b.signIn("devoidc")
	if got := b.loggedOnAs(); got != "anon" {
		t.Fatalf("logged on as %q; want anon", got)
	}
	b.logoff()
	b.signIn("devoidc")
	if got := b.loggedOnAs(); got != "anon" {
		t.Errorf("second sign-in: logged on as %q; want anon", got)
	}
	if n := ta.countUsers(t); n != 1 {
		t.Errorf("users: got %d; want 1", n)
	}
	var email, key string
	if err := ta.db.QueryRowContext(t.Context(), `SELECT email, email_key FROM users`).Scan(&email, &key); err != nil {
		t.Fatal(err)
	}
	if email != "" || key != "no email devoidc no-mail-1" {
		t.Errorf("stored email %q, key %q; want none and the account's key", email, key)
	}
	// The key is no address: a registration cannot take it, and a
	// password logon that types it finds no password.
	if validEmail(key) {
		t.Errorf("validEmail(%q): got true", key)
	}
	v := ta.browser(t)
	if res := v.logon(key, testPassword); res.location() != "/sessions/logon" {
		t.Errorf("logon with the key: got %d %q; want 302 to /sessions/logon", res.status, res.location())
	}
}

func TestDevOIDCBadCallbacks(t *testing.T) {
	ta := newSocialTestApp(t, Config{DevOIDC: true})

	tests := []struct {
		name string
		// callback turns the callback URL the provider sent into the one
		// the browser requests; b is the browser that began the sign-in.
		callback func(t *testing.T, b *browser, cb string) string
		// other makes a fresh browser request it (an attacker's).
		other bool
	}{
		{name: "nok, state changed", callback: func(t *testing.T, _ *browser, cb string) string {
			return setParam(t, cb, "state", "forged-state-forged-state-forged-state-abcd")
		}},
		{name: "nok, no state", callback: func(t *testing.T, _ *browser, cb string) string {
			return setParam(t, cb, "state", "")
		}},
		{name: "nok, no code", callback: func(t *testing.T, _ *browser, cb string) string {
			return setParam(t, cb, "code", "")
		}},
		{name: "nok, state repeated", callback: func(t *testing.T, _ *browser, cb string) string {
			u, _ := url.Parse(cb)
			q := u.Query()
			q.Add("state", q.Get("state"))
			u.RawQuery = q.Encode()
			return u.String()
		}},
		{name: "nok, error from the provider with a script", callback: func(t *testing.T, _ *browser, cb string) string {
			u, _ := url.Parse(cb)
			q := url.Values{"state": {u.Query().Get("state")}, "error": {"access_denied"}, "error_description": {"<script>alert(1)</script>"}}
			u.RawQuery = q.Encode()
			return u.String()
		}},
		{name: "nok, replayed after a successful sign-in", callback: func(t *testing.T, b *browser, cb string) string {
			if res := b.getURL(cb); res.location() != "/" {
				t.Fatalf("first callback: got %d %q; want 302 to /", res.status, res.location())
			}
			return cb
		}, other: true},
		{name: "nok, callback from another browser", callback: func(t *testing.T, _ *browser, cb string) string {
			return cb
		}, other: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			users := ta.countUsers(t)
			b := ta.browser(t)
			cb := b.beginSignIn("devoidc")
			target := tt.callback(t, b, cb)
			tokens := ta.social.dev.TokenRequests()
			v := b
			if tt.other {
				v = ta.browser(t)
			}
			res := v.getURL(target)
			if res.status != http.StatusFound || res.location() != "/sessions/logon" {
				t.Fatalf("got %d %q; want 302 to /sessions/logon\n%s", res.status, res.location(), res.body)
			}
			page := v.get("/sessions/logon")
			if page.status != http.StatusOK {
				t.Fatalf("logon page: got %d; want 200", page.status)
			}
			if strings.Contains(page.body, "<script>") || strings.Contains(page.body, "alert(1)") {
				t.Errorf("the provider's description is reflected:\n%s", page.body)
			}
			if !strings.Contains(page.body, strategy.MsgSignInFailed) && !strings.Contains(page.body, strategy.MsgSignInCancelled) {
				t.Errorf("no failure message on the logon page:\n%s", page.body)
			}
			if got := v.loggedOnAs(); got != "" {
				t.Errorf("logged on as %q; want nobody", got)
			}
			if got := ta.social.dev.TokenRequests(); got != tokens {
				t.Errorf("token requests: got %d more; want none", got-tokens)
			}
			if tt.other {
				// The browser that began is not logged on by the
				// attacker's use of its callback either, beyond what it
				// did itself.
				return
			}
			// The handshake is spent: the genuine callback fails too.
			if res := b.getURL(cb); res.location() != "/sessions/logon" {
				t.Errorf("genuine callback after a bad one: got %d %q; want 302 to /sessions/logon", res.status, res.location())
			}
			if got := b.loggedOnAs(); got != "" {
				t.Errorf("logged on as %q after the genuine callback; want nobody", got)
			}
			if got := ta.countUsers(t); got != users {
				t.Errorf("users: got %d; want %d", got, users)
			}
		})
	}

	t.Run("nok, a code the provider never issued", func(t *testing.T) {
		b := ta.browser(t)
		cb := setParam(t, b.beginSignIn("devoidc"), "code", "forged-code")
		res := b.getURL(cb)
		if res.status != http.StatusFound || res.location() != "/sessions/logon" {
			t.Fatalf("got %d %q; want 302 to /sessions/logon", res.status, res.location())
		}
		if got := b.flashes("/sessions/logon"); len(got) != 1 || got[0] != msgSignInFailed {
			t.Errorf("flashes: got %q; want [%q]", got, msgSignInFailed)
		}
		if got := b.loggedOnAs(); got != "" {
			t.Errorf("logged on as %q; want nobody", got)
		}
	})

	t.Run("ok, a POST callback needs no CSRF token", func(t *testing.T) {
		b := ta.browser(t)
		res := b.post("/auth/devoidc/callback", url.Values{"state": {"x"}, "code": {"y"}})
		if res.status != http.StatusFound || res.location() != "/sessions/logon" {
			t.Errorf("got %d %q; want 302 to /sessions/logon (a failed sign-in, not a CSRF refusal)\n%s", res.status, res.location(), res.body)
		}
	})

	t.Run("nok, unknown provider", func(t *testing.T) {
		b := ta.browser(t)
		for _, path := range []string{"/auth/github", "/auth/github/callback?state=x&code=y"} {
			if res := b.get(path); res.status != http.StatusNotFound {
				t.Errorf("GET %s: got %d; want 404", path, res.status)
			}
		}
	})
}

// setParam returns raw with the query parameter name set to value, or
// removed when value is empty.
func setParam(t *testing.T, raw, name, value string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if value == "" {
		q.Del(name)
	} else {
		q.Set(name, value)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func TestDevOIDCOff(t *testing.T) {
	tests := []struct {
		name string
		ta   func(t *testing.T) *testApp
	}{
		{name: "ok, DevOIDC false", ta: func(t *testing.T) *testApp { return newSocialTestApp(t, Config{}) }},
		{name: "ok, zero Config", ta: func(t *testing.T) *testApp { return newTestApp(t, Config{}) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ta := tt.ta(t)
			b := ta.browser(t)
			logon := b.get("/sessions/logon")
			if logon.status != http.StatusOK || strings.Contains(logon.body, "Sign in with") || strings.Contains(logon.body, "social") {
				t.Errorf("logon page: got %d with buttons:\n%s", logon.status, logon.body)
			}
			for _, path := range []string{"/auth/devoidc", "/auth/devoidc/callback?state=x&code=y", "/static/social.css"} {
				if res := b.get(path); res.status != http.StatusNotFound {
					t.Errorf("GET %s: got %d; want 404", path, res.status)
				}
			}
			b.register("Ada Lovelace", "ada@example.com", testPassword)
			if home := b.get("/"); strings.Contains(home.body, "Sign-in providers") || strings.Contains(home.body, "Link ") {
				t.Errorf("home page offers providers:\n%s", home.body)
			}
		})
	}
}

func TestSocialConfig(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	t.Run("nok, Dev OIDC without a base URL", func(t *testing.T) {
		_, _, err := newApp(t.Context(), Config{DB: memoryDB, DevOIDC: true, Logger: slog.New(slog.DiscardHandler)})
		if err == nil || !strings.Contains(err.Error(), "BaseURL") {
			t.Errorf("got %v; want an error naming BaseURL", err)
		}
	})
	t.Run("nok, a provider in the environment without a base URL", func(t *testing.T) {
		_, _, err := newApp(t.Context(), Config{DB: memoryDB, Getenv: env("GITHUB_CLIENT_ID", "id", "GITHUB_CLIENT_SECRET", "secret")})
		if err == nil || !strings.Contains(err.Error(), "BaseURL") {
			t.Errorf("got %v; want an error naming BaseURL", err)
		}
	})
	t.Run("nok, a half-configured provider", func(t *testing.T) {
		_, _, err := newApp(t.Context(), Config{DB: memoryDB, BaseURL: "http://127.0.0.1:1", Getenv: env("GITHUB_CLIENT_ID", "id")})
		if err == nil || !strings.Contains(err.Error(), "GITHUB_CLIENT_SECRET") {
			t.Errorf("got %v; want an error naming GITHUB_CLIENT_SECRET", err)
		}
	})
	t.Run("ok, GitHub from the environment beside Dev OIDC", func(t *testing.T) {
		ta := newSocialTestApp(t, Config{DevOIDC: true, Getenv: env("GITHUB_CLIENT_ID", "gh-id", "GITHUB_CLIENT_SECRET", "gh-secret")})
		b := ta.browser(t)
		logon := b.get("/sessions/logon")
		gh, dev := strings.Index(logon.body, "<span>Sign in with GitHub</span>"), strings.Index(logon.body, "<span>Sign in with Dev OIDC</span>")
		if gh < 0 || dev < 0 {
			t.Fatalf("logon page lacks a button:\n%s", logon.body)
		}
		res := b.get("/auth/github")
		if res.status != http.StatusFound {
			t.Fatalf("GET /auth/github: got %d; want 302", res.status)
		}
		u, err := url.Parse(res.location())
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		if u.Host != "github.com" || q.Get("client_id") != "gh-id" || q.Get("redirect_uri") != ta.srv.URL+"/auth/github/callback" || len(q.Get("state")) < 43 {
			t.Errorf("redirect: got %q; want GitHub's authorize URL with the demo's callback", res.location())
		}
		if strings.Contains(res.location(), "gh-secret") {
			t.Errorf("the client secret is in the redirect")
		}
	})
}

func TestParseSocialOptions(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		devOIDC bool
		baseURL string
		wantErr string
	}{
		{name: "ok, Dev OIDC on by default", devOIDC: true},
		{name: "ok, -dev-oidc=false", args: []string{"-dev-oidc=false"}},
		{name: "ok, DEMO_DEV_OIDC=false", env: map[string]string{"DEMO_DEV_OIDC": "false"}},
		{name: "ok, DEMO_DEV_OIDC=0", env: map[string]string{"DEMO_DEV_OIDC": "0"}},
		{name: "ok, -dev-oidc wins over DEMO_DEV_OIDC", args: []string{"-dev-oidc"}, env: map[string]string{"DEMO_DEV_OIDC": "false"}, devOIDC: true},
		{name: "ok, -base-url", args: []string{"-base-url", "https://demo.example/"}, devOIDC: true, baseURL: "https://demo.example"},
		{name: "ok, -base-url with a port", args: []string{"-base-url", "http://127.0.0.1:9000"}, devOIDC: true, baseURL: "http://127.0.0.1:9000"},
		{name: "nok, DEMO_DEV_OIDC not a boolean", env: map[string]string{"DEMO_DEV_OIDC": "maybe"}, wantErr: "DEMO_DEV_OIDC"},
		{name: "nok, -base-url with a path", args: []string{"-base-url", "https://demo.example/app"}, wantErr: "-base-url"},
		{name: "nok, -base-url with a query", args: []string{"-base-url", "https://demo.example/?x=1"}, wantErr: "-base-url"},
		{name: "nok, -base-url not http", args: []string{"-base-url", "ftp://demo.example"}, wantErr: "-base-url"},
		{name: "nok, -base-url without a host", args: []string{"-base-url", "demo.example"}, wantErr: "-base-url"},
		{name: "nok, -base-url with a user", args: []string{"-base-url", "https://me@demo.example"}, wantErr: "-base-url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := parseOptions(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v; want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if o.cfg.DevOIDC != tt.devOIDC || o.baseURL != tt.baseURL {
				t.Errorf("got DevOIDC %v, base URL %q; want %v, %q", o.cfg.DevOIDC, o.baseURL, tt.devOIDC, tt.baseURL)
			}
			if o.cfg.Getenv == nil {
				t.Errorf("Getenv not passed on")
			}
		})
	}
}

// TestRunDevOIDC starts the program as main does, with its defaults: Dev
// OIDC is on, and its callback URL is on the address the demo listens on.
func TestRunDevOIDC(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &matchWriter{re: regexp.MustCompile(`passport demo: open (http://127\.0\.0\.1:\d+)/\n`), found: make(chan string, 1)}
	var logs syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-db", ":memory:"}, func(string) string { return "" }, out, &logs)
	}()
	var base string
	select {
	case base = <-out.found:
	case err := <-done:
		t.Fatalf("run returned early: %v\n%s", err, logs.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("no URL printed: %q\n%s", out.String(), logs.String())
	}
	if !strings.Contains(logs.String(), "NOT FOR PRODUCTION") {
		t.Errorf("no warning about Dev OIDC in the log:\n%s", logs.String())
	}
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer client.CloseIdleConnections()
	res, err := client.Get(base + "/auth/devoidc")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusFound || loc.Query().Get("redirect_uri") != base+"/auth/devoidc/callback" {
		t.Errorf("GET /auth/devoidc: got %d to %q; want 302 with redirect_uri %s/auth/devoidc/callback", res.StatusCode, loc, base)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not return after cancel")
	}
}

// matchWriter is a syncBuffer that sends, once, the first submatch of re
// in what was written so far: a test waits on found for a line that a
// goroutine prints, instead of polling the buffer.
type matchWriter struct {
	syncBuffer
	re    *regexp.Regexp
	once  sync.Once
	found chan string // buffered: one value
}

func (w *matchWriter) Write(p []byte) (int, error) {
	n, err := w.syncBuffer.Write(p)
	if m := w.re.FindStringSubmatch(w.syncBuffer.String()); m != nil {
		w.once.Do(func() { w.found <- m[1] })
	}
	return n, err
}
