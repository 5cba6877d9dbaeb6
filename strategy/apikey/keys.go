package apikey

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// KeyBytes is how many random bytes a key made by [Generate] holds: 256
// bits of entropy.
const KeyBytes = 32

// MaxPrefixBytes is the longest prefix [Generate] accepts.
const MaxPrefixBytes = 32

// Generate returns a new random key: prefix, an underscore and KeyBytes
// bytes from crypto/rand encoded as unpadded base64url (43 characters),
// such as "pk_7Vn0Xq...". With an empty prefix the key is the encoded bytes
// alone. The prefix, letters and digits only, tells keys apart in logs and
// lets secret scanners recognise them (as "ghp_" does for GitHub tokens).
//
// Show the key to its owner once, and store only [Hash] of it.
func Generate(prefix string) (string, error) {
	if len(prefix) > MaxPrefixBytes {
		return "", fmt.Errorf("apikey: prefix longer than %d bytes", MaxPrefixBytes)
	}
	for i := range len(prefix) {
		c := prefix[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return "", fmt.Errorf("apikey: prefix %q: only letters and digits are allowed", prefix)
		}
	}
	b := make([]byte, KeyBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("apikey: generate: %w", err)
	}
	key := base64.RawURLEncoding.EncodeToString(b)
	if prefix != "" {
		key = prefix + "_" + key
	}
	return key, nil
}

// Hash returns the SHA-256 digest of key in lower-case hex (64
// characters), the form in which keys are stored and looked up.
//
// A fast hash is the right one here, unlike for passwords. Slow hashes
// (argon2id, bcrypt) exist to make guessing a low-entropy password from its
// hash expensive; a key from [Generate] has 256 bits of entropy, which no
// amount of guessing covers, however fast each guess. A fast, unsalted hash
// also means the same key always has the same hash, so Verify can find the
// key with one indexed lookup (WHERE key_hash = $1) instead of checking a
// slow hash against every row, and checking a key costs a microsecond
// rather than the tens of milliseconds that would let anyone with a list of
// bogus keys tie up the CPU. A stolen table of hashes gives no usable key.
//
// This reasoning holds only for random keys: never use Hash for passwords
// or any secret a person chose.
func Hash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// CheckKey reports whether key hashes to hash, a value from [Hash] (upper-
// or lower-case hex), comparing the digests in constant time. A hash that
// is not 64 hex characters matches no key.
func CheckKey(hash, key string) bool {
	want, err := hex.DecodeString(hash)
	if err != nil || len(want) != sha256.Size {
		return false
	}
	got := sha256.Sum256([]byte(key))
	return subtle.ConstantTimeCompare(got[:], want) == 1
}
