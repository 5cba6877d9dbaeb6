package local

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
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

// FuzzCheckPassword feeds any stored hash to the hash parser and checker: it
// must never panic, fail only with ErrMalformedHash, and a hash that parses
// must be in canonical form. Hashes that parse but would be slow to check
// are only parsed. The seed corpus is in testdata/fuzz/FuzzCheckPassword.
func FuzzCheckPassword(f *testing.F) {
	f.Add("$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", "password")
	f.Add("$2a$04$0123456789012345678901uH9qD3xSphYnqMOGvlWhZeJIUQuv1m2", "password")

	f.Fuzz(func(t *testing.T, hash, password string) {
		var h Hasher
		ph, perr := parseArgon2id(hash, h.limits())
		if perr != nil && !errors.Is(perr, ErrMalformedHash) {
			t.Fatalf("parse: got %v; want nil or %v", perr, ErrMalformedHash)
		}
		if perr == nil {
			if got := encodeArgon2id(ph.params, ph.salt, ph.key); got != hash {
				t.Errorf("re-encoded: got %q; want %q", got, hash)
			}
			if ph.params.memory > 4096 || ph.params.iterations > 4 {
				return
			}
		}
		if isBcryptPrefix(hash) && len(hash) >= 6 {
			if cost, err := strconv.Atoi(hash[4:6]); err == nil && cost > 5 {
				return
			}
		}
		ok, err := h.Check(hash, password)
		switch {
		case err != nil && !errors.Is(err, ErrMalformedHash):
			t.Fatalf("Check: got %v; want nil or %v", err, ErrMalformedHash)
		case err != nil && ok:
			t.Errorf("Check: got ok with error %v", err)
		case perr == nil && err != nil:
			t.Errorf("Check of a hash that parses: got %v", err)
		case !isBcryptPrefix(hash) && perr != nil && err == nil:
			t.Errorf("Check of a hash that does not parse: got no error")
		}
	})
}

func isBcryptPrefix(hash string) bool { return strings.HasPrefix(hash, "$2") }
