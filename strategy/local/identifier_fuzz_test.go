package local

import (
	"strings"
	"testing"
	"unicode"
)

// FuzzCanonicalIdentifier checks that both canonicalisers are idempotent
// (a canonical form canonicalises to itself) and that no control, format or
// bidi control character, and no space, survives. The seed corpus is in
// testdata/fuzz/FuzzCanonicalIdentifier.
func FuzzCanonicalIdentifier(f *testing.F) {
	for _, s := range []string{"alice", "ａｌｉｃｅ", "alice\u0301", "alıce", "alice\u202eecila", "Alice@Bücher.example", "\u05e9\u05dc@example.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for name, canon := range map[string]CanonicalizeFunc{"CanonicalUsername": CanonicalUsername, "CanonicalEmail": CanonicalEmail} {
			out, err := canon(in)
			if err != nil {
				continue
			}
			if strings.ContainsFunc(out, func(r rune) bool { return forbiddenRune(r) || unicode.IsSpace(r) }) {
				t.Errorf("%s(%q) = %q holds a forbidden character", name, in, out)
			}
			again, err := canon(out)
			if err != nil {
				t.Errorf("%s(%q) = %q, which it refuses: %v", name, in, out, err)
				continue
			}
			if again != out {
				t.Errorf("%s is not idempotent: %q → %q → %q", name, in, out, again)
			}
		}
	})
}
