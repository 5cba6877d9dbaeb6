package main

import (
	"bytes"
	"encoding/json"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// emailValueRE finds the value of the logon form's e-mail field.
var emailValueRE = regexp.MustCompile(`<input id="email" name="email" type="email" value="([^"]*)"`)

// logonEmail returns the value the logon form's e-mail field shows.
func (b *browser) logonEmail() string {
	b.t.Helper()
	res := b.get("/sessions/logon")
	if res.status != http.StatusOK {
		b.t.Fatalf("GET /sessions/logon: got %d; want 200", res.status)
	}
	m := emailValueRE.FindStringSubmatch(res.body)
	if m == nil {
		b.t.Fatalf("GET /sessions/logon: no e-mail field:\n%s", res.body)
	}
	return m[1]
}

func TestLogonKeepsEmail(t *testing.T) {
	ta := newTestApp(t, Config{})
	ta.browser(t).register("Alice", "alice@example.com", testPassword)

	tests := []struct {
		name     string
		email    string
		password string
		// value is the e-mail field's value attribute after the failure,
		// as html/template escapes it.
		value string
	}{
		{name: "ok, wrong password", email: "alice@example.com", password: "wrong password", value: "alice@example.com"},
		{name: "ok, unknown e-mail", email: "nobody@example.com", password: testPassword, value: "nobody@example.com"},
		{name: "ok, spaces trimmed", email: "  alice@example.com ", password: "wrong password", value: "alice@example.com"},
		{name: "ok, hostile e-mail escaped", email: `"><script>alert(1)</script>@x`, password: "wrong password",
			value: "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;@x"},
		{name: "ok, control characters dropped", email: "ali\x00ce@example.com\r\n", password: "wrong password", value: "alice@example.com"},
		{name: "ok, longer than the field: not kept", email: strings.Repeat("a", maxEmailLen) + "@example.com", password: "wrong password", value: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := ta.browser(t)
			res := b.logon(tt.email, tt.password)
			if res.status != http.StatusFound || res.location() != "/sessions/logon" {
				t.Fatalf("POST: got %d %q; want 302 to /sessions/logon with no query", res.status, res.location())
			}
			page := b.get("/sessions/logon")
			m := emailValueRE.FindStringSubmatch(page.body)
			if m == nil {
				t.Fatalf("no e-mail field in the logon page:\n%s", page.body)
			}
			if m[1] != tt.value {
				t.Errorf("e-mail field: got value %q; want %q", m[1], tt.value)
			}
			if strings.Contains(page.body, "<script>") {
				t.Errorf("the page holds an unescaped <script>:\n%s", page.body)
			}
			if !strings.Contains(page.body, "Incorrect credentials.") {
				t.Errorf("no logon error on the page:\n%s", page.body)
			}
			if got := b.logonEmail(); got != "" {
				t.Errorf("shown again: got %q; want an empty field (the address is shown once)", got)
			}
		})
	}

	t.Run("ok, not kept after a successful logon", func(t *testing.T) {
		b := ta.browser(t)
		if res := b.logon("alice@example.com", testPassword); res.location() != "/" {
			t.Fatalf("logon: got %d %q; want 302 to /", res.status, res.location())
		}
		b.logoff()
		if got := b.logonEmail(); got != "" {
			t.Errorf("after logon and logoff: got %q; want an empty field", got)
		}
	})

	t.Run("ok, the last failure wins, then a success forgets it", func(t *testing.T) {
		b := ta.browser(t)
		b.logon("first@example.com", "x")
		b.logon("alice@example.com", "wrong password")
		if res := b.logon("alice@example.com", testPassword); res.location() != "/" {
			t.Fatalf("logon: got %d %q; want 302 to /", res.status, res.location())
		}
		b.logoff()
		if got := b.logonEmail(); got != "" {
			t.Errorf("got %q; want an empty field", got)
		}
	})

	t.Run("ok, a fresh visitor sees an empty field", func(t *testing.T) {
		if got := ta.browser(t).logonEmail(); got != "" {
			t.Errorf("got %q; want an empty field", got)
		}
	})
}

// The header of every page, for a logged-in user: who it is and the
// log-off form with the page's CSRF token.
var (
	whoamiRE = regexp.MustCompile(`<span id="whoami" class="whoami">([^<]*)</span>\s*<form method="post" action="/sessions/logoff" class="inline">\s*<input type="hidden" name="_csrf" value="([^"]+)">\s*<button type="submit" id="logoff">Log off</button>`)
	logonRE  = regexp.MustCompile(`<a id="logon-link" href="/sessions/logon">Log on</a>\s*<a id="register-link" href="/sessions/register">Register</a>`)
)

func TestHeader(t *testing.T) {
	frozen := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ta := newTestApp(t, Config{now: func() time.Time { return frozen }})
	alice := ta.browser(t)
	alice.register("Alice <A&B>", "alice@example.com", testPassword)
	const who = "Alice &lt;A&amp;B&gt; · alice@example.com"

	for _, tt := range []struct {
		name, path string
		status     int
	}{
		{"ok, home", "/", http.StatusOK},
		{"ok, secret word", "/secretWord", http.StatusOK},
		{"ok, 404 page", "/no/such/page", http.StatusNotFound},
		{"ok, 405 page", "/sessions/logoff", http.StatusMethodNotAllowed},
	} {
		t.Run(tt.name+", logged in", func(t *testing.T) {
			res := alice.get(tt.path)
			if res.status != tt.status {
				t.Fatalf("GET %s: got %d; want %d", tt.path, res.status, tt.status)
			}
			m := whoamiRE.FindStringSubmatch(res.body)
			if m == nil {
				t.Fatalf("GET %s: no header with the user and the log-off form:\n%s", tt.path, res.body)
			}
			if m[1] != who {
				t.Errorf("GET %s: header shows %q; want %q", tt.path, m[1], who)
			}
			if logonRE.MatchString(res.body) {
				t.Errorf("GET %s: a logged-in user is offered Log on and Register", tt.path)
			}
			if strings.Count(res.body, `id="logoff"`) != 1 {
				t.Errorf("GET %s: want exactly one log-off button", tt.path)
			}
			if got := res.header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("GET %s: Cache-Control %q; want no-store (the page names the user)", tt.path, got)
			}
		})
	}

	t.Run("ok, the error page's log-off button works", func(t *testing.T) {
		b := ta.browser(t)
		if res := b.logon("alice@example.com", testPassword); res.location() != "/" {
			t.Fatalf("logon: got %d %q", res.status, res.location())
		}
		m := whoamiRE.FindStringSubmatch(b.get("/no/such/page").body)
		if m == nil {
			t.Fatal("no log-off form on the 404 page")
		}
		res := b.post("/sessions/logoff", url.Values{"_csrf": {html.UnescapeString(m[2])}})
		if res.status != http.StatusFound || res.location() != "/" {
			t.Fatalf("log off from the 404 page: got %d %q; want 302 to /", res.status, res.location())
		}
		if got := b.loggedOnAs(); got != "" {
			t.Errorf("after logging off: logged on as %q", got)
		}
	})

	for _, path := range []string{"/", "/sessions/logon", "/sessions/register", "/no/such/page"} {
		t.Run("ok, logged off, "+path, func(t *testing.T) {
			res := ta.browser(t).get(path)
			if !logonRE.MatchString(res.body) {
				t.Errorf("GET %s: no Log on and Register links in the header:\n%s", path, res.body)
			}
			if strings.Contains(res.body, `id="whoami"`) || strings.Contains(res.body, `action="/sessions/logoff"`) {
				t.Errorf("GET %s: a visitor gets a user or a log-off form", path)
			}
		})
	}

	t.Run("ok, the 429 page: the header, the wait and the way back", func(t *testing.T) {
		b := ta.browser(t)
		var res response
		for i := range 11 {
			res = b.logon("alice@example.com", "wrong password "+strconv.Itoa(i))
		}
		if res.status != http.StatusTooManyRequests {
			t.Fatalf("11th wrong password: got %d; want 429", res.status)
		}
		retry, err := strconv.Atoi(res.header.Get("Retry-After"))
		if err != nil || retry < 1 {
			t.Fatalf("Retry-After: got %q; want seconds", res.header.Get("Retry-After"))
		}
		for _, want := range []string{
			"<h1>429 Too Many Requests</h1>",
			`<p id="wait">Try again in `,
			`<a id="back" href="/sessions/logon">Back</a>`,
		} {
			if !strings.Contains(res.body, want) {
				t.Errorf("the 429 page lacks %q:\n%s", want, res.body)
			}
		}
		if !logonRE.MatchString(res.body) {
			t.Errorf("the 429 page has no header:\n%s", res.body)
		}
		// The form shows the address tried after the lock as well.
		if got := b.logonEmail(); got != "alice@example.com" {
			t.Errorf("after the 429: e-mail field %q; want alice@example.com", got)
		}
	})
}

// TestErrorNegotiation checks that each client gets its form of an error:
// the page for a browser, JSON for an API client, text for curl; the
// headers stay.
func TestErrorNegotiation(t *testing.T) {
	ta := newTestApp(t, Config{})
	for _, tt := range []struct {
		name, path, accept, contentType, body string
	}{
		{"ok, browser", "/no/such/page", browserAccept, "text/html", "<h1>404 Not Found</h1>"},
		{"ok, curl", "/no/such/page", "*/*", "text/plain", "Not Found\n"},
		{"ok, no Accept", "/no/such/page", "", "text/plain", "Not Found\n"},
		{"ok, API client", "/no/such/page", "application/json", "application/json", `"status":404`},
		{"ok, API route from a browser", "/api/v1/nothing", browserAccept, "application/json", `"error":"Not Found"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, ta.srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Accept", tt.accept)
			if tt.accept == "" {
				req.Header.Del("Accept")
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var body bytes.Buffer
			if _, err := body.ReadFrom(res.Body); err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != http.StatusNotFound {
				t.Errorf("got status %d; want 404", res.StatusCode)
			}
			if got := res.Header.Get("Content-Type"); !strings.HasPrefix(got, tt.contentType) {
				t.Errorf("Content-Type: got %q; want %s", got, tt.contentType)
			}
			if !strings.Contains(body.String(), tt.body) {
				t.Errorf("body %q lacks %q", body.String(), tt.body)
			}
		})
	}

	t.Run("ok, a 429 in JSON says how long to wait", func(t *testing.T) {
		frozen := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
		tb := newTestApp(t, Config{now: func() time.Time { return frozen }})
		tb.browser(t).register("Alice", "alice@example.com", testPassword)
		b := tb.browser(t)
		for i := range 10 {
			b.logon("alice@example.com", "wrong password "+strconv.Itoa(i))
		}
		tok := b.csrf("/sessions/logon")
		req, err := http.NewRequest(http.MethodPost, tb.srv.URL+"/sessions/logon",
			strings.NewReader(url.Values{"_csrf": {tok}, "email": {"alice@example.com"}, "password": {"x"}}.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		res := b.do(req)
		var got struct {
			Error      string `json:"error"`
			Status     int    `json:"status"`
			RetryAfter int    `json:"retry_after"`
		}
		if err := json.Unmarshal([]byte(res.body), &got); err != nil {
			t.Fatalf("body %q: %v", res.body, err)
		}
		if res.status != http.StatusTooManyRequests || got.Status != http.StatusTooManyRequests || got.RetryAfter < 1 ||
			strconv.Itoa(got.RetryAfter) != res.header.Get("Retry-After") {
			t.Errorf("got %d %+v, Retry-After %q; want 429 with retry_after equal to the header", res.status, got, res.header.Get("Retry-After"))
		}
	})
}

// auditRecord is one JSON log line of the audit log.
type auditRecord struct {
	Msg      string `json:"msg"`
	Event    string `json:"event"`
	User     string `json:"user"`
	Username string `json:"username"`
	Strategy string `json:"strategy"`
}

// TestAuditLog checks that a logon, a failed logon (with the address
// tried) and a logoff reach the demo's logger as audit records, and that
// no password does.
func TestAuditLog(t *testing.T) {
	var logs syncBuffer
	ta := newTestApp(t, Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	b := ta.browser(t)
	b.register("Alice", "alice@example.com", testPassword)
	b.logoff()
	b.logon("Alice@Example.com", "wrong password")
	if res := b.logon("alice@example.com", testPassword); res.location() != "/" {
		t.Fatalf("logon: got %d %q; want 302 to /", res.status, res.location())
	}
	b.logoff()

	var events []auditRecord
	for line := range strings.Lines(logs.String()) {
		var r auditRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if r.Event != "" {
			events = append(events, r)
		}
	}
	var kinds []string
	for _, r := range events {
		kinds = append(kinds, r.Event)
	}
	// register logs in (login), then logoff, the failure, the logon, logoff.
	want := []string{"login", "logout", "login_failed", "login", "logout"}
	if strings.Join(kinds, " ") != strings.Join(want, " ") {
		t.Fatalf("audit events: got %v; want %v\n%s", kinds, want, logs.String())
	}
	if f := events[2]; f.Username == "" || !strings.EqualFold(f.Username, "alice@example.com") {
		t.Errorf("login_failed: username %q; want the address tried", f.Username)
	}
	if l := events[3]; l.User == "" || l.Strategy != "local" {
		t.Errorf("login: got %+v; want the user's key and strategy local", l)
	}
	if events[4].User != events[3].User {
		t.Errorf("logout: user %q; want %q, who logged in", events[4].User, events[3].User)
	}
	if strings.Contains(logs.String(), "wrong password") || strings.Contains(logs.String(), testPassword) {
		t.Errorf("a password reached the log:\n%s", logs.String())
	}
}
