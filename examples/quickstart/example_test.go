package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
)

// Example runs the README's program in-process: log in as alice, then
// open the page that needs a login.
func Example() {
	e := newApp()

	form := url.Values{"username": {"alice"}, "password": {"correct horse"}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Location"))

	req = httptest.NewRequest(http.MethodGet, "/", nil)
	for _, c := range rec.Result().Cookies() { // as a browser sends them back
		req.AddCookie(c)
	}
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 302 /
	// 200 Hello, alice
}
