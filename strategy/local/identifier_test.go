package local_test

import (
	"errors"
	"testing"

	"github.com/gopassport/passport/strategy/local"
)

func TestCanonicalUsername(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ok, already canonical", "alice", "alice"},
		{"ok, upper case", "Alice", "alice"},
		{"ok, surrounding spaces", "  alice\t", "alice"},
		{"ok, fullwidth", "ａｌｉｃｅ", "alice"},
		{"ok, fullwidth upper case", "ＡＬＩＣＥ", "alice"},
		{"ok, combining accent composes", "alice\u0301", "alic\u00e9"},
		{"ok, precomposed accent", "alic\u00e9", "alic\u00e9"},
		{"ok, dotless i is its own letter", "alıce", "alıce"},
		{"ok, digits and dots", "a.b-c_9", "a.b-c_9"},
		{"ok, right-to-left letters", "\u05e9\u05dc\u05d5\u05dd", "\u05e9\u05dc\u05d5\u05dd"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := local.CanonicalUsername(tt.in)
			if err != nil {
				t.Fatalf("CanonicalUsername(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("CanonicalUsername(%q): got %q; want %q", tt.in, got, tt.want)
			}
		})
	}

	refused := []struct {
		name, in string
	}{
		{"nok, empty", ""},
		{"nok, only spaces", "   "},
		{"nok, right-to-left override", "alice\u202eecila"},
		{"nok, left-to-right mark", "\u200ealice"},
		{"nok, isolate", "\u2066alice\u2069"},
		{"nok, zero width space", "al\u200bice"},
		{"nok, zero width joiner", "al\u200dice"},
		{"nok, soft hyphen", "al\u00adice"},
		{"nok, byte order mark", "\ufeffalice"},
		{"nok, NUL", "alice\x00"},
		{"nok, invalid UTF-8", "alice\xff"},
		{"nok, inner space", "alice smith"},
		{"nok, Arabic letter mark", "alice\u061c"},
		{"nok, mixed directions against the Bidi Rule", "\u05e9a\u05dc"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			got, err := local.CanonicalUsername(tt.in)
			if !errors.Is(err, local.ErrInvalidIdentifier) {
				t.Errorf("CanonicalUsername(%q): got %q, %v; want ErrInvalidIdentifier", tt.in, got, err)
			}
		})
	}
}

func TestCanonicalEmail(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"ok, canonical", "alice@example.com", "alice@example.com"},
		{"ok, upper case", "Alice@Example.COM", "alice@example.com"},
		{"ok, fullwidth local part and domain", "ａｌｉｃｅ@ｅｘａｍｐｌｅ.com", "alice@example.com"},
		{"ok, plus address", "alice+news@example.com", "alice+news@example.com"},
		{"ok, internationalised domain", "alice@Bücher.example", "alice@xn--bcher-kva.example"},
		{"ok, punycode domain", "alice@xn--bcher-kva.example", "alice@xn--bcher-kva.example"},
		{"ok, trailing dot", "alice@example.com.", "alice@example.com"},
		{"ok, spaces around", " alice@example.com ", "alice@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := local.CanonicalEmail(tt.in)
			if err != nil {
				t.Fatalf("CanonicalEmail(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("CanonicalEmail(%q): got %q; want %q", tt.in, got, tt.want)
			}
		})
	}
	refused := []struct {
		name, in string
	}{
		{"nok, no at", "alice.example.com"},
		{"nok, empty local part", "@example.com"},
		{"nok, empty domain", "alice@"},
		{"nok, bidi override in the local part", "alice\u202e@example.com"},
		{"nok, bidi override in the domain", "alice@exa\u202emple.com"},
		{"nok, zero width space in the domain", "alice@exa\u200bmple.com"},
		{"nok, underscore in the domain", "alice@exa_mple.com"},
		{"nok, two at signs", "a@b@example.com"},
		{"nok, space in the local part", "alice smith@example.com"},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			got, err := local.CanonicalEmail(tt.in)
			if !errors.Is(err, local.ErrInvalidIdentifier) {
				t.Errorf("CanonicalEmail(%q): got %q, %v; want ErrInvalidIdentifier", tt.in, got, err)
			}
		})
	}
}
