package basic

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/strategytest"
)

// FuzzParseAuthorization checks that any Authorization value parses without
// a panic into either valid credentials, which encode back to the same
// credentials, or a missing or malformed error; and that the strategy gives
// a well-formed outcome and never an error for it.
func FuzzParseAuthorization(f *testing.F) {
	for _, seed := range []string{
		"", "Basic", "Basic ", "Basic YWxpY2U6czNjcmV0", "basic YWxpY2U6czNjcmV0", "Basic Og==",
		"Basic YWxpY2U=", "Basic !!!!", "Basic YWxpY2U6czNjcmV0\n", "Bearer abc", "Basic  YTpiOmM=",
		"Basic " + base64.StdEncoding.EncodeToString([]byte("j\xc3\xb6hn:p\x00w")),
	} {
		f.Add(seed)
	}
	s, err := New(Config[string]{Verify: StaticUsers(map[string]string{"alice": "s3cret"})})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, value string) {
		username, password, err := parseAuthorization([]string{value})
		if err != nil {
			if !errors.Is(err, strategy.ErrMissingCredentials) && !errors.Is(err, strategy.ErrMalformedCredentials) {
				t.Fatalf("got %v; want a missing or malformed error", err)
			}
		} else {
			switch {
			case username == "" || strings.Contains(username, ":"):
				t.Fatalf("got username %q; want a non-empty one without a colon", username)
			case len(username) > MaxUsernameBytes || len(password) > MaxPasswordBytes:
				t.Fatalf("got lengths %d and %d; want at most %d and %d", len(username), len(password), MaxUsernameBytes, MaxPasswordBytes)
			case !utf8.ValidString(username) || !utf8.ValidString(password):
				t.Fatalf("got %q:%q; want UTF-8", username, password)
			case strings.ContainsFunc(username+password, isControl):
				t.Fatalf("got %q:%q; want no control characters", username, password)
			}
			again := "Basic " + base64.StdEncoding.EncodeToString([]byte(username+":"+password))
			u2, p2, err := parseAuthorization([]string{again})
			if err != nil || u2 != username || p2 != password {
				t.Fatalf("got %q, %q, %v after encoding again; want %q, %q, nil", u2, p2, err, username, password)
			}
		}

		r := strategytest.NewRequest("GET", "/").Context(context.Background()).Header("Authorization", value).Build()
		o := strategytest.Run(t, s, r)
		if o.Err != nil || strategytest.Validate(o.Result) != nil {
			t.Fatalf("got %s; want a well-formed outcome", o)
		}
		if o.Result.Kind == strategy.KindFail && o.Result.Challenge != s.Challenge() {
			t.Fatalf("got challenge %q; want %q", o.Result.Challenge, s.Challenge())
		}
	})
}
