package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
)

// TestQuickstart runs the README's example: wrong password 401, right
// password logs in, the cookie then opens "/".
func TestQuickstart(t *testing.T) {
	e := newApp()
	post := func(password string) *httptest.ResponseRecorder {
		form := url.Values{"username": {"alice"}, "password": {password}}
		req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		return rec
	}
	if rec := post("wrong"); rec.Code != http.StatusUnauthorized {
		t.Fatalf("wrong password: got %d; want 401", rec.Code)
	}
	rec := post("correct horse")
	// The session cookie and the local strategy's device cookie.
	if rec.Code != http.StatusFound || len(rec.Result().Cookies()) != 2 {
		t.Fatalf("login: got %d with %d cookies; want 302, a session cookie and a device cookie", rec.Code, len(rec.Result().Cookies()))
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Body.String() != "Hello, alice" {
		t.Errorf("got %d %q; want 200 %q", rec.Code, rec.Body.String(), "Hello, alice")
	}
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("anonymous: got %d; want 401", rec.Code)
	}
}

// TestReadmeShowsThisFile keeps the README's example in sync with this
// compiled, tested program.
func TestReadmeShowsThisFile(t *testing.T) {
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "```go\n"+string(src)+"```\n") {
		t.Error("README.md's example differs from examples/quickstart/main.go: paste the file into the README's first go block")
	}
}
