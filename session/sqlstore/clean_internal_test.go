package sqlstore

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCleanText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "ok, short ASCII", in: "Mozilla/5.0", want: "Mozilla/5.0"},
		{name: "ok, exactly 256 bytes", in: strings.Repeat("a", 256), want: strings.Repeat("a", 256)},
		{name: "ok, cut to 256 bytes", in: strings.Repeat("a", 300), want: strings.Repeat("a", 256)},
		{name: "ok, cut before a split character", in: strings.Repeat("a", 255) + "é", want: strings.Repeat("a", 255)},
		{name: "ok, invalid UTF-8 replaced", in: "a\xffb", want: "a\uFFFDb"},
		{name: "ok, NUL dropped", in: "a\x00b", want: "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cleanText(tt.in, maxText); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
}

// FuzzCleanText: whatever a client sends as its User-Agent, the stored
// text is valid UTF-8 without NUL (which PostgreSQL's TEXT refuses) and at
// most 256 bytes, and a clean short value is kept as it is.
func FuzzCleanText(f *testing.F) {
	f.Add("Mozilla/5.0 (X11; Linux x86_64)")
	f.Add(strings.Repeat("é", 200))
	f.Add("\xff\xfe\x00abc")
	f.Fuzz(func(t *testing.T, in string) {
		got := cleanText(in, maxText)
		if !utf8.ValidString(got) || strings.IndexByte(got, 0) >= 0 || len(got) > maxText {
			t.Fatalf("cleanText(%q) = %q: want valid UTF-8, no NUL, at most %d bytes", in, got, maxText)
		}
		if utf8.ValidString(in) && strings.IndexByte(in, 0) < 0 && len(in) <= maxText && got != in {
			t.Fatalf("cleanText(%q) = %q; want it unchanged", in, got)
		}
	})
}
