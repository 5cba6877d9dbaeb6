package apikey_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/gopassport/passport/strategy/apikey"
)

func TestGenerate(t *testing.T) {
	tests := []struct {
		name       string
		prefix     string
		wantPrefix string
	}{
		{"ok, prefix", "pk", "pk_"},
		{"ok, no prefix", "", ""},
		{"ok, longest prefix", strings.Repeat("a", apikey.MaxPrefixBytes), strings.Repeat("a", apikey.MaxPrefixBytes) + "_"},
		{"ok, mixed case and digits", "Live2", "Live2_"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := make(map[string]bool)
			for range 100 {
				key, err := apikey.Generate(tt.prefix)
				if err != nil {
					t.Fatal(err)
				}
				rest, ok := strings.CutPrefix(key, tt.wantPrefix)
				if !ok {
					t.Fatalf("got %q; want prefix %q", key, tt.wantPrefix)
				}
				raw, err := base64.RawURLEncoding.DecodeString(rest)
				if err != nil || len(raw) != apikey.KeyBytes {
					t.Fatalf("got %q (%d bytes, %v); want %d base64url bytes", rest, len(raw), err, apikey.KeyBytes)
				}
				if len(key) > apikey.DefaultMaxKeyBytes {
					t.Fatalf("got a %d-byte key; want it under the default maximum %d", len(key), apikey.DefaultMaxKeyBytes)
				}
				if seen[key] {
					t.Fatalf("got %q twice; want unique keys", key)
				}
				seen[key] = true
			}
		})
	}
}

func TestGenerateRefusesBadPrefixes(t *testing.T) {
	for _, prefix := range []string{"pk_", "p k", "clé", "a-b", "\x00", strings.Repeat("a", apikey.MaxPrefixBytes+1)} {
		if key, err := apikey.Generate(prefix); err == nil || !strings.HasPrefix(err.Error(), "apikey: prefix ") {
			t.Errorf("Generate(%q): got %q, %v; want an apikey: prefix error", prefix, key, err)
		}
	}
}

func TestHashAndEqual(t *testing.T) {
	// SHA-256 test vectors (FIPS 180-2).
	if got, want := apikey.Hash(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"; got != want {
		t.Errorf("got %q; want %q", got, want)
	}
	if got, want := apikey.Hash("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Errorf("got %q; want %q", got, want)
	}

	key, err := apikey.Generate("pk")
	if err != nil {
		t.Fatal(err)
	}
	hash := apikey.Hash(key)
	tests := []struct {
		name string
		hash string
		key  string
		want bool
	}{
		{"ok, matching key", hash, key, true},
		{"ok, upper-case hash", strings.ToUpper(hash), key, true},
		{"nok, other key", hash, key + "x", false},
		{"nok, empty key", hash, "", false},
		{"nok, the hash itself as key", hash, hash, false},
		{"nok, truncated hash", hash[:62], key, false},
		{"nok, longer hash", hash + "00", key, false},
		{"nok, not hex", strings.Repeat("z", 64), key, false},
		{"nok, empty hash", "", key, false},
		{"nok, empty hash and key", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := apikey.CheckKey(tt.hash, tt.key); got != tt.want {
				t.Errorf("got %v; want %v", got, tt.want)
			}
		})
	}
}

func BenchmarkEqual(b *testing.B) {
	key, err := apikey.Generate("pk")
	if err != nil {
		b.Fatal(err)
	}
	hash := apikey.Hash(key)
	b.ReportAllocs()
	for b.Loop() {
		if !apikey.CheckKey(hash, key) {
			b.Fatal("got false; want true")
		}
	}
}
