package apikey

import (
	"context"
	"errors"
	"testing"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/strategytest"
)

// FuzzExtract checks that any X-API-Key header, Authorization header and
// query string give, without a panic, either a key that fits the limits or
// a missing or malformed error; and that the strategy gives a well-formed
// outcome, never an error, for them.
func FuzzExtract(f *testing.F) {
	for _, seed := range [][3]string{
		{"", "", ""},
		{"pk_abc", "", ""},
		{"", "ApiKey pk_abc", ""},
		{"", "apikey   pk_abc  ", ""},
		{"", "Basic YTpi", "api_key=pk_abc"},
		{"", "", "api_key=pk_abc&api_key=pk_def"},
		{"pk_a b", "", ""},
		{"", "ApiKey", "api_key=%ff%00"},
		{" ", "", "api_key=&x=%zz"},
		{"pk_\x00\xff", "ApiKey \x7f", "api_key=a;b"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	const maxKey = 64
	s, err := New(Config[string]{Scheme: "ApiKey", QueryParam: "api_key", MaxKeyBytes: maxKey,
		Verify: func(_ context.Context, key string) (string, error) {
			if key == "pk_abc" {
				return "alice", nil
			}
			return "", strategy.ErrInvalidCredentials
		}})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, header, authorization, query string) {
		b := strategytest.NewRequest("GET", "/")
		if header != "" {
			b.Header("X-API-Key", header)
		}
		if authorization != "" {
			b.Header("Authorization", authorization)
		}
		r := b.Build()
		// Set the raw query directly: url.Parse would refuse control
		// characters that a lenient front end might still pass on.
		r.URL.RawQuery = query

		key, err := s.extract(r)
		switch {
		case err != nil:
			if !errors.Is(err, strategy.ErrMissingCredentials) && !errors.Is(err, strategy.ErrMalformedCredentials) {
				t.Fatalf("got %v; want a missing or malformed error", err)
			}
		case key == "" || len(key) > maxKey:
			t.Fatalf("got a key of %d bytes; want 1 to %d", len(key), maxKey)
		default:
			for i := range len(key) {
				if key[i] < 0x21 || key[i] > 0x7e {
					t.Fatalf("got key %q; want visible ASCII only", key)
				}
			}
		}

		o := strategytest.Run(t, s, r)
		if o.Err != nil || strategytest.Validate(o.Result) != nil {
			t.Fatalf("got %s; want a well-formed outcome", o)
		}
		if o.Result.Kind == strategy.KindFail && o.Result.Challenge != s.Challenge() {
			t.Fatalf("got challenge %q; want %q", o.Result.Challenge, s.Challenge())
		}
	})
}
