package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzAPITokenBody posts arbitrary bodies to the two API routes that read
// a refresh token: the answer is never a 500 nor, for the logout with a
// valid access token, a 401; a refusal is an RFC 6749 JSON error, a logout
// of an unknown token RFC 7009's empty 200, every answer is kept out of
// caches, and the login stays intact.
func FuzzAPITokenBody(f *testing.F) {
	a, err := buildApp(context.Background(), Config{DB: memoryDB, hasher: cheapHasher(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = a.close() })
	if _, _, err := a.users.create(context.Background(), "Alice", "alice@example.com", mustHash(f, a)); err != nil {
		f.Fatal(err)
	}
	serve := func(method, path, contentType, body, bearer string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		rec := httptest.NewRecorder()
		a.e.ServeHTTP(rec, req)
		return rec
	}
	var pair tokenPair
	rec := serve(http.MethodPost, apiTokenPath, "application/json", jsonCredentials("alice@example.com", testPassword), "")
	if err := json.Unmarshal(rec.Body.Bytes(), &pair); err != nil || rec.Code != http.StatusOK {
		f.Fatalf("login: got %d %s", rec.Code, rec.Body)
	}

	f.Add("application/json", `{"refresh_token":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}`)
	f.Add("application/json; charset=utf-8", `{"refresh_token":null}`)
	f.Add("application/json", `{"refresh_token":["a","b"]} trailing`)
	f.Add("application/x-www-form-urlencoded", "refresh_token=%zz")
	f.Add("application/x-www-form-urlencoded", "refresh_token=a;b&refresh_token=c")
	f.Add("multipart/form-data; boundary=x", "--x\r\n")
	f.Add("", "\xff\xfe")
	f.Fuzz(func(t *testing.T, contentType, body string) {
		for _, r := range []struct{ path, bearer string }{{apiRefreshPath, ""}, {apiLogoutPath, pair.AccessToken}} {
			rec := serve(http.MethodPost, r.path, contentType, body, r.bearer)
			if got := rec.Header().Get("Cache-Control"); got != "no-store" {
				t.Fatalf("%s %q %q: Cache-Control %q; want no-store", r.path, contentType, body, got)
			}
			switch rec.Code {
			case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
			case http.StatusOK:
				if r.path != apiLogoutPath || rec.Body.Len() != 0 {
					t.Fatalf("%s %q %q: got 200 %q", r.path, contentType, body, rec.Body)
				}
				continue
			default:
				t.Fatalf("%s %q %q: got %d %s", r.path, contentType, body, rec.Code, rec.Body)
			}
			var e struct {
				Error       string `json:"error"`
				Description string `json:"error_description"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
				t.Fatalf("%s: body %q is not the RFC 6749 JSON error of a %d", r.path, rec.Body, rec.Code)
			}
		}
		rec := serve(http.MethodPost, apiRefreshPath, "application/json", refreshJSON(pair.RefreshToken), "")
		if rec.Code != http.StatusOK {
			t.Fatalf("the login was revoked by body %q: refresh got %d", body, rec.Code)
		}
		var next tokenPair
		if err := json.Unmarshal(rec.Body.Bytes(), &next); err != nil {
			t.Fatal(err)
		}
		pair = next
	})
}
