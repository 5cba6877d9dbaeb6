package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestHome(t *testing.T) {
	ta := newTestApp(t, Config{})

	t.Run("ok, anonymous", func(t *testing.T) {
		res := ta.browser(t).get("/")
		if res.status != http.StatusOK {
			t.Fatalf("got status %d; want 200", res.status)
		}
		for _, want := range []string{`href="/sessions/logon"`, `href="/sessions/register"`, "Nobody is logged on."} {
			if !strings.Contains(res.body, want) {
				t.Errorf("home page lacks %q", want)
			}
		}
		if strings.Contains(res.body, "/sessions/logoff") {
			t.Errorf("anonymous home page has a logoff form")
		}
	})

	t.Run("ok, logged in", func(t *testing.T) {
		b := ta.browser(t)
		b.register("Alice", "alice@example.com", testPassword)
		res := b.get("/")
		for _, want := range []string{"User Alice is logged on.", `href="/secretWord"`, `action="/sessions/logoff"`, `name="_csrf"`} {
			if !strings.Contains(res.body, want) {
				t.Errorf("home page lacks %q", want)
			}
		}
	})

	t.Run("ok, security headers", func(t *testing.T) {
		res := ta.browser(t).get("/")
		for name, want := range map[string]string{
			"Content-Security-Policy": contentSecurityPolicy,
			"X-Content-Type-Options":  "nosniff",
			"X-Frame-Options":         "DENY",
			"Referrer-Policy":         "same-origin",
			"Cache-Control":           "no-store",
		} {
			if got := res.header.Get(name); got != want {
				t.Errorf("%s: got %q; want %q", name, got, want)
			}
		}
		// The page's CSRF token is bound to the session: the only cookie
		// is the session's, no CSRF cookie beside it.
		cookies := (&http.Response{Header: res.header}).Cookies()
		if len(cookies) != 1 || cookies[0].Name != sessionCookie {
			t.Fatalf("got cookies %v; want the session cookie alone", cookies)
		}
		if c := cookies[0]; !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
			t.Errorf("session cookie: got HttpOnly=%v SameSite=%v Path=%q; want true, Lax, /", c.HttpOnly, c.SameSite, c.Path)
		}
	})

	t.Run("ok, stylesheet", func(t *testing.T) {
		res := ta.browser(t).get("/static/style.css")
		if res.status != http.StatusOK || !strings.HasPrefix(res.header.Get("Content-Type"), "text/css") {
			t.Errorf("got %d %q; want 200 text/css", res.status, res.header.Get("Content-Type"))
		}
		if got := res.header.Get("Set-Cookie"); got != "" {
			t.Errorf("static file set a cookie: %q", got)
		}
	})
}

func TestRegister(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name     string
		form     url.Values
		want     []string // messages on the page
		password string   // must not be echoed back
	}{
		{"nok, passwords differ", url.Values{"name": {"Bob"}, "email": {"bob@example.com"}, "password": {"secret-one"}, "password1": {"secret-two"}},
			[]string{msgPasswordsDiffer, `value="Bob"`, `value="bob@example.com"`}, "secret-one"},
		{"nok, email taken (other case)", url.Values{"name": {"Alice 2"}, "email": {" ALICE@Example.com "}, "password": {testPassword}, "password1": {testPassword}},
			[]string{msgEmailTaken, `value="Alice 2"`}, testPassword},
		{"nok, empty name", url.Values{"name": {"  "}, "email": {"c@example.com"}, "password": {testPassword}, "password1": {testPassword}},
			[]string{msgNameRequired}, testPassword},
		{"nok, name too long", url.Values{"name": {long(101)}, "email": {"c@example.com"}, "password": {testPassword}, "password1": {testPassword}},
			[]string{msgNameLong}, testPassword},
		{"nok, NUL in name", url.Values{"name": {"Ca\x00rol"}, "email": {"c@example.com"}, "password": {testPassword}, "password1": {testPassword}},
			[]string{msgNameInvalid, `value="Carol"`}, testPassword},
		{"nok, missing email", url.Values{"name": {"Carol"}, "password": {testPassword}, "password1": {testPassword}},
			[]string{msgEmailRequired}, testPassword},
		{"nok, not an email", url.Values{"name": {"Carol"}, "email": {"carol"}, "password": {testPassword}, "password1": {testPassword}},
			[]string{msgEmailInvalid}, testPassword},
		{"nok, email with a display name", url.Values{"name": {"Carol"}, "email": {"Carol <carol@example.com>"}, "password": {testPassword}, "password1": {testPassword}},
			[]string{msgEmailInvalid}, testPassword},
		{"nok, email too long", url.Values{"name": {"Carol"}, "email": {long(243) + "@example.com"}, "password": {testPassword}, "password1": {testPassword}},
			[]string{msgEmailLong}, testPassword},
		{"nok, NUL in email", url.Values{"name": {"Carol"}, "email": {"carol\x00@example.com"}, "password": {testPassword}, "password1": {testPassword}},
			[]string{msgEmailInvalid}, testPassword},
		{"nok, invalid UTF-8 in email", url.Values{"name": {"Carol"}, "email": {"car\xffol@example.com"}, "password": {testPassword}, "password1": {testPassword}},
			[]string{msgEmailInvalid}, testPassword},
		{"nok, password too short", url.Values{"name": {"Carol"}, "email": {"c@example.com"}, "password": {"short12"}, "password1": {"short12"}},
			[]string{msgPasswordShort}, "short12"},
		{"nok, password too long", url.Values{"name": {"Carol"}, "email": {"c@example.com"}, "password": {long(1025)}, "password1": {long(1025)}},
			[]string{msgPasswordLong}, long(1025)},
		{"nok, everything wrong at once", url.Values{"email": {"x"}, "password": {"a"}, "password1": {"b"}},
			[]string{msgNameRequired, msgEmailInvalid, msgPasswordShort, msgPasswordsDiffer}, ""},
	}
	ta := newTestApp(t, Config{})
	ta.browser(t).register("Alice", "alice@example.com", testPassword)

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := ta.browser(t)
			before := ta.countUsers(t)
			res := b.submit("/sessions/register", "/sessions/register", tt.form)
			if res.status != http.StatusBadRequest {
				t.Fatalf("got status %d; want 400", res.status)
			}
			for _, want := range tt.want {
				if !strings.Contains(res.body, strings.ReplaceAll(want, "'", "&#39;")) {
					t.Errorf("page lacks %q", want)
				}
			}
			if tt.password != "" && strings.Contains(res.body, tt.password) {
				t.Errorf("page shows the password back")
			}
			if got := ta.countUsers(t); got != before {
				t.Errorf("users: got %d; want %d", got, before)
			}
			if got := b.loggedOnAs(); got != "" {
				t.Errorf("logged on as %q; want nobody", got)
			}
		})
	}

	t.Run("ok, logged in after registering", func(t *testing.T) {
		b := ta.browser(t)
		b.register("Dora", "dora@example.com", testPassword)
		res := b.get("/")
		if !strings.Contains(res.body, "User Dora is logged on.") {
			t.Errorf("home page does not show Dora logged on")
		}
		if !strings.Contains(res.body, msgAccountCreated) {
			t.Errorf("no %q flash", msgAccountCreated)
		}
		hash := ta.passwordHash(t, "dora@example.com")
		if !strings.HasPrefix(hash, "$argon2id$") {
			t.Errorf("stored hash: got %q; want an argon2id hash", hash)
		}
	})

	t.Run("ok, logged in users are sent home", func(t *testing.T) {
		b := ta.browser(t)
		b.register("Eve", "eve@example.com", testPassword)
		for _, path := range []string{"/sessions/register", "/sessions/logon"} {
			res := b.get(path)
			if res.status != http.StatusFound || res.location() != "/" {
				t.Errorf("GET %s: got %d %q; want 302 to /", path, res.status, res.location())
			}
		}
	})
}

func TestLogon(t *testing.T) {
	ta := newTestApp(t, Config{})
	ta.browser(t).register("Alice", "alice@example.com", testPassword)

	t.Run("ok, redirected home and logged on", func(t *testing.T) {
		b := ta.browser(t)
		res := b.logon("alice@example.com", testPassword)
		if res.status != http.StatusFound || res.location() != "/" {
			t.Fatalf("got %d %q; want 302 to /", res.status, res.location())
		}
		if got := b.loggedOnAs(); got != "Alice" {
			t.Errorf("logged on as %q; want %q", got, "Alice")
		}
	})

	t.Run("ok, email in another case", func(t *testing.T) {
		b := ta.browser(t)
		res := b.logon("ALICE@example.COM", testPassword)
		if res.status != http.StatusFound || res.location() != "/" {
			t.Fatalf("got %d %q; want 302 to /", res.status, res.location())
		}
		if got := b.loggedOnAs(); got != "Alice" {
			t.Errorf("logged on as %q; want %q", got, "Alice")
		}
	})

	t.Run("ok, back to the page that asked for a logon", func(t *testing.T) {
		b := ta.browser(t)
		res := b.get("/secretWord")
		if res.status != http.StatusFound || res.location() != "/sessions/logon" {
			t.Fatalf("GET /secretWord: got %d %q; want 302 to /sessions/logon", res.status, res.location())
		}
		page := b.get("/sessions/logon")
		if !strings.Contains(page.body, "You can&#39;t access that page before logon.") {
			t.Errorf("logon page lacks the RequireLogin flash")
		}
		tok := csrfRE.FindStringSubmatch(page.body)[1]
		res = b.post("/sessions/logon", url.Values{"email": {"alice@example.com"}, "password": {testPassword}, "_csrf": {tok}})
		if res.status != http.StatusFound || res.location() != "/secretWord" {
			t.Fatalf("logon: got %d %q; want 302 to /secretWord", res.status, res.location())
		}
		if got := b.secretWord(); got != defaultSecretWord {
			t.Errorf("secret word: got %q; want %q", got, defaultSecretWord)
		}
	})

	// Every failure is the same: 302 back to the form, whose next render
	// shows "Incorrect credentials." once. Missing and malformed fields
	// get this generic failure too (the strategy fails them with 400 and
	// the route's FailureRedirect applies), not a 400 page.
	failures := []struct {
		name   string
		form   url.Values
		hashes int64 // password checks the attempt may cost
	}{
		{"nok, wrong password", url.Values{"email": {"alice@example.com"}, "password": {"wrong password"}}, 1},
		{"nok, unknown user costs one hash", url.Values{"email": {"nobody@example.com"}, "password": {testPassword}}, 1},
		{"nok, missing email", url.Values{"password": {testPassword}}, 0},
		{"nok, missing password", url.Values{"email": {"alice@example.com"}}, 0},
		{"nok, empty fields", url.Values{"email": {""}, "password": {""}}, 0},
		{"nok, email given twice", url.Values{"email": {"alice@example.com", "bob@example.com"}, "password": {testPassword}}, 0},
		{"nok, oversized email", url.Values{"email": {strings.Repeat("a", 300) + "@example.com"}, "password": {testPassword}}, 0},
		{"nok, NUL in email", url.Values{"email": {"alice\x00@example.com"}, "password": {testPassword}}, 0},
		{"nok, invalid UTF-8 in email", url.Values{"email": {"alice\xff@example.com"}, "password": {testPassword}}, 0},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			b := ta.browser(t)
			tok := b.csrf("/sessions/logon")
			form := url.Values{"_csrf": {tok}}
			for k, v := range tt.form {
				form[k] = v
			}
			before := ta.hashes.Load()
			res := b.post("/sessions/logon", form)
			if res.status != http.StatusFound || res.location() != "/sessions/logon" {
				t.Fatalf("got %d %q; want 302 to /sessions/logon", res.status, res.location())
			}
			if got := ta.hashes.Load() - before; got != tt.hashes {
				t.Errorf("password hashes: got %d; want %d", got, tt.hashes)
			}
			page := b.get("/sessions/logon")
			if got := strings.Count(page.body, "Incorrect credentials."); got != 1 {
				t.Errorf("flash shown %d times; want once", got)
			}
			if page := b.get("/sessions/logon"); strings.Contains(page.body, "Incorrect credentials.") {
				t.Errorf("flash shown again on the next page")
			}
			if got := b.loggedOnAs(); got != "" {
				t.Errorf("logged on as %q; want nobody", got)
			}
		})
	}

	t.Run("ok, weak hash replaced at logon", func(t *testing.T) {
		old, err := bcrypt.GenerateFromPassword([]byte("bcrypt password"), bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		if _, created, err := ta.users.create(context.Background(), "Old", "old@example.com", string(old)); err != nil || !created {
			t.Fatalf("create: %v %v", created, err)
		}
		b := ta.browser(t)
		if res := b.logon("old@example.com", "bcrypt password"); res.location() != "/" {
			t.Fatalf("logon: got %d %q; want 302 to /", res.status, res.location())
		}
		hash := ta.passwordHash(t, "old@example.com")
		if !strings.HasPrefix(hash, "$argon2id$") {
			t.Fatalf("hash after logon: got %q; want an argon2id hash", hash)
		}
		if res := ta.browser(t).logon("old@example.com", "bcrypt password"); res.location() != "/" {
			t.Errorf("logon with the rehashed password: got %d %q; want 302 to /", res.status, res.location())
		}
	})
}

func TestLogoff(t *testing.T) {
	ta := newTestApp(t, Config{})
	b := ta.browser(t)
	b.register("Alice", "alice@example.com", testPassword)

	res := b.logoff()
	if res.status != http.StatusFound || res.location() != "/" {
		t.Fatalf("logoff: got %d %q; want 302 to /", res.status, res.location())
	}
	if got := b.loggedOnAs(); got != "" {
		t.Errorf("after logoff logged on as %q; want nobody", got)
	}
	if res := b.get("/secretWord"); res.status != http.StatusFound {
		t.Errorf("GET /secretWord after logoff: got %d; want 302", res.status)
	}

	t.Run("ok, anonymous logoff", func(t *testing.T) {
		res := ta.browser(t).submit("/sessions/logon", "/sessions/logoff", nil)
		if res.status != http.StatusFound || res.location() != "/" {
			t.Errorf("got %d %q; want 302 to /", res.status, res.location())
		}
	})
}

func TestSecretWord(t *testing.T) {
	ta := newTestApp(t, Config{})
	b := ta.browser(t)
	b.register("Alice", "alice@example.com", testPassword)

	if got := b.secretWord(); got != defaultSecretWord {
		t.Fatalf("default secret word: got %q; want %q", got, defaultSecretWord)
	}
	tests := []struct {
		name  string
		word  string
		flash string
		want  string // the word afterwards
	}{
		{"ok, changed", "xylophone", msgSecretWordSet, "xylophone"},
		{"ok, spaces trimmed", "  quasar ", msgSecretWordSet, "quasar"},
		{"nok, starts with p", "pizza", msgSecretWordP, "quasar"},
		{"nok, starts with P", "Pizza", msgSecretWordP, "quasar"},
		{"nok, P after spaces", "  Potato", msgSecretWordP, "quasar"},
		{"nok, empty", "", msgSecretWordEmpty, "quasar"},
		{"nok, only spaces", "   ", msgSecretWordEmpty, "quasar"},
		{"nok, too long", strings.Repeat("z", 101), msgSecretWordLong, "quasar"},
		{"nok, control character", "ze\x00bra", msgSecretWordBad, "quasar"},
		{"nok, invalid UTF-8", "ze\xffbra", msgSecretWordBad, "quasar"},
		{"ok, 100 characters", strings.Repeat("é", 100), msgSecretWordSet, strings.Repeat("é", 100)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := b.submit("/secretWord", "/secretWord", url.Values{"secretWord": {tt.word}})
			if res.status != http.StatusFound || res.location() != "/secretWord" {
				t.Fatalf("got %d %q; want 302 to /secretWord", res.status, res.location())
			}
			page := b.get("/secretWord")
			if !strings.Contains(page.body, strings.ReplaceAll(tt.flash, "'", "&#39;")) {
				t.Errorf("page lacks the flash %q", tt.flash)
			}
			if got := b.secretWord(); got != tt.want {
				t.Errorf("secret word: got %q; want %q", got, tt.want)
			}
		})
	}

	t.Run("nok, anonymous POST sent to logon", func(t *testing.T) {
		anon := ta.browser(t)
		res := anon.submit("/sessions/logon", "/secretWord", url.Values{"secretWord": {"nope"}})
		if res.status != http.StatusFound || res.location() != "/sessions/logon" {
			t.Errorf("got %d %q; want 302 to /sessions/logon", res.status, res.location())
		}
	})

	t.Run("ok, word ends with the session", func(t *testing.T) {
		b.logoff()
		b.logon("alice@example.com", testPassword)
		if got := b.secretWord(); got != defaultSecretWord {
			t.Errorf("secret word in a new session: got %q; want %q", got, defaultSecretWord)
		}
	})
}
