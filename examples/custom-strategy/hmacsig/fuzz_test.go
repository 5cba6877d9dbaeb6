package hmacsig

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gopassport/passport/strategy"
	"github.com/gopassport/passport/strategy/strategytest"
)

// FuzzParseSignature checks that any header either parses into a
// well-formed signature or is refused as malformed, and that what Sign
// writes always parses back.
func FuzzParseSignature(f *testing.F) {
	for _, seed := range []string{
		"t=1767323045,v1=6e4db4169bfe9cbd2c068aa668cf5d4accd300ced47cb13a3d4b3f6e21e12505",
		" t=1 , v1=" + strings.Repeat("ab", 32) + " ,v0=x",
		"v1=" + strings.Repeat("00", 32) + ",t=0",
		"t=1,t=2,v1=" + strings.Repeat("00", 32),
		"t=-1,v1=00",
		"t=99999999999999999999,v1=",
		",,,=,==,",
		"",
		"\x00\xff",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		sig, err := parseSignature(header)
		if err != nil {
			if !errors.Is(err, strategy.ErrMalformedCredentials) {
				t.Fatalf("got error %v; want one wrapping %v", err, strategy.ErrMalformedCredentials)
			}
			return
		}
		if len(header) > MaxSignatureHeaderBytes {
			t.Fatalf("got a signature from a header of %d bytes; want a refusal", len(header))
		}
		if sig.t == "" || len(sig.t) > maxTimestampDigits || sig.at.Unix() < 0 {
			t.Fatalf("got timestamp %q (%v); want 1 to %d digits", sig.t, sig.at, maxTimestampDigits)
		}
		if len(sig.macs) == 0 || len(sig.macs) > MaxSignatures {
			t.Fatalf("got %d signatures; want 1 to %d", len(sig.macs), MaxSignatures)
		}
		for _, m := range sig.macs {
			if len(m) != 32 {
				t.Fatalf("got a signature of %d bytes; want 32", len(m))
			}
		}

		// Sign's output parses back to its own time, for any body.
		at := time.Unix(int64(len(header))*1_000_003, 0)
		back, err := parseSignature(Sign([]byte("k"), []byte(header), at))
		if err != nil || !back.at.Equal(at) || len(back.macs) != 1 {
			t.Fatalf("Sign's output does not parse back: %+v, %v", back, err)
		}
	})
}

// FuzzAuthenticate sends any signature header, sender and body: the
// outcome is always a well-formed result and no error, and a success only
// ever comes with the right signature.
func FuzzAuthenticate(f *testing.F) {
	secret := []byte("fuzz secret")
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	f.Add(Sign(secret, []byte(`{"id":42}`), now), "acme", []byte(`{"id":42}`))
	f.Add(Sign(secret, []byte(`{"id":42}`), now), "acme", []byte(`{"id":43}`))
	f.Add("t=1767323045,v1=zz", "acme", []byte(nil))
	f.Add("", "", []byte("x"))
	f.Add(Sign(secret, nil, now.Add(-time.Hour)), "acme", []byte(nil))
	f.Add(Sign(secret, nil, now), "nobody", []byte(nil))
	s, err := New(Config[string]{
		Lookup: func(_ context.Context, id string) (string, []byte, error) {
			if id != "acme" {
				return "", nil, strategy.ErrUserNotFound
			}
			return id, secret, nil
		},
		MaxBodyBytes: 1 << 10,
		Now:          func() time.Time { return now },
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, signature, sender string, body []byte) {
		b := strategytest.NewRequest("POST", "/").Body("application/json", body)
		if signature != "" {
			b.Header(DefaultSignatureHeader, signature)
		}
		if sender != "" {
			b.Header(DefaultSenderHeader, sender)
		}
		o := strategytest.Run(t, s, b.Build())
		if o.Err != nil {
			t.Fatalf("got error %v; want an outcome", o.Err)
		}
		if err := strategytest.Validate(o.Result); err != nil {
			t.Fatalf("got %s: %v", o, err)
		}
		if o.Result.Kind == strategy.KindSuccess {
			sig, err := parseSignature(signature)
			if err != nil {
				t.Fatalf("got success with a malformed signature: %v", err)
			}
			want := mac(secret, sig.t, body)
			if sender != "acme" || !slices.ContainsFunc(sig.macs, func(m []byte) bool { return bytes.Equal(m, want) }) {
				t.Fatalf("got success for sender %q and signature %q; want the signature %x", sender, signature, want)
			}
		}
	})
}
