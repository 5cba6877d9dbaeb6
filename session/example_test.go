package session_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gopassport/passport/session"
)

// A session over the sealed cookie store, used from plain net/http.
func Example() {
	key, err := session.GenerateKey() // keep it secret and stable
	if err != nil {
		panic(err)
	}
	store, err := session.NewCookieStore(key)
	if err != nil {
		panic(err)
	}
	mgr, err := session.New(session.Config{Store: store})
	if err != nil {
		panic(err)
	}
	h := mgr.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := session.FromContext(r.Context())
		visits, _ := s.Get("visits")
		visits += "*"
		s.Set("visits", visits)
		fmt.Fprint(w, visits)
	}))

	var cookie *http.Cookie
	for range 3 {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if cookie != nil {
			req.AddCookie(cookie)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		cookie = rec.Result().Cookies()[0]
		fmt.Println(rec.Body.String(), cookie.HttpOnly, cookie.SameSite == http.SameSiteLaxMode)
	}
	// Output:
	// * true true
	// ** true true
	// *** true true
}

// Key rotation: the first key seals, every key opens.
func ExampleNewCookieStore_rotation() {
	oldKey, _ := session.GenerateKey()
	newKey, _ := session.GenerateKey()
	_, err := session.NewCookieStore(newKey, oldKey)
	fmt.Println(err)
	_, err = session.NewCookieStore([]byte("too short"))
	fmt.Println(err)
	// Output:
	// <nil>
	// session: key missing or shorter than 32 bytes (key 0 has 9 bytes)
}

// Flash messages survive one redirect and are shown once.
func ExampleSession_AddFlash() {
	key, _ := session.GenerateKey()
	store, _ := session.NewCookieStore(key)
	mgr, _ := session.New(session.Config{Store: store})

	rec := httptest.NewRecorder()
	s := mgr.Bind(rec, httptest.NewRequest(http.MethodPost, "/login", nil))
	s.AddFlash("error", "Incorrect credentials.")
	if err := s.Save(); err != nil {
		panic(err)
	}

	req := httptest.NewRequest(http.MethodGet, "/login", nil)
	req.AddCookie(rec.Result().Cookies()[0])
	s = mgr.Bind(httptest.NewRecorder(), req)
	fmt.Println(s.Flashes("error"))
	fmt.Println(s.Flashes("error"))
	// Output:
	// [Incorrect credentials.]
	// []
}
