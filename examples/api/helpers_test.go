package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gopassport/passport/strategy/jwt"
	"github.com/gopassport/passport/strategy/password"
)

const (
	testIssuer   = "https://api.test"
	adaEmail     = "ada@example.com"
	adaPassword  = "correct horse battery staple"
	bobEmail     = "bob@example.com"
	bobPassword  = "tr0ub4dor&3"
	testAccessTT = 5 * time.Minute
)

// cheapHasher makes the tests fast; the app's default is argon2id with
// 19 MiB.
func cheapHasher() *password.Hasher { return &password.Hasher{Memory: 8, Iterations: 1} }

// testClock is a clock the tests move.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is the API with two users, a clock and a logger the test reads.
type fixture struct {
	t     testing.TB
	app   *app
	clock *testClock
	logs  *syncBuffer
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{t: t, clock: &testClock{t: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)}, logs: &syncBuffer{}}
	a, err := newApp(config{
		Issuer: testIssuer,
		Users: []seedUser{
			{ID: "1", Name: "Ada Lovelace", Email: adaEmail, Password: adaPassword},
			{ID: "2", Name: "Bob", Email: bobEmail, Password: bobPassword},
		},
		Hasher:    cheapHasher(),
		AccessTTL: testAccessTT,
		Now:       f.clock.now,
		Logger:    slog.New(slog.NewTextHandler(f.logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	f.app = a
	return f
}

// request describes one call of the API.
type request struct {
	method, path string
	body         string
	contentType  string // default application/json when body is set
	bearer       string
	header       http.Header
}

func (f *fixture) do(r request) *httptest.ResponseRecorder {
	f.t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req := httptest.NewRequest(r.method, r.path, body)
	switch {
	case r.contentType != "":
		req.Header.Set("Content-Type", r.contentType)
	case r.body != "":
		req.Header.Set("Content-Type", "application/json")
	}
	if r.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+r.bearer)
	}
	for k, vs := range r.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	rec := httptest.NewRecorder()
	f.app.e.ServeHTTP(rec, req)
	return rec
}

// login gets a token pair for email and password, failing the test on
// anything but a 200.
func (f *fixture) login(email, password string) jwt.TokenPair {
	f.t.Helper()
	rec := f.do(request{method: http.MethodPost, path: tokenPath, body: credentials(email, password)})
	if rec.Code != http.StatusOK {
		f.t.Fatalf("login: got %d %s; want 200", rec.Code, rec.Body)
	}
	wantNoStore(f.t, rec)
	return decode[jwt.TokenPair](f.t, rec)
}

// refresh posts a refresh token.
func (f *fixture) refresh(tok string) *httptest.ResponseRecorder {
	f.t.Helper()
	return f.do(request{method: http.MethodPost, path: refreshPath, body: refreshBody(tok)})
}

// logout posts a refresh token to the logout route with an access token.
func (f *fixture) logout(access, refresh string) *httptest.ResponseRecorder {
	f.t.Helper()
	return f.do(request{method: http.MethodPost, path: logoutPath, bearer: access, body: refreshBody(refresh)})
}

// wantLoggedOut checks logout's answer to a request it accepted: RFC
// 7009's 200 with an empty body, whether or not a login was revoked.
func wantLoggedOut(t testing.TB, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code != http.StatusOK || rec.Body.Len() != 0 {
		t.Fatalf("logout: got %d %q; want 200 with an empty body", rec.Code, rec.Body)
	}
	wantNoStore(t, rec)
}

// me gets /api/v1/me with an access token.
func (f *fixture) me(access string) *httptest.ResponseRecorder {
	f.t.Helper()
	return f.do(request{method: http.MethodGet, path: mePath, bearer: access})
}

func credentials(email, password string) string {
	b, _ := json.Marshal(map[string]string{"email": email, "password": password})
	return string(b)
}

func refreshBody(tok string) string {
	b, _ := json.Marshal(map[string]string{"refresh_token": tok})
	return string(b)
}

// decode reads the JSON body of rec as a T, checking its content type.
func decode[T any](t testing.TB, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type: got %q; want application/json", ct)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	return v
}

// wantError checks that rec is the JSON error {"error": msg, "status":
// code}; an empty msg accepts any message.
func wantError(t testing.TB, rec *httptest.ResponseRecorder, code int, msg string) {
	t.Helper()
	if rec.Code != code {
		t.Fatalf("status: got %d; want %d (body %s)", rec.Code, code, rec.Body)
	}
	got := decode[errorBody](t, rec)
	if got.Status != code {
		t.Errorf("status field: got %d; want %d", got.Status, code)
	}
	if got.Error == "" || (msg != "" && got.Error != msg) {
		t.Errorf("error field: got %q; want %q", got.Error, msg)
	}
}

// tokenErrorBody is an RFC 6749 section 5.2 error: the refusals of the
// library's token endpoints (token, refresh, logout).
type tokenErrorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// wantTokenError checks that rec is a token endpoint's refusal: status,
// the RFC 6749 JSON body with code as its "error" (an empty code accepts
// any) and the headers that keep it out of caches. It returns the body
// for the caller's checks of the description.
func wantTokenError(t testing.TB, rec *httptest.ResponseRecorder, status int, code string) tokenErrorBody {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status: got %d; want %d (body %s)", rec.Code, status, rec.Body)
	}
	wantNoStore(t, rec)
	got := decode[tokenErrorBody](t, rec)
	if got.Error == "" || (code != "" && got.Error != code) {
		t.Errorf("error field: got %q; want %q (body %s)", got.Error, code, rec.Body)
	}
	return got
}

// wantInvalidGrant checks the refusal of a refresh token that cannot be
// used, whatever the reason: the same 400 invalid_grant for all, so that
// the answer tells a thief nothing.
func wantInvalidGrant(t testing.TB, rec *httptest.ResponseRecorder) {
	t.Helper()
	got := wantTokenError(t, rec, http.StatusBadRequest, "invalid_grant")
	if got.Description != "invalid refresh token" {
		t.Errorf("error_description: got %q; want %q", got.Description, "invalid refresh token")
	}
}

// wantNoStore checks that rec may not be cached (RFC 6749 section 5.1):
// it carries tokens, or answers a request that carried one.
func wantNoStore(t testing.TB, rec *httptest.ResponseRecorder) {
	t.Helper()
	if got := rec.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control: got %q; want %q", got, "no-store")
	}
	if got := rec.Header().Get("Pragma"); got != "no-cache" {
		t.Errorf("Pragma: got %q; want %q", got, "no-cache")
	}
}

// syncBuffer is a strings.Builder that a logger and the test can use at
// once.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
