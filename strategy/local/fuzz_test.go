package local

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/gopassport/passport/strategy"
)

// FuzzCredentials feeds any content type and body to the strategy: it must
// never panic nor return an error, and the outcome is a fail or a success.
// The seed corpus is in testdata/fuzz/FuzzCredentials.
func FuzzCredentials(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", []byte("username=alice&password=s3cret"))
	f.Add("application/json", []byte(`{"username":"alice","password":"s3cret"}`))

	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		verify := func(_ context.Context, username, password string) (string, error) {
			switch {
			case strings.TrimSpace(username) == "" || password == "":
				t.Errorf("Verify called with an empty credential: %q, %q", username, password)
			case len(username) > DefaultMaxUsernameBytes || len(password) > DefaultMaxPasswordBytes:
				t.Errorf("Verify called with oversized credentials: %d, %d bytes", len(username), len(password))
			case !utf8.ValidString(username) || strings.ContainsFunc(username, unicode.IsControl):
				t.Errorf("Verify called with username %q", username)
			}
			if username == "alice" && password == "s3cret" {
				return "alice", nil
			}
			return "", strategy.ErrInvalidCredentials
		}
		s, err := New(Config[string]{Verify: verify, MaxBodyBytes: 4096})
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest(http.MethodPost, "/login", bytes.NewReader(body))
		r.Header.Set("Content-Type", contentType)

		res, err := s.Authenticate(r)
		if err != nil {
			t.Fatalf("Authenticate: got error %v; want a fail or a success", err)
		}
		switch res.Kind {
		case strategy.KindSuccess:
			if res.User != "alice" {
				t.Errorf("user: got %q; want %q", res.User, "alice")
			}
		case strategy.KindFail:
			switch res.FailStatus() {
			case http.StatusBadRequest, http.StatusUnauthorized, http.StatusRequestEntityTooLarge:
			default:
				t.Errorf("status: got %d; want 400, 401 or 413", res.FailStatus())
			}
			if res.Reason == nil {
				t.Errorf("reason: got nil; want a sentinel")
			}
		default:
			t.Errorf("kind: got %q; want fail or success", res.Kind)
		}
	})
}
