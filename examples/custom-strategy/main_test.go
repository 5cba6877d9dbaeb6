package main

import (
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/gopassport/passport/examples/custom-strategy/hmacsig"
	"github.com/gopassport/passport/strategy/password"
)

const challenge = `HMAC-SHA256 realm="webhooks"`

// testApp builds the app with alice (password "correct horse", hashed
// cheaply for the test) and the sender acme, whose fresh secret it returns.
func testApp(t *testing.T) (*echo.Echo, []byte) {
	t.Helper()
	hash, err := (&password.Hasher{Memory: 64, Iterations: 1}).Hash("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	e, err := newApp(appConfig{
		Passwords: map[string]string{"alice": hash},
		Senders:   map[string][]byte{"acme": secret},
	})
	if err != nil {
		t.Fatal(err)
	}
	return e, secret
}

// serve runs req through e.
func serve(e *echo.Echo, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

// webhook is a POST to the webhook route with body, signed with signature
// (none when empty) as sender.
func webhook(sender, signature, body string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/webhooks/orders", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if sender != "" {
		req.Header.Set(hmacsig.DefaultSenderHeader, sender)
	}
	if signature != "" {
		req.Header.Set(hmacsig.DefaultSignatureHeader, signature)
	}
	return req
}

// logIn posts alice's credentials and returns the session cookie.
func logIn(t *testing.T, e *echo.Echo) *http.Cookie {
	t.Helper()
	form := url.Values{"username": {"alice"}, "password": {"correct horse"}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := serve(e, req)
	// The login also sets the local strategy's device cookie; the session
	// cookie is the other one.
	var session *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name != "passport_device" {
			session = c
		}
	}
	if rec.Code != http.StatusFound || session == nil {
		t.Fatalf("login: got %d with cookies %v; want 302 and a session cookie", rec.Code, rec.Result().Cookies())
	}
	return session
}

func TestWebhook(t *testing.T) {
	e, secret := testApp(t)
	other := make([]byte, 32)
	if _, err := rand.Read(other); err != nil {
		t.Fatal(err)
	}
	const order = `{"id":42}`
	now := time.Now()
	tests := []struct {
		name          string
		req           *http.Request
		wantStatus    int
		wantBody      string // a part of the response body
		wantChallenge bool
	}{
		{"ok, signed webhook", webhook("acme", hmacsig.Sign(secret, []byte(order), now), order), 200, "order 42 received from acme", false},
		{"ok, signed a minute ago", webhook("acme", hmacsig.Sign(secret, []byte(order), now.Add(-time.Minute)), order), 200, "order 42 received from acme", false},
		{"nok, signed but not an order", webhook("acme", hmacsig.Sign(secret, []byte("hello"), now), "hello"), 400, "The body is not an order.", false},
		{"nok, unsigned", webhook("", "", order), 401, "Signature required.", true},
		{"nok, sender without a signature", webhook("acme", "", order), 401, "Signature required.", true},
		{"nok, tampered body", webhook("acme", hmacsig.Sign(secret, []byte(order), now), `{"id":43}`), 401, "Invalid signature.", true},
		{"nok, another secret", webhook("acme", hmacsig.Sign(other, []byte(order), now), order), 401, "Invalid signature.", true},
		{"nok, unknown sender", webhook("initech", hmacsig.Sign(secret, []byte(order), now), order), 401, "Invalid signature.", true},
		{"nok, stale timestamp", webhook("acme", hmacsig.Sign(secret, []byte(order), now.Add(-10*time.Minute)), order), 401, "Signature expired.", true},
		{"nok, timestamp from the future", webhook("acme", hmacsig.Sign(secret, []byte(order), now.Add(10*time.Minute)), order), 401, "Signature expired.", true},
		{"nok, malformed signature", webhook("acme", "sha256=abc", order), 400, "Malformed signature.", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(e, tt.req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("got %d %q; want %d", rec.Code, rec.Body.String(), tt.wantStatus)
			}
			if !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Errorf("got body %q; want it to contain %q", rec.Body.String(), tt.wantBody)
			}
			got := rec.Header().Values("WWW-Authenticate")
			if tt.wantChallenge && (len(got) != 1 || got[0] != challenge) {
				t.Errorf("got WWW-Authenticate %q; want [%q]", got, challenge)
			}
			if !tt.wantChallenge && len(got) != 0 {
				t.Errorf("got WWW-Authenticate %q; want none", got)
			}
			if c := rec.Header().Values("Set-Cookie"); len(c) != 0 {
				t.Errorf("got Set-Cookie %q; want none: the webhook route is stateless", c)
			}
		})
	}
}

// TestLogin runs the session login beside the webhooks: wrong password
// 401, right password logs in, the cookie then opens "/".
func TestLogin(t *testing.T) {
	e, _ := testApp(t)
	form := url.Values{"username": {"alice"}, "password": {"wrong"}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if rec := serve(e, req); rec.Code != http.StatusUnauthorized {
		t.Fatalf("wrong password: got %d; want 401", rec.Code)
	}

	cookie := logIn(t, e)
	req = httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(cookie)
	if rec := serve(e, req); rec.Code != http.StatusOK || rec.Body.String() != "Hello, alice" {
		t.Errorf("home: got %d %q; want 200 %q", rec.Code, rec.Body.String(), "Hello, alice")
	}
	if rec := serve(e, httptest.NewRequest(http.MethodGet, "/", nil)); rec.Code != http.StatusUnauthorized {
		t.Errorf("anonymous home: got %d; want 401", rec.Code)
	}
}

// TestRoutesStayApart checks that each route accepts only its own
// credentials: a session does not open the webhook route, and a signed
// webhook neither logs in nor opens the home page.
func TestRoutesStayApart(t *testing.T) {
	e, secret := testApp(t)
	cookie := logIn(t, e)

	t.Run("nok, session on the webhook route", func(t *testing.T) {
		req := webhook("", "", `{"id":42}`)
		req.AddCookie(cookie)
		rec := serve(e, req)
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("got %d %q; want 401", rec.Code, rec.Body.String())
		}
	})
	t.Run("nok, signature on the home page", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set(hmacsig.DefaultSenderHeader, "acme")
		req.Header.Set(hmacsig.DefaultSignatureHeader, hmacsig.Sign(secret, nil, time.Now()))
		if rec := serve(e, req); rec.Code != http.StatusUnauthorized {
			t.Errorf("got %d; want 401", rec.Code)
		}
	})
}

func TestCurlWebhook(t *testing.T) {
	secret := []byte("example secret")
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	got := curlWebhook("http://127.0.0.1:8081", "acme", secret, []byte(`{"note":"it's"}`), at)
	want := `curl -i 'http://127.0.0.1:8081/webhooks/orders' -H 'Content-Type: application/json' -H 'X-Sender: acme' ` +
		`-H 'X-Signature: ` + hmacsig.Sign(secret, []byte(`{"note":"it's"}`), at) + `' --data-raw '{"note":"it'\''s"}'`
	if got != want {
		t.Errorf("got %q; want %q", got, want)
	}
}
