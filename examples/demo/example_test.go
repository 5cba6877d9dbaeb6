package main

// A command cannot be imported, so its examples live in package main.

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
)

// Example_newApp runs the demo in-process, as its tests do: an in-memory
// database and the Echo server behind httptest.
func Example_newApp() {
	e, closeApp, err := newApp(context.Background(), Config{DB: ":memory:"})
	if err != nil {
		log.Fatal(err)
	}
	defer closeApp()

	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	fmt.Println(rec.Code, strings.Contains(rec.Body.String(), "Nobody is logged on."))

	// A form posted without its CSRF token is refused, whatever it holds.
	form := url.Values{"email": {"ada@example.com"}, "password": {"correct horse battery"}}
	req := httptest.NewRequest(http.MethodPost, "/sessions/logon", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec = httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output:
	// 200 true
	// 403
}

// Example_checkSecretWord shows the lesson's rule: any word but one that
// starts with a P.
func Example_checkSecretWord() {
	for _, w := range []string{"syzygy", "Pizza", ""} {
		if msg := checkSecretWord(w); msg != "" {
			fmt.Printf("%q: %s\n", w, msg)
			continue
		}
		fmt.Printf("%q: ok\n", w)
	}
	// Output:
	// "syzygy": ok
	// "Pizza": Sorry, your secret word can't start with P.
	// "": The secret word can't be empty.
}
