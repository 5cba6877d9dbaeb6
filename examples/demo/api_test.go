package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	jwtlib "github.com/golang-jwt/jwt/v5"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/jwt"
	"github.com/gopassport/passport/strategy/jwt/sqltokens"
)

// tokenPair is the JSON of a token response.
type tokenPair struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

// apiCall is one request to the API.
type apiCall struct {
	method, path string
	body         string
	contentType  string // default application/json when body is set
	bearer       string
}

// api sends call with b's cookies (the browser's session, if any).
func (b *browser) api(call apiCall) response {
	b.t.Helper()
	req, err := http.NewRequest(call.method, b.ta.srv.URL+call.path, strings.NewReader(call.body))
	if err != nil {
		b.t.Fatal(err)
	}
	switch {
	case call.contentType != "":
		req.Header.Set("Content-Type", call.contentType)
	case call.body != "":
		req.Header.Set("Content-Type", "application/json")
	}
	if call.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+call.bearer)
	}
	return b.do(req)
}

// api sends call without cookies, as an API client would.
func (ta *testApp) api(t *testing.T, call apiCall) response {
	t.Helper()
	return ta.browser(t).api(call)
}

// login gets a token pair with the email and password.
func (ta *testApp) login(t *testing.T, email, password string) tokenPair {
	t.Helper()
	res := ta.api(t, apiCall{method: http.MethodPost, path: apiTokenPath, body: jsonCredentials(email, password)})
	if res.status != http.StatusOK {
		t.Fatalf("login %s: got %d %s; want 200", email, res.status, res.body)
	}
	wantNoStore(t, res)
	return decodeJSON[tokenPair](t, res)
}

// refresh posts a refresh token. Every answer of the endpoint, a refusal
// too, must be kept out of caches.
func (ta *testApp) refresh(t *testing.T, tok string) response {
	t.Helper()
	res := ta.api(t, apiCall{method: http.MethodPost, path: apiRefreshPath, body: refreshJSON(tok)})
	wantNoStore(t, res)
	return res
}

// logout posts a refresh token to revoke, authenticated by the bearer
// access token, and checks the answer of RFC 7009: 200 with an empty body,
// kept out of caches, whether or not the token was revoked.
func (ta *testApp) logout(t *testing.T, bearer, tok string) {
	t.Helper()
	res := ta.api(t, apiCall{method: http.MethodPost, path: apiLogoutPath, bearer: bearer, body: refreshJSON(tok)})
	if res.status != http.StatusOK || res.body != "" {
		t.Fatalf("logout: got %d %q; want 200 with an empty body", res.status, res.body)
	}
	wantNoStore(t, res)
}

// me gets /api/v1/me with an access token.
func (ta *testApp) me(t *testing.T, access string) response {
	t.Helper()
	return ta.api(t, apiCall{method: http.MethodGet, path: apiMePath, bearer: access})
}

// tokenStore opens the refresh-token tables, to look at what is stored.
func (ta *testApp) tokenStore(t *testing.T) *sqltokens.Store {
	t.Helper()
	s, err := sqltokens.New(t.Context(), ta.db.DB, sqltokens.Config{Dialect: ta.db.dialect})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func jsonCredentials(email, password string) string {
	b, _ := json.Marshal(map[string]string{"email": email, "password": password})
	return string(b)
}

func refreshJSON(tok string) string {
	b, _ := json.Marshal(map[string]string{"refresh_token": tok})
	return string(b)
}

func decodeJSON[T any](t *testing.T, res response) T {
	t.Helper()
	var v T
	if ct := res.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type: got %q; want application/json (body %s)", ct, res.body)
	}
	if err := json.Unmarshal([]byte(res.body), &v); err != nil {
		t.Fatalf("body %q: %v", res.body, err)
	}
	return v
}

// wantNoStore checks the headers that keep a token endpoint's answer, and
// the tokens in it, out of caches (RFC 6749 section 5.1).
func wantNoStore(t *testing.T, res response) {
	t.Helper()
	if got := res.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control: got %q; want no-store", got)
	}
	if got := res.header.Get("Pragma"); got != "no-cache" {
		t.Errorf("Pragma: got %q; want no-cache", got)
	}
}

// wantTokenError checks that res is a token endpoint's refusal: the
// status, and the RFC 6749 section 5.2 JSON {"error": code,
// "error_description": desc}, kept out of caches.
func wantTokenError(t *testing.T, res response, status int, code, desc string) {
	t.Helper()
	if res.status != status {
		t.Fatalf("status: got %d; want %d (body %s)", res.status, status, res.body)
	}
	wantNoStore(t, res)
	got := decodeJSON[struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}](t, res)
	if got.Error != code || got.Description != desc {
		t.Errorf("got %+v; want error %q, error_description %q", got, code, desc)
	}
}

// wantAPIError checks that res is the demo's JSON error {"error": msg,
// "status": code}, of the routes that are not token endpoints; an empty
// msg accepts any message.
func wantAPIError(t *testing.T, res response, code int, msg string) {
	t.Helper()
	if res.status != code {
		t.Fatalf("status: got %d; want %d (body %s)", res.status, code, res.body)
	}
	got := decodeJSON[struct {
		Error  string `json:"error"`
		Status int    `json:"status"`
	}](t, res)
	if got.Status != code || got.Error == "" || (msg != "" && got.Error != msg) {
		t.Errorf("got %+v; want error %q, status %d", got, msg, code)
	}
}

func TestAPIToken(t *testing.T) {
	ta := newTestApp(t, Config{})
	ta.browser(t).register("Alice", "alice@example.com", testPassword)
	form := url.Values{"email": {"alice@example.com"}, "password": {testPassword}}.Encode()
	tests := []struct {
		name   string
		call   apiCall
		status int
		code   string // the token endpoint's error; "" for the demo's own JSON error
		desc   string
	}{
		{name: "ok, JSON, no CSRF token", call: apiCall{body: jsonCredentials("alice@example.com", testPassword)}, status: http.StatusOK},
		// readForm parsed the form before the endpoint, which reads it
		// from the parsed request.
		{name: "ok, form, no CSRF token", call: apiCall{body: form, contentType: "application/x-www-form-urlencoded"}, status: http.StatusOK},
		{name: "nok, wrong password", call: apiCall{body: jsonCredentials("alice@example.com", "wrong password")},
			status: http.StatusBadRequest, code: "invalid_grant", desc: "Incorrect credentials."},
		{name: "nok, unknown email", call: apiCall{body: jsonCredentials("mallory@example.com", testPassword)},
			status: http.StatusBadRequest, code: "invalid_grant", desc: "Incorrect credentials."},
		{name: "nok, no password", call: apiCall{body: `{"email":"alice@example.com"}`},
			status: http.StatusBadRequest, code: "invalid_request", desc: "Missing credentials."},
		// Echo's router refuses the method before the endpoint runs.
		{name: "nok, GET", call: apiCall{method: http.MethodGet}, status: http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.call.path = apiTokenPath
			if tt.call.method == "" {
				tt.call.method = http.MethodPost
			}
			res := ta.api(t, tt.call)
			if got := res.header.Values("Set-Cookie"); len(got) != 0 {
				t.Errorf("the API set cookies: %q", got)
			}
			if got := res.header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control: got %q; want no-store", got)
			}
			switch {
			case tt.status == http.StatusOK:
			case tt.code == "":
				wantAPIError(t, res, tt.status, tt.desc)
				return
			default:
				wantTokenError(t, res, tt.status, tt.code, tt.desc)
				return
			}
			if res.status != http.StatusOK {
				t.Fatalf("got %d %s; want 200", res.status, res.body)
			}
			wantNoStore(t, res)
			pair := decodeJSON[tokenPair](t, res)
			if pair.AccessToken == "" || pair.RefreshToken == "" || pair.TokenType != "Bearer" || pair.ExpiresIn != 900 {
				t.Errorf("got %+v; want a Bearer pair of 900 s", pair)
			}
		})
	}
}

// TestAPITokenThrottled: the token endpoint checks passwords through the
// same local strategy and throttle as the logon form, so guessing on the
// API locks the account for browsers too, and the lock is a 429 with
// Retry-After.
func TestAPITokenThrottled(t *testing.T) {
	ta := newTestApp(t, Config{})
	ta.browser(t).register("Alice", "alice@example.com", testPassword)
	for i := range 10 {
		res := ta.api(t, apiCall{method: http.MethodPost, path: apiTokenPath, body: jsonCredentials("alice@example.com", "wrong password "+strconv.Itoa(i))})
		wantTokenError(t, res, http.StatusBadRequest, "invalid_grant", "Incorrect credentials.")
	}
	for _, pw := range []string{"wrong password", testPassword} {
		res := ta.api(t, apiCall{method: http.MethodPost, path: apiTokenPath, body: jsonCredentials("alice@example.com", pw)})
		wantTokenError(t, res, http.StatusTooManyRequests, "invalid_grant", "Too many attempts. Try again later.")
		if retry, err := strconv.Atoi(res.header.Get("Retry-After")); err != nil || retry < 1 {
			t.Errorf("Retry-After: got %q; want seconds", res.header.Get("Retry-After"))
		}
	}
	if res := ta.browser(t).logon("alice@example.com", testPassword); res.status != http.StatusTooManyRequests {
		t.Errorf("a browser during the lock: got %d; want 429", res.status)
	}
}

// TestAPITokenAudited: API logins reach the audit log as a route's do, a
// failure with the address tried, and no password does.
func TestAPITokenAudited(t *testing.T) {
	var logs syncBuffer
	ta := newTestApp(t, Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	ta.browser(t).register("Alice", "alice@example.com", testPassword)
	before := len(logs.String())
	wantTokenError(t, ta.api(t, apiCall{method: http.MethodPost, path: apiTokenPath, body: jsonCredentials("Alice@Example.com", "wrong password")}),
		http.StatusBadRequest, "invalid_grant", "Incorrect credentials.")
	ta.login(t, "alice@example.com", testPassword)

	var events []auditRecord
	for line := range strings.Lines(logs.String()[before:]) {
		var r auditRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if r.Event != "" {
			events = append(events, r)
		}
	}
	if len(events) != 2 || events[0].Event != "login_failed" || events[1].Event != "login" {
		t.Fatalf("audit events: got %+v; want login_failed, login\n%s", events, logs.String())
	}
	if f := events[0]; !strings.EqualFold(f.Username, "alice@example.com") {
		t.Errorf("login_failed: username %q; want the address tried", f.Username)
	}
	if l := events[1]; l.User != strconv.FormatInt(ta.userID(t, "alice@example.com"), 10) || l.Strategy != "local" {
		t.Errorf("login: got %+v; want Alice's key and strategy local", l)
	}
	if strings.Contains(logs.String(), "wrong password") || strings.Contains(logs.String(), testPassword) {
		t.Errorf("a password reached the log:\n%s", logs.String())
	}
}

// TestAPIRefreshRotation: each refresh returns a new pair, and the refresh
// token is kept in the database only as its hash.
func TestAPIRefreshRotation(t *testing.T) {
	ta := newTestApp(t, Config{})
	ta.browser(t).register("Alice", "alice@example.com", testPassword)
	first := ta.login(t, "alice@example.com", testPassword)

	for value, want := range map[string]int{first.RefreshToken: 0, jwt.HashRefreshToken(first.RefreshToken): 1} {
		var n int
		if err := ta.db.QueryRowContext(t.Context(), `SELECT count(*) FROM passport_jwt_refresh WHERE hash = ?`, value).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Errorf("rows holding %q: got %d; want %d (only the hash is stored)", value, n, want)
		}
	}

	res := ta.refresh(t, first.RefreshToken)
	if res.status != http.StatusOK {
		t.Fatalf("refresh: got %d %s; want 200", res.status, res.body)
	}
	second := decodeJSON[tokenPair](t, res)
	if second.RefreshToken == first.RefreshToken || second.AccessToken == "" {
		t.Fatalf("refresh did not rotate: %+v", second)
	}
	if res := ta.me(t, second.AccessToken); res.status != http.StatusOK {
		t.Errorf("me with the new access token: got %d; want 200", res.status)
	}
	// The second as a form, which readForm parses before the endpoint.
	res = ta.api(t, apiCall{method: http.MethodPost, path: apiRefreshPath,
		body: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {second.RefreshToken}}.Encode(), contentType: "application/x-www-form-urlencoded"})
	if res.status != http.StatusOK {
		t.Fatalf("second refresh: got %d %s; want 200", res.status, res.body)
	}
	wantNoStore(t, res)
	if third := decodeJSON[tokenPair](t, res); third.RefreshToken == second.RefreshToken {
		t.Error("second refresh did not rotate")
	}
}

// TestAPIRefreshReuse is reuse detection end to end on the demo: the
// rotated token presented again revokes the login, the token it was
// rotated to included, is logged as a security event, and leaves the
// user's other logins alone.
func TestAPIRefreshReuse(t *testing.T) {
	var logs syncBuffer
	ta := newTestApp(t, Config{Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	ta.browser(t).register("Alice", "alice@example.com", testPassword)
	stolen := ta.login(t, "alice@example.com", testPassword)
	otherDevice := ta.login(t, "alice@example.com", testPassword)

	res := ta.refresh(t, stolen.RefreshToken)
	if res.status != http.StatusOK {
		t.Fatalf("refresh: got %d; want 200", res.status)
	}
	rotated := decodeJSON[tokenPair](t, res)

	wantTokenError(t, ta.refresh(t, stolen.RefreshToken), http.StatusBadRequest, "invalid_grant", "invalid refresh token")
	wantTokenError(t, ta.refresh(t, rotated.RefreshToken), http.StatusBadRequest, "invalid_grant", "invalid refresh token")
	warned := 0
	for line := range strings.Lines(logs.String()) {
		var r struct{ Level, Msg string }
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if r.Level == "WARN" && strings.Contains(r.Msg, "refresh token reused") {
			warned++
		}
	}
	if warned != 1 {
		t.Errorf("got %d warnings of a reused refresh token; want 1 (the rotated token was revoked, not reused)\n%s", warned, logs.String())
	}

	rec, err := ta.tokenStore(t).GetRefresh(t.Context(), jwt.HashRefreshToken(rotated.RefreshToken))
	if err != nil {
		t.Fatal(err)
	}
	if rec.RevokedAt.IsZero() {
		t.Error("the family of the reused token is not revoked in the database")
	}
	// The login's access tokens are refused at once, not when they expire.
	wantTokenRevoked(t, ta.me(t, stolen.AccessToken))
	wantTokenRevoked(t, ta.me(t, rotated.AccessToken))
	if res := ta.me(t, otherDevice.AccessToken); res.status != http.StatusOK {
		t.Errorf("the user's other login's access token: got %d; want 200", res.status)
	}
	if res := ta.refresh(t, otherDevice.RefreshToken); res.status != http.StatusOK {
		t.Errorf("the user's other login: got %d; want 200", res.status)
	}
}

// TestAPIRefreshRace sends one refresh token twice at once: exactly one
// request rotates it.
func TestAPIRefreshRace(t *testing.T) {
	ta := newTestApp(t, Config{DB: filepath.Join(t.TempDir(), "demo.db")})
	ta.browser(t).register("Alice", "alice@example.com", testPassword)
	pair := ta.login(t, "alice@example.com", testPassword)
	const n = 6
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req, err := http.NewRequest(http.MethodPost, ta.srv.URL+apiRefreshPath, strings.NewReader(refreshJSON(pair.RefreshToken)))
			if err != nil {
				t.Error(err)
				return
			}
			req.Header.Set("Content-Type", "application/json")
			res, err := ta.srv.Client().Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			codes[i] = res.StatusCode
		})
	}
	wg.Wait()
	ok := 0
	for _, c := range codes {
		switch c {
		case http.StatusOK:
			ok++
		case http.StatusBadRequest: // invalid_grant
		default:
			t.Errorf("got status %d; want 200 or 400", c)
		}
	}
	if ok != 1 {
		t.Errorf("got %d successful refreshes of one token; want 1 (codes %v)", ok, codes)
	}
}

func TestAPIMe(t *testing.T) {
	ta := newTestApp(t, Config{})
	b := ta.browser(t)
	b.register("Alice", "alice@example.com", testPassword)
	pair := ta.login(t, "alice@example.com", testPassword)
	var aliceID string
	if err := ta.db.QueryRowContext(t.Context(), `SELECT CAST(id AS TEXT) FROM users WHERE email_key = 'alice@example.com'`).Scan(&aliceID); err != nil {
		t.Fatal(err)
	}
	want := apiUser{ID: aliceID, Name: "Alice", Email: "alice@example.com"}

	t.Run("ok, bearer token", func(t *testing.T) {
		res := ta.me(t, pair.AccessToken)
		if res.status != http.StatusOK {
			t.Fatalf("got %d %s; want 200", res.status, res.body)
		}
		if got := decodeJSON[apiUser](t, res); got != want {
			t.Errorf("got %+v; want %+v", got, want)
		}
	})
	t.Run("ok, logged-in browser session", func(t *testing.T) {
		res := b.api(apiCall{method: http.MethodGet, path: apiMePath})
		if res.status != http.StatusOK {
			t.Fatalf("got %d %s; want 200", res.status, res.body)
		}
		if got := decodeJSON[apiUser](t, res); got != want {
			t.Errorf("got %+v; want %+v", got, want)
		}
	})
	t.Run("nok, no credentials", func(t *testing.T) {
		res := ta.api(t, apiCall{method: http.MethodGet, path: apiMePath})
		wantAPIError(t, res, http.StatusUnauthorized, "")
		if got := res.header.Values("WWW-Authenticate"); len(got) != 1 || got[0] != `Bearer realm="api"` {
			t.Errorf("WWW-Authenticate: got %q; want %q", got, `Bearer realm="api"`)
		}
	})
	t.Run("nok, forged token", func(t *testing.T) {
		res := ta.me(t, pair.AccessToken[:len(pair.AccessToken)-4]+"AAAA")
		wantAPIError(t, res, http.StatusUnauthorized, "Invalid token.")
		if got := res.header.Get("WWW-Authenticate"); !strings.Contains(got, `error="invalid_token"`) {
			t.Errorf("WWW-Authenticate: got %q; want an invalid_token challenge", got)
		}
	})
	t.Run("nok, the refresh token as a bearer token", func(t *testing.T) {
		wantAPIError(t, ta.me(t, pair.RefreshToken), http.StatusUnauthorized, "Invalid token.")
	})
	t.Run("nok, a session logged off", func(t *testing.T) {
		other := ta.browser(t)
		other.logon("alice@example.com", testPassword)
		other.logoff()
		wantAPIError(t, other.api(apiCall{method: http.MethodGet, path: apiMePath}), http.StatusUnauthorized, "")
	})
	t.Run("nok, a deleted user", func(t *testing.T) {
		ta.browser(t).register("Bob", "bob@example.com", testPassword)
		bob := ta.login(t, "bob@example.com", testPassword)
		if _, err := ta.db.ExecContext(t.Context(), `DELETE FROM users WHERE email_key = 'bob@example.com'`); err != nil {
			t.Fatal(err)
		}
		wantAPIError(t, ta.me(t, bob.AccessToken), http.StatusUnauthorized, "Invalid token.")
	})
}

// TestAPISessionNotOnStateChangingRoutes: the browser's session cookie is
// never enough for an API route that changes state, which has no CSRF
// check.
func TestAPISessionNotOnStateChangingRoutes(t *testing.T) {
	ta := newTestApp(t, Config{})
	b := ta.browser(t)
	b.register("Alice", "alice@example.com", testPassword)
	pair := ta.login(t, "alice@example.com", testPassword)

	res := b.api(apiCall{method: http.MethodPost, path: apiLogoutPath, body: refreshJSON(pair.RefreshToken)})
	wantTokenError(t, res, http.StatusUnauthorized, "invalid_token", "Missing token.")
	if got := res.header.Get("WWW-Authenticate"); got != `Bearer realm="api"` {
		t.Errorf("WWW-Authenticate: got %q; want %q", got, `Bearer realm="api"`)
	}
	if res := ta.refresh(t, pair.RefreshToken); res.status != http.StatusOK {
		t.Errorf("the login was revoked by a cookie-only logout: refresh got %d", res.status)
	}
	// The token route wants the password, whatever the session.
	wantTokenError(t, b.api(apiCall{method: http.MethodPost, path: apiTokenPath, body: `{}`}), http.StatusBadRequest, "invalid_request", "Missing credentials.")
	if got := b.loggedOnAs(); got != "Alice" {
		t.Errorf("browser: logged on as %q; want Alice still", got)
	}
}

func TestAPILogout(t *testing.T) {
	ta := newTestApp(t, Config{})
	ta.browser(t).register("Alice", "alice@example.com", testPassword)
	ta.browser(t).register("Bob", "bob@example.com", testPassword)

	t.Run("ok, revokes the login", func(t *testing.T) {
		pair := ta.login(t, "alice@example.com", testPassword)
		ta.logout(t, pair.AccessToken, pair.RefreshToken)
		wantTokenError(t, ta.refresh(t, pair.RefreshToken), http.StatusBadRequest, "invalid_grant", "invalid refresh token")
		// Its access token is refused at once, not when it expires.
		wantTokenRevoked(t, ta.me(t, pair.AccessToken))
	})
	t.Run("ok, RFC 7009's token field, in a form", func(t *testing.T) {
		pair := ta.login(t, "alice@example.com", testPassword)
		res := ta.api(t, apiCall{method: http.MethodPost, path: apiLogoutPath, bearer: pair.AccessToken,
			body: url.Values{"token": {pair.RefreshToken}}.Encode(), contentType: "application/x-www-form-urlencoded"})
		if res.status != http.StatusOK || res.body != "" {
			t.Fatalf("got %d %q; want 200 with an empty body", res.status, res.body)
		}
		wantNoStore(t, res)
		wantTokenError(t, ta.refresh(t, pair.RefreshToken), http.StatusBadRequest, "invalid_grant", "invalid refresh token")
		wantTokenRevoked(t, ta.me(t, pair.AccessToken))
	})
	t.Run("ok, leaves the user's other logins alone", func(t *testing.T) {
		pair := ta.login(t, "alice@example.com", testPassword)
		other := ta.login(t, "alice@example.com", testPassword)
		ta.logout(t, pair.AccessToken, pair.RefreshToken)
		if res := ta.me(t, other.AccessToken); res.status != http.StatusOK {
			t.Errorf("other login's access token: got %d; want 200", res.status)
		}
	})
	// RFC 7009: a token that is not one of the caller's logins is answered
	// as a revoked one, 200, so that the answer tells nothing about it; it
	// is left alone.
	t.Run("ok but ignored, another user's refresh token", func(t *testing.T) {
		alice := ta.login(t, "alice@example.com", testPassword)
		bob := ta.login(t, "bob@example.com", testPassword)
		ta.logout(t, alice.AccessToken, bob.RefreshToken)
		if res := ta.me(t, bob.AccessToken); res.status != http.StatusOK {
			t.Errorf("bob's access token: got %d; want 200", res.status)
		}
		if res := ta.refresh(t, bob.RefreshToken); res.status != http.StatusOK {
			t.Errorf("bob's login: got %d; want 200", res.status)
		}
		if res := ta.me(t, alice.AccessToken); res.status != http.StatusOK {
			t.Errorf("alice's access token: got %d; want 200", res.status)
		}
	})
	t.Run("ok but ignored, an unknown refresh token", func(t *testing.T) {
		pair := ta.login(t, "alice@example.com", testPassword)
		ta.logout(t, pair.AccessToken, strings.Repeat("A", 43))
		if res := ta.refresh(t, pair.RefreshToken); res.status != http.StatusOK {
			t.Errorf("the caller's login: got %d; want 200", res.status)
		}
	})
	t.Run("nok, missing refresh_token", func(t *testing.T) {
		pair := ta.login(t, "alice@example.com", testPassword)
		res := ta.api(t, apiCall{method: http.MethodPost, path: apiLogoutPath, bearer: pair.AccessToken, body: `{}`})
		wantTokenError(t, res, http.StatusBadRequest, "invalid_request", "missing refresh_token")
		if res := ta.refresh(t, pair.RefreshToken); res.status != http.StatusOK {
			t.Errorf("the caller's login: got %d; want 200", res.status)
		}
	})
	t.Run("nok, a revoked access token", func(t *testing.T) {
		pair := ta.login(t, "alice@example.com", testPassword)
		ta.logout(t, pair.AccessToken, pair.RefreshToken)
		res := ta.api(t, apiCall{method: http.MethodPost, path: apiLogoutPath, bearer: pair.AccessToken, body: refreshJSON(pair.RefreshToken)})
		wantTokenError(t, res, http.StatusUnauthorized, "invalid_token", "Invalid token.")
		if got := res.header.Get("WWW-Authenticate"); !strings.Contains(got, `error_description="token revoked"`) {
			t.Errorf("WWW-Authenticate: got %q; want token revoked", got)
		}
	})
}

func TestAPIRequests(t *testing.T) {
	ta := newTestApp(t, Config{})
	form := "application/x-www-form-urlencoded"
	tests := []struct {
		name   string
		call   apiCall
		status int
		code   string // the token endpoint's error; "" for the demo's own JSON error
		desc   string
	}{
		{"nok, refresh without a body", apiCall{method: http.MethodPost, path: apiRefreshPath}, http.StatusUnsupportedMediaType,
			"invalid_request", "send application/json or application/x-www-form-urlencoded"},
		{"nok, refresh with broken JSON", apiCall{method: http.MethodPost, path: apiRefreshPath, body: `{"refresh_token":`}, http.StatusBadRequest,
			"invalid_request", "malformed JSON body"},
		{"nok, refresh with an unknown token", apiCall{method: http.MethodPost, path: apiRefreshPath, body: refreshJSON(strings.Repeat("A", 43))}, http.StatusBadRequest,
			"invalid_grant", "invalid refresh token"},
		{"nok, refresh body over 4 KiB", apiCall{method: http.MethodPost, path: apiRefreshPath, body: refreshJSON(strings.Repeat("A", 5000))}, http.StatusRequestEntityTooLarge,
			"invalid_request", "request body too large"},
		{"nok, refresh field twice in a form", apiCall{method: http.MethodPost, path: apiRefreshPath, body: "refresh_token=a&refresh_token=b", contentType: form}, http.StatusBadRequest,
			"invalid_request", "refresh_token sent more than once"},
		{"nok, refresh with another grant_type", apiCall{method: http.MethodPost, path: apiRefreshPath, body: "grant_type=password&refresh_token=a", contentType: form}, http.StatusBadRequest,
			"unsupported_grant_type", "grant_type must be refresh_token"},
		{"nok, DELETE /me", apiCall{method: http.MethodDelete, path: apiMePath}, http.StatusMethodNotAllowed, "", ""},
		{"nok, unknown API path", apiCall{method: http.MethodPost, path: "/api/v1/tokens"}, http.StatusNotFound, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ta.api(t, tt.call)
			if tt.code == "" {
				wantAPIError(t, res, tt.status, tt.desc)
				return
			}
			wantTokenError(t, res, tt.status, tt.code, tt.desc)
		})
	}
}

// TestAPISigningKey: the key is generated on the first run and kept in the
// database, so tokens survive a restart; the JWK Set publishes it and
// verifies the demo's tokens elsewhere.
func TestAPISigningKey(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	first := newTestApp(t, Config{DB: db})
	first.browser(t).register("Alice", "alice@example.com", testPassword)
	pair := first.login(t, "alice@example.com", testPassword)
	jwks := first.api(t, apiCall{method: http.MethodGet, path: jwksPath})
	if jwks.status != http.StatusOK || jwks.header.Get("Content-Type") != "application/json" {
		t.Fatalf("JWKS: got %d %q; want 200 application/json", jwks.status, jwks.header.Get("Content-Type"))
	}
	if got := jwks.header.Values("Set-Cookie"); len(got) != 0 {
		t.Errorf("the JWK Set response sets cookies: %q", got)
	}
	set := decodeJSON[struct {
		Keys []map[string]any `json:"keys"`
	}](t, jwks)
	if len(set.Keys) != 1 || set.Keys[0]["kty"] != "OKP" || set.Keys[0]["crv"] != "Ed25519" || set.Keys[0]["d"] != nil {
		t.Fatalf("got %s; want one public Ed25519 key", jwks.body)
	}

	// Another service verifies the token with nothing but the JWK Set.
	keys, err := jwt.NewRemoteKeySet(t.Context(), jwt.RemoteKeySetConfig{URL: first.srv.URL + jwksPath, Client: first.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	defer keys.Close()
	verifier, err := jwt.New(jwt.Config[string, *jwt.Claims]{
		Algorithms: []string{"EdDSA"},
		RemoteKeys: keys,
		Issuer:     apiIssuer,
		Audience:   []string{apiAudience},
		TokenTypes: []string{jwt.AccessTokenType},
		Verify:     func(_ context.Context, c *jwt.Claims) (string, error) { return c.Subject, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodGet, "/elsewhere", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+pair.AccessToken)
	if got, err := verifier.Authenticate(req); err != nil || got.Kind != strategy.KindSuccess {
		t.Errorf("verified through the JWK Set: got %v %v; want success", got.Kind, err)
	}

	first.stop(t)
	second := newTestApp(t, Config{DB: db})
	if res := second.me(t, pair.AccessToken); res.status != http.StatusOK {
		t.Errorf("access token after a restart: got %d; want 200", res.status)
	}
	if res := second.refresh(t, pair.RefreshToken); res.status != http.StatusOK {
		t.Errorf("refresh token after a restart: got %d; want 200", res.status)
	}
	if res := second.api(t, apiCall{method: http.MethodGet, path: jwksPath}); res.body != jwks.body {
		t.Errorf("JWK Set after a restart:\n%s\nwant\n%s", res.body, jwks.body)
	}
}

// wantTokenRevoked checks the 401 of a revoked access token.
func wantTokenRevoked(t *testing.T, res response) {
	t.Helper()
	if res.status != http.StatusUnauthorized {
		t.Fatalf("got %d %s; want 401", res.status, res.body)
	}
	if got := res.header.Get("WWW-Authenticate"); !strings.Contains(got, `error_description="token revoked"`) {
		t.Errorf("got WWW-Authenticate %q; want token revoked", got)
	}
}

// TestAPISubjectIsTheExactKey signs tokens with the demo's own key: a sub
// that parses as the same number as a user's ID ("01", "+1") is not that
// user. Users are looked up by the exact key the demo writes.
func TestAPISubjectIsTheExactKey(t *testing.T) {
	ta := newTestApp(t, Config{})
	ta.browser(t).register("Alice", "alice@example.com", testPassword)
	id := strconv.FormatInt(ta.userID(t, "alice@example.com"), 10)
	key, err := signingKey(t.Context(), ta.db)
	if err != nil {
		t.Fatal(err)
	}
	kid, err := keyID(key)
	if err != nil {
		t.Fatal(err)
	}
	mint := func(sub string) string {
		now := time.Now()
		tok := jwtlib.NewWithClaims(jwtlib.SigningMethodEdDSA, jwtlib.RegisteredClaims{
			Issuer: apiIssuer, Audience: jwtlib.ClaimStrings{apiAudience}, Subject: sub,
			IssuedAt: jwtlib.NewNumericDate(now), ExpiresAt: jwtlib.NewNumericDate(now.Add(time.Minute)),
		})
		tok.Header["typ"] = jwt.AccessTokenType
		tok.Header["kid"] = kid
		s, err := tok.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tests := []struct {
		name string
		sub  string
		ok   bool
	}{
		{name: "ok, the exact key", sub: id, ok: true},
		{name: "nok, leading zero", sub: "0" + id},
		{name: "nok, plus sign", sub: "+" + id},
		{name: "nok, leading space", sub: " " + id},
		{name: "nok, trailing newline", sub: id + "\n"},
		{name: "nok, underscore", sub: "_" + id},
		{name: "nok, negative zero prefix", sub: "-0" + id},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := ta.me(t, mint(tt.sub))
			if tt.ok {
				if res.status != http.StatusOK {
					t.Fatalf("got %d %s; want 200", res.status, res.body)
				}
				if got := decodeJSON[apiUser](t, res); got.ID != id {
					t.Errorf("got user %q; want %q", got.ID, id)
				}
				return
			}
			if res.status != http.StatusUnauthorized {
				t.Fatalf("got %d %s; want 401", res.status, res.body)
			}
		})
	}
}
