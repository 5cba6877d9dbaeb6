package password

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// FuzzCheck feeds any stored hash to the hash parser and checker: it must
// never panic, fail only with ErrMalformedHash, and a hash that parses must
// be in canonical form. Hashes that parse but would be slow to check are
// only parsed. The seed corpus is in testdata/fuzz/FuzzCheck.
func FuzzCheck(f *testing.F) {
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
