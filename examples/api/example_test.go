package main

// A command cannot be imported, so its examples live in package main.

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
)

// Example_newApp runs the API in-process: log in, call /api/v1/me with the
// access token, rotate the refresh token, then present the old one again:
// the token endpoints refuse it with RFC 6749's invalid_grant and revoke
// the whole login, so its access token is refused at once.
func Example_newApp() {
	a, err := newApp(config{
		Issuer: "https://api.example.com",
		Users:  []seedUser{{ID: "1", Name: "Ada Lovelace", Email: "ada@example.com", Password: "correct horse battery staple"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	call := func(method, path, bearer, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		rec := httptest.NewRecorder()
		a.e.ServeHTTP(rec, req)
		return rec
	}
	var pair struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}

	rec := call(http.MethodPost, "/api/v1/token", "", `{"email":"ada@example.com","password":"correct horse battery staple"}`)
	if err := json.Unmarshal(rec.Body.Bytes(), &pair); err != nil {
		log.Fatal(err)
	}
	fmt.Println("login:", rec.Code)

	rec = call(http.MethodGet, "/api/v1/me", pair.AccessToken, "")
	fmt.Println("me:", rec.Code, strings.TrimSpace(rec.Body.String()))

	rec = call(http.MethodGet, "/api/v1/me", "", "")
	fmt.Println("me without a token:", rec.Code, rec.Header().Get("WWW-Authenticate"))

	first := pair.RefreshToken
	rec = call(http.MethodPost, "/api/v1/token/refresh", "", `{"refresh_token":"`+first+`"}`)
	fmt.Println("refresh:", rec.Code)

	rec = call(http.MethodPost, "/api/v1/token/refresh", "", `{"refresh_token":"`+first+`"}`)
	fmt.Println("reuse:", rec.Code, strings.TrimSpace(rec.Body.String()))

	rec = call(http.MethodGet, "/api/v1/me", pair.AccessToken, "")
	fmt.Println("me after the reuse:", rec.Code, rec.Header().Get("WWW-Authenticate"))
	// Output:
	// login: 200
	// me: 200 {"id":"1","name":"Ada Lovelace","email":"ada@example.com"}
	// me without a token: 401 Bearer realm="api"
	// refresh: 200
	// reuse: 400 {"error":"invalid_grant","error_description":"invalid refresh token"}
	// me after the reuse: 401 Bearer realm="api", error="invalid_token", error_description="token revoked"
}
