package sqlstore_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gopassport/passport/session"
)

// TestTampered checks that the manager tells a cookie that does not open
// (forged, another key, a malformed ID) from one whose record is gone.
func TestTampered(t *testing.T) {
	forEachBackend(t, func(t *testing.T, _ backend, fx fixture) {
		e := newEnv(t, fx)
		valid := e.set("k", "v")
		goneID, err := session.NewID()
		if err != nil {
			t.Fatal(err)
		}
		for _, tt := range []struct {
			name   string
			cookie *http.Cookie
			want   bool
		}{
			{"ok, no cookie", nil, false},
			{"ok, a valid cookie", valid, false},
			{"ok, a record that is gone", seal(t, e.key, cookieName, goneID), false},
			{"nok, garbage", &http.Cookie{Name: cookieName, Value: "!!garbage"}, true},
			{"nok, sealed with another key", seal(t, newKey(t), cookieName, goneID), true},
			{"nok, a malformed ID", seal(t, e.key, cookieName, "not an id"), true},
		} {
			t.Run(tt.name, func(t *testing.T) {
				req := httptest.NewRequest(http.MethodGet, "/", nil)
				if tt.cookie != nil {
					req.AddCookie(tt.cookie)
				}
				s := e.mgr.Bind(httptest.NewRecorder(), req)
				if err := s.Load(); err != nil {
					t.Fatal(err)
				}
				if got := s.Tampered(); got != tt.want {
					t.Errorf("got Tampered %v; want %v", got, tt.want)
				}
			})
		}
	})
}
