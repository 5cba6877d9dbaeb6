package session_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gopassport/passport/session"
)

// TestSealedIDs reads an ID only out of a cookie this key sealed, holding
// a well-formed ID.
func TestSealedIDs(t *testing.T) {
	ids, err := session.NewSealedIDs(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	other, err := session.NewSealedIDs(bytes.Repeat([]byte{2}, 32))
	if err != nil {
		t.Fatal(err)
	}
	id, err := session.NewID()
	if err != nil {
		t.Fatal(err)
	}
	seal := func(s *session.SealedIDs, name, v string) string {
		out, err := s.Seal(name, v)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	tests := []struct {
		name   string
		cookie string // "" for none
		wantOK bool
	}{
		{"ok, sealed here", seal(ids, "passport", id), true},
		{"nok, no cookie", "", false},
		{"nok, the bare ID", id, false},
		{"nok, sealed under another key", seal(other, "passport", id), false},
		{"nok, sealed for another cookie name", seal(ids, "other", id), false},
		{"nok, sealed, not an ID", seal(ids, "passport", "short"), false},
		{"nok, garbage", "%%%", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tt.cookie != "" {
				r.AddCookie(&http.Cookie{Name: "passport", Value: tt.cookie})
			}
			got, ok := ids.Read(r, "passport")
			if ok != tt.wantOK || (ok && got != id) {
				t.Errorf("Read = %q, %v; want %v", got, ok, tt.wantOK)
			}
			if tt.cookie != "" {
				if err := ids.Check("passport", tt.cookie); (err == nil) != tt.wantOK {
					t.Errorf("Check = %v; want ok %v", err, tt.wantOK)
				}
			}
		})
	}
	if err := ids.Check("passport", seal(ids, "passport", "short")); !errors.Is(err, session.ErrInvalidCookie) {
		t.Errorf("Check of a sealed non-ID = %v; want ErrInvalidCookie", err)
	}
}
