package session_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gopassport/passport/session"
)

// TestTampered checks that a cookie of the session's name that does not
// open is reported apart from no cookie and from a valid one.
func TestTampered(t *testing.T) {
	key, _ := session.GenerateKey()
	store, _ := session.NewCookieStore(key)
	mgr, _ := session.New(session.Config{Store: store})
	// A valid cookie, from a saved session.
	rec := httptest.NewRecorder()
	s := mgr.Bind(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	s.Set("k", "v")
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	valid := rec.Result().Cookies()[0]
	otherKey, _ := session.GenerateKey()
	otherStore, _ := session.NewCookieStore(otherKey)
	otherMgr, _ := session.New(session.Config{Store: otherStore})
	rec = httptest.NewRecorder()
	s = otherMgr.Bind(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	s.Set("k", "v")
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	foreign := rec.Result().Cookies()[0]

	for _, tt := range []struct {
		name   string
		cookie *http.Cookie
		want   bool
	}{
		{"ok, no cookie", nil, false},
		{"ok, a valid cookie", valid, false},
		{"nok, garbage", &http.Cookie{Name: "passport", Value: "!!not-a-cookie"}, true},
		{"nok, sealed with another key", foreign, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			if tt.cookie != nil {
				req.AddCookie(tt.cookie)
			}
			s := mgr.Bind(httptest.NewRecorder(), req)
			if s.Tampered() {
				t.Fatal("Tampered before Load; want false (it must not load)")
			}
			if err := s.Load(); err != nil {
				t.Fatal(err)
			}
			if got := s.Tampered(); got != tt.want {
				t.Errorf("got Tampered %v; want %v", got, tt.want)
			}
		})
	}
}
