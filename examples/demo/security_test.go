package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport/session"
)

func TestCSRF(t *testing.T) {
	ta := newTestApp(t, Config{})
	ta.browser(t).register("Alice", "alice@example.com", testPassword)

	// Each route: how to get a visitor in the right state, the form, and
	// the check that nothing changed.
	routes := []struct {
		name      string
		path      string
		loggedIn  bool
		form      url.Values
		unchanged func(t *testing.T, b *browser)
	}{
		{"register", "/sessions/register", false,
			url.Values{"name": {"Mallory"}, "email": {"mallory@example.com"}, "password": {testPassword}, "password1": {testPassword}},
			func(t *testing.T, b *browser) {
				if got := ta.countUsers(t); got != 1 {
					t.Errorf("users: got %d; want 1", got)
				}
				if got := b.loggedOnAs(); got != "" {
					t.Errorf("logged on as %q; want nobody", got)
				}
			}},
		{"logon", "/sessions/logon", false,
			url.Values{"email": {"alice@example.com"}, "password": {testPassword}},
			func(t *testing.T, b *browser) {
				if got := b.loggedOnAs(); got != "" {
					t.Errorf("logged on as %q; want nobody", got)
				}
			}},
		{"logoff", "/sessions/logoff", true, url.Values{},
			func(t *testing.T, b *browser) {
				if got := b.loggedOnAs(); got != "Alice" {
					t.Errorf("logged on as %q; want Alice still", got)
				}
			}},
		{"secret word", "/secretWord", true, url.Values{"secretWord": {"forged"}},
			func(t *testing.T, b *browser) {
				if got := b.secretWord(); got != defaultSecretWord {
					t.Errorf("secret word: got %q; want %q", got, defaultSecretWord)
				}
			}},
	}
	// attempt is one forged POST: the page whose token a genuine form
	// would carry, a token of the visitor's session before it logged on
	// (or off), and headers to send.
	type attempt struct {
		page     string
		previous string
		header   http.Header
	}
	tokens := []struct {
		name  string
		token func(b *browser, a *attempt) (string, bool) // the _csrf to send, whether to send one
	}{
		{"missing token", func(*browser, *attempt) (string, bool) { return "", false }},
		{"empty token", func(*browser, *attempt) (string, bool) { return "", true }},
		{"wrong token", func(b *browser, a *attempt) (string, bool) {
			tok := b.csrf(a.page)
			return tok[1:] + tok[:1], true
		}},
		{"another visitor's token", func(*browser, *attempt) (string, bool) {
			return ta.browser(t).csrf("/sessions/logon"), true
		}},
		{"a token captured before logging on or off", func(_ *browser, a *attempt) (string, bool) {
			return a.previous, true
		}},
		{"the page's token, cross-site", func(b *browser, a *attempt) (string, bool) {
			a.header.Set("Sec-Fetch-Site", "cross-site")
			return b.csrf(a.page), true
		}},
		{"missing token, same-origin", func(_ *browser, a *attempt) (string, bool) {
			a.header.Set("Sec-Fetch-Site", "same-origin")
			return "", false
		}},
	}
	for _, rt := range routes {
		for _, tk := range tokens {
			t.Run("nok, "+rt.name+", "+tk.name, func(t *testing.T) {
				b := ta.browser(t)
				a := &attempt{page: "/secretWord", header: http.Header{}}
				if rt.loggedIn {
					a.previous = b.csrf("/sessions/logon")
					if res := b.logon("alice@example.com", testPassword); res.location() != "/" {
						t.Fatalf("logon: got %d %q", res.status, res.location())
					}
				} else {
					// Logged on and off again: a token of the session
					// before the logoff.
					a.page = "/sessions/logon"
					if res := b.logon("alice@example.com", testPassword); res.location() != "/" {
						t.Fatalf("logon: got %d %q", res.status, res.location())
					}
					a.previous = b.csrf("/")
					if res := b.logoff(); res.status != http.StatusFound {
						t.Fatalf("logoff: got %d", res.status)
					}
				}
				b.get("/") // the session and its CSRF secret
				if b.cookie(sessionCookie) == "" {
					t.Fatal("no session cookie")
				}
				form := url.Values{}
				for k, v := range rt.form {
					form[k] = v
				}
				if tok, send := tk.token(b, a); send {
					form.Set("_csrf", tok)
				}
				req, err := http.NewRequest(http.MethodPost, ta.srv.URL+rt.path, strings.NewReader(form.Encode()))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				for k, v := range a.header {
					req.Header[k] = v
				}
				res := b.do(req)
				if res.status != http.StatusForbidden {
					t.Fatalf("got status %d; want 403", res.status)
				}
				if !strings.Contains(res.body, "<h1>403 Forbidden</h1>") {
					t.Errorf("403 is not the HTML error page:\n%s", res.body)
				}
				rt.unchanged(t, b)
			})
		}
	}
}

func TestSessionFixation(t *testing.T) {
	ta := newTestApp(t, Config{SessionSecret: testSecret})
	ta.browser(t).register("Alice", "alice@example.com", testPassword)
	key, err := deriveSessionKey(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	codec, err := session.NewCodec(key)
	if err != nil {
		t.Fatal(err)
	}
	sessionID := func(value string) string {
		t.Helper()
		id, err := codec.Open(sessionCookie, value, 0)
		if err != nil {
			t.Fatalf("opening the session cookie: %v", err)
		}
		return string(id)
	}

	b := ta.browser(t)
	b.get("/secretWord") // an anonymous session: return-to path and flash
	tok := b.csrf("/sessions/logon")
	before := b.cookie(sessionCookie)
	if before == "" {
		t.Fatal("no session cookie before logon")
	}
	res := b.post("/sessions/logon", url.Values{"email": {"alice@example.com"}, "password": {testPassword}, "_csrf": {tok}})
	if res.location() != "/secretWord" {
		t.Fatalf("logon: got %d %q; want 302 to /secretWord", res.status, res.location())
	}
	after := b.cookie(sessionCookie)
	if after == before {
		t.Fatal("session cookie unchanged by logon")
	}
	if sessionID(after) == sessionID(before) {
		t.Fatal("session ID unchanged by logon")
	}

	t.Run("nok, the cookie from before logon is not logged in", func(t *testing.T) {
		old := ta.withSession(t, before)
		if got := old.loggedOnAs(); got != "" {
			t.Errorf("logged on as %q; want nobody", got)
		}
		if res := old.get("/secretWord"); res.status != http.StatusFound {
			t.Errorf("GET /secretWord: got %d; want 302", res.status)
		}
	})

	t.Run("ok, a copy of the logged-in cookie works until logoff", func(t *testing.T) {
		if got := ta.withSession(t, after).loggedOnAs(); got != "Alice" {
			t.Errorf("logged on as %q; want Alice", got)
		}
	})

	if res := b.submit("/", "/sessions/logoff", nil); res.location() != "/" {
		t.Fatalf("logoff: got %d %q", res.status, res.location())
	}

	t.Run("nok, a copy of the logged-in cookie is anonymous after logoff", func(t *testing.T) {
		stolen := ta.withSession(t, after)
		if got := stolen.loggedOnAs(); got != "" {
			t.Errorf("logged on as %q; want nobody", got)
		}
		if res := stolen.get("/secretWord"); res.status != http.StatusFound {
			t.Errorf("GET /secretWord: got %d; want 302", res.status)
		}
	})
}

func TestTamperedCookies(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	ta := newTestApp(t, Config{DB: db, SessionSecret: testSecret})
	b := ta.browser(t)
	b.register("Alice", "alice@example.com", testPassword)
	good := b.cookie(sessionCookie)

	// Another instance on the same database with another key: its cookies
	// name rows that exist, but this instance cannot open them.
	other := newTestApp(t, Config{DB: db, SessionSecret: strings.Repeat("another secret ", 4)})
	ob := other.browser(t)
	if res := ob.logon("alice@example.com", testPassword); res.location() != "/" {
		t.Fatalf("logon on the other instance: got %d %q", res.status, res.location())
	}
	foreign := ob.cookie(sessionCookie)

	flip := func(s string, i int) string {
		c := byte('A')
		if s[i] == 'A' {
			c = 'B'
		}
		return s[:i] + string(c) + s[i+1:]
	}
	tests := []struct {
		name  string
		value string
	}{
		{"nok, one character changed in the middle", flip(good, len(good)/2)},
		{"nok, last character changed", flip(good, len(good)-1)},
		{"nok, truncated", good[:len(good)-4]},
		{"nok, doubled", good + good},
		{"nok, not base64", "!!!not-a-cookie!!!"},
		{"nok, empty", ""},
		{"nok, sealed with another key", foreign},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := ta.withSession(t, tt.value)
			if got := v.loggedOnAs(); got != "" {
				t.Errorf("logged on as %q; want nobody", got)
			}
			res := v.get("/secretWord")
			if res.status != http.StatusFound || res.location() != "/sessions/logon" {
				t.Errorf("GET /secretWord: got %d %q; want 302 to /sessions/logon", res.status, res.location())
			}
		})
	}
	t.Run("ok, the untouched cookie", func(t *testing.T) {
		if got := ta.withSession(t, good).loggedOnAs(); got != "Alice" {
			t.Errorf("logged on as %q; want Alice", got)
		}
	})
}

func TestBodyLimit(t *testing.T) {
	ta := newTestApp(t, Config{})
	big := bytes.Repeat([]byte("a"), 20<<20)

	t.Run("nok, 20 MiB with Content-Length", func(t *testing.T) {
		for _, path := range []string{"/sessions/logon", "/sessions/register", "/secretWord"} {
			req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(append([]byte("email="), big...)))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			ta.e.ServeHTTP(rec, req)
			if rec.Code != http.StatusRequestEntityTooLarge {
				t.Errorf("POST %s: got status %d; want 413", path, rec.Code)
			}
		}
		if got := ta.hashes.Load(); got != 0 {
			t.Errorf("password hashes: got %d; want 0", got)
		}
	})

	for _, tt := range []struct{ name, contentType, head string }{
		{"nok, 20 MiB chunked form", "application/x-www-form-urlencoded", "email="},
		{"nok, 20 MiB chunked multipart form", "multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			// Without a Content-Length the limit is met only while the
			// body is read.
			req := httptest.NewRequest(http.MethodPost, "/sessions/logon", io.MultiReader(strings.NewReader(tt.head), bytes.NewReader(big)))
			req.ContentLength = -1
			req.Header.Set("Content-Type", tt.contentType)
			rec := httptest.NewRecorder()
			ta.e.ServeHTTP(rec, req)
			if rec.Code != http.StatusRequestEntityTooLarge {
				t.Errorf("got status %d; want 413", rec.Code)
			}
		})
	}
}

func TestThrottle(t *testing.T) {
	frozen := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ta := newTestApp(t, Config{now: func() time.Time { return frozen }})
	ta.browser(t).register("Alice", "alice@example.com", testPassword)
	ta.browser(t).register("Bob", "bob@example.com", testPassword)

	b := ta.browser(t)
	for i := range 10 {
		res := b.logon("alice@example.com", "wrong password "+strconv.Itoa(i))
		if res.status != http.StatusFound || res.location() != "/sessions/logon" {
			t.Fatalf("attempt %d: got %d %q; want 302 to /sessions/logon", i+1, res.status, res.location())
		}
	}
	for _, tt := range []struct{ name, password string }{
		{"nok, 11th wrong password", "wrong password 11"},
		{"nok, right password during the lock", testPassword},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := ta.hashes.Load()
			res := b.logon("ALICE@example.com ", tt.password)
			if res.status != http.StatusTooManyRequests {
				t.Fatalf("got status %d; want 429", res.status)
			}
			if secs, err := strconv.Atoi(res.header.Get("Retry-After")); err != nil || secs < 1 {
				t.Errorf("Retry-After: got %q; want a positive number of seconds", res.header.Get("Retry-After"))
			}
			if !strings.Contains(res.body, "<h1>429 Too Many Requests</h1>") {
				t.Errorf("429 is not the HTML error page:\n%s", res.body)
			}
			if got := ta.hashes.Load() - before; got != 0 {
				t.Errorf("password hashes: got %d; want 0", got)
			}
			if got := b.loggedOnAs(); got != "" {
				t.Errorf("logged on as %q; want nobody", got)
			}
		})
	}
	t.Run("ok, another account is not locked", func(t *testing.T) {
		if res := ta.browser(t).logon("bob@example.com", testPassword); res.location() != "/" {
			t.Errorf("got %d %q; want 302 to /", res.status, res.location())
		}
	})
}

func TestErrorPages(t *testing.T) {
	ta := newTestApp(t, Config{})

	t.Run("ok, 404 page", func(t *testing.T) {
		res := ta.browser(t).get("/no/such/page")
		if res.status != http.StatusNotFound || !strings.Contains(res.body, "<h1>404 Not Found</h1>") {
			t.Errorf("got %d; want 404 with the error page\n%s", res.status, res.body)
		}
		if !strings.HasPrefix(res.header.Get("Content-Type"), "text/html") {
			t.Errorf("Content-Type: got %q; want text/html", res.header.Get("Content-Type"))
		}
	})

	t.Run("ok, 405 keeps its Allow header", func(t *testing.T) {
		res := ta.browser(t).get("/sessions/logoff")
		if res.status != http.StatusMethodNotAllowed || res.header.Get("Allow") == "" {
			t.Errorf("got %d, Allow %q; want 405 with Allow", res.status, res.header.Get("Allow"))
		}
	})

	t.Run("ok, JSON under /api/", func(t *testing.T) {
		res := ta.browser(t).get("/api/v1/nothing")
		if res.status != http.StatusNotFound || !strings.HasPrefix(res.header.Get("Content-Type"), "application/json") {
			t.Fatalf("got %d %q; want 404 application/json", res.status, res.header.Get("Content-Type"))
		}
		var body struct {
			Error  string `json:"error"`
			Status int    `json:"status"`
		}
		if err := json.Unmarshal([]byte(res.body), &body); err != nil {
			t.Fatalf("body %q: %v", res.body, err)
		}
		if body.Error != "Not Found" || body.Status != http.StatusNotFound {
			t.Errorf("got %+v; want Not Found, 404", body)
		}
	})

	// Every form the error handler answers in: the page for a browser,
	// JSON for an API route or client, text for curl.
	for _, tt := range []struct {
		path, accept, contentType string
	}{
		{"/boom", browserAccept, "text/html"},
		{"/boom", "", "text/plain"},
		{"/boom", "application/json", "application/json"},
		{"/api/boom", "", "application/json"},
		{"/api/boom", browserAccept, "application/json"},
	} {
		t.Run("ok, 500 shows no internals, "+tt.path+" "+tt.contentType, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tt.path, nil)
			if tt.accept != "" {
				req.Header.Set("Accept", tt.accept)
			}
			rec := httptest.NewRecorder()
			c := ta.e.NewContext(req, rec)
			ta.handleError(echo.NewHTTPError(http.StatusInternalServerError, "secret detail").WithInternal(errors.New("db password is hunter2")), c)
			if rec.Code != http.StatusInternalServerError {
				t.Errorf("got status %d; want 500", rec.Code)
			}
			if got := rec.Header().Get("Content-Type"); !strings.HasPrefix(got, tt.contentType) {
				t.Errorf("Content-Type: got %q; want %s", got, tt.contentType)
			}
			body := rec.Body.String()
			if strings.Contains(body, "secret detail") || strings.Contains(body, "hunter2") {
				t.Errorf("the 500 shows internals:\n%s", body)
			}
			if !strings.Contains(body, "Internal Server Error") {
				t.Errorf("no status text in %q", body)
			}
		})
	}

	t.Run("ok, a plain error is a 500", func(t *testing.T) {
		for _, accept := range []string{browserAccept, ""} {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if accept != "" {
				req.Header.Set("Accept", accept)
			}
			rec := httptest.NewRecorder()
			ta.handleError(errors.New("disk on fire"), ta.e.NewContext(req, rec))
			if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "disk on fire") {
				t.Errorf("Accept %q: got %d %q; want a bare 500", accept, rec.Code, rec.Body.String())
			}
		}
	})

	t.Run("ok, a database fault is a bare 500", func(t *testing.T) {
		broken := newTestApp(t, Config{})
		b := broken.browser(t)
		b.register("Alice", "alice@example.com", testPassword)
		if err := broken.db.Close(); err != nil {
			t.Fatal(err)
		}
		for _, path := range []string{"/", "/secretWord"} {
			res := b.get(path)
			if res.status != http.StatusInternalServerError {
				t.Errorf("GET %s: got status %d; want 500", path, res.status)
			}
			if strings.Contains(res.body, "sql") || strings.Contains(res.body, "closed") {
				t.Errorf("GET %s: the 500 shows internals:\n%s", path, res.body)
			}
		}
	})
}

func TestSessionKeys(t *testing.T) {
	t.Run("ok, generated key kept in the database", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "demo.db")
		first := newTestApp(t, Config{DB: db})
		b := first.browser(t)
		b.register("Alice", "alice@example.com", testPassword)
		cookie := b.cookie(sessionCookie)
		first.stop(t)

		second := newTestApp(t, Config{DB: db})
		if got := second.withSession(t, cookie).loggedOnAs(); got != "Alice" {
			t.Errorf("after a restart logged on as %q; want Alice", got)
		}
	})

	t.Run("ok, same secret, same key", func(t *testing.T) {
		k1, err1 := deriveSessionKey(testSecret)
		k2, err2 := deriveSessionKey(testSecret)
		if err1 != nil || err2 != nil || !bytes.Equal(k1, k2) || len(k1) != 32 {
			t.Errorf("got %x, %x (%v, %v); want two equal 32-byte keys", k1, k2, err1, err2)
		}
	})

	t.Run("nok, short SESSION_SECRET", func(t *testing.T) {
		_, _, err := newApp(t.Context(), Config{DB: memoryDB, SessionSecret: strings.Repeat("s", 31)})
		if err == nil || !strings.Contains(err.Error(), "at least 32") {
			t.Errorf("got %v; want an error about 32 bytes", err)
		}
	})

	t.Run("nok, database path with a query", func(t *testing.T) {
		_, _, err := newApp(t.Context(), Config{DB: "demo.db?mode=ro"})
		if err == nil {
			t.Error("got no error; want one")
		}
	})
}

// TestCSRFTokenRotatesAtLogon: a token captured before logon (by an
// attacker who had the victim's anonymous page, or planted the session) is
// refused once the victim has logged on; the pages of the logged-on
// session carry tokens that work.
func TestCSRFTokenRotatesAtLogon(t *testing.T) {
	ta := newTestApp(t, Config{})
	ta.browser(t).register("Alice", "alice@example.com", testPassword)
	b := ta.browser(t)
	captured := b.csrf("/sessions/logon")
	res := b.post("/sessions/logon", url.Values{"email": {"alice@example.com"}, "password": {testPassword}, "_csrf": {captured}})
	if res.status != http.StatusFound || res.location() != "/" {
		t.Fatalf("logon: got %d %q; want 302 to /", res.status, res.location())
	}

	t.Run("nok, the token from before logon", func(t *testing.T) {
		res := b.post("/secretWord", url.Values{"secretWord": {"forged"}, "_csrf": {captured}})
		if res.status != http.StatusForbidden {
			t.Fatalf("got %d; want 403", res.status)
		}
		if got := b.secretWord(); got != defaultSecretWord {
			t.Errorf("secret word: got %q; want %q", got, defaultSecretWord)
		}
	})

	t.Run("ok, a token of the logged-on session", func(t *testing.T) {
		res := b.submit("/secretWord", "/secretWord", url.Values{"secretWord": {"xylophone"}})
		if res.status != http.StatusFound {
			t.Fatalf("got %d; want 302", res.status)
		}
		if got := b.secretWord(); got != "xylophone" {
			t.Errorf("secret word: got %q; want xylophone", got)
		}
	})

	t.Run("nok, a logged-on token after logoff", func(t *testing.T) {
		loggedOn := b.csrf("/")
		if res := b.post("/sessions/logoff", url.Values{"_csrf": {loggedOn}}); res.status != http.StatusFound {
			t.Fatalf("logoff: got %d", res.status)
		}
		res := b.post("/sessions/logon", url.Values{"email": {"alice@example.com"}, "password": {testPassword}, "_csrf": {loggedOn}})
		if res.status != http.StatusForbidden {
			t.Errorf("logon with the token from before logoff: got %d; want 403", res.status)
		}
	})
}

// TestTwoSessionCookies: a request carrying two session cookies (one
// planted by a sibling host, say) has no session at all, whichever comes
// first: never "first one wins".
func TestTwoSessionCookies(t *testing.T) {
	var logs bytes.Buffer
	ta := newTestApp(t, Config{Logger: slog.New(slog.NewTextHandler(&syncWriter{w: &logs}, nil))})
	carol := ta.browser(t)
	carol.register("Carol", "carol@example.com", testPassword)
	alice := ta.browser(t)
	alice.register("Alice", "alice@example.com", testPassword)
	for _, tt := range []struct {
		name  string
		order []string
	}{
		{"nok, carol then alice", []string{carol.cookie(sessionCookie), alice.cookie(sessionCookie)}},
		{"nok, alice then carol", []string{alice.cookie(sessionCookie), carol.cookie(sessionCookie)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, ta.srv.URL+"/", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Cookie", sessionCookie+"="+tt.order[0]+"; "+sessionCookie+"="+tt.order[1])
			res := ta.browser(t).do(req)
			if res.status != http.StatusOK || !strings.Contains(res.body, "Nobody is logged on.") {
				t.Errorf("got %d, logged on as someone; want nobody:\n%s", res.status, res.body)
			}
			req, _ = http.NewRequest(http.MethodGet, ta.srv.URL+"/secretWord", nil)
			req.Header.Set("Cookie", sessionCookie+"="+tt.order[0]+"; "+sessionCookie+"="+tt.order[1])
			if res := ta.browser(t).do(req); res.status != http.StatusFound || res.location() != "/sessions/logon" {
				t.Errorf("GET /secretWord: got %d %q; want 302 to /sessions/logon", res.status, res.location())
			}
		})
	}
	if !strings.Contains(logs.String(), "more than one session cookie") {
		t.Errorf("no warning logged:\n%s", logs.String())
	}
	// Each cookie alone is still its own user's.
	if got := carol.loggedOnAs(); got != "Carol" {
		t.Errorf("carol alone: got %q", got)
	}
}

// TestHostPrefixedCookieBehindTLS: with SecureCookies (the app is behind a
// TLS-terminating proxy) the session cookie is __Host-passport, Secure,
// Path=/, no Domain; a bare "passport" cookie (which a sibling host can
// set) is not read.
func TestHostPrefixedCookieBehindTLS(t *testing.T) {
	ta := newTestApp(t, Config{SecureCookies: true})
	res := ta.browser(t).get("/sessions/logon")
	cookies := (&http.Response{Header: res.header}).Cookies()
	if len(cookies) != 1 {
		t.Fatalf("got cookies %v; want one", cookies)
	}
	if c := cookies[0]; c.Name != "__Host-passport" || !c.Secure || c.Path != "/" || c.Domain != "" {
		t.Errorf("got %v; want __Host-passport, Secure, Path /, no Domain", c)
	}

	// A logged-on session of a plain-HTTP instance on the same database,
	// as a sibling would plant it, under the bare name.
	db := filepath.Join(t.TempDir(), "demo.db")
	plain := newTestApp(t, Config{DB: db, SessionSecret: testSecret})
	pb := plain.browser(t)
	pb.register("Mallory", "mallory@example.com", testPassword)
	secure := newTestApp(t, Config{DB: db, SessionSecret: testSecret, SecureCookies: true})
	req, err := http.NewRequest(http.MethodGet, secure.srv.URL+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: pb.cookie(sessionCookie)})
	if res := secure.browser(t).do(req); !strings.Contains(res.body, "Nobody is logged on.") {
		t.Errorf("a bare passport cookie behind TLS: got logged on; want nobody")
	}
}

// syncWriter serialises writes to a buffer that the server's goroutines
// log into.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
