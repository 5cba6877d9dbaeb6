package password

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// argonHash is a parsed argon2id hash.
type argonHash struct {
	params argonParams
	salt   []byte
	key    []byte
}

// b64 returns the base64 of PHC strings: standard alphabet, no padding, no
// stray bits.
func b64() *base64.Encoding { return base64.RawStdEncoding.Strict() }

// encodeArgon2id formats an argon2id hash in PHC format.
func encodeArgon2id(p argonParams, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s",
		p.memory, p.iterations, p.threads, b64().EncodeToString(salt), b64().EncodeToString(key))
}

// parseArgon2id parses "$argon2id$v=19$m=M,t=T,p=P$salt$key" strictly: the
// parameters in this order, decimal without leading zeros, within lim.
func parseArgon2id(hash string, lim hashLimits) (argonHash, error) {
	var ph argonHash
	if len(hash) > maxHashLength {
		return ph, fmt.Errorf("%w: longer than %d bytes", ErrMalformedHash, maxHashLength)
	}
	rest, ok := strings.CutPrefix(hash, "$argon2id$")
	if !ok {
		return ph, fmt.Errorf("%w: not an argon2id or bcrypt hash", ErrMalformedHash)
	}
	parts := strings.Split(rest, "$")
	if len(parts) != 4 {
		return ph, fmt.Errorf("%w: want 5 fields", ErrMalformedHash)
	}
	if parts[0] != "v=19" {
		return ph, fmt.Errorf("%w: unsupported argon2 version", ErrMalformedHash)
	}
	kv := strings.Split(parts[1], ",")
	if len(kv) != 3 {
		return ph, fmt.Errorf("%w: want parameters m, t, p", ErrMalformedHash)
	}
	m, err := parseParam(kv[0], "m=", 32)
	if err != nil {
		return ph, err
	}
	t, err := parseParam(kv[1], "t=", 32)
	if err != nil {
		return ph, err
	}
	p, err := parseParam(kv[2], "p=", 8)
	if err != nil {
		return ph, err
	}
	switch {
	case t < 1 || t > uint64(lim.maxIterations):
		return ph, fmt.Errorf("%w: t=%d out of range", ErrMalformedHash, t)
	case p < 1:
		return ph, fmt.Errorf("%w: p=%d out of range", ErrMalformedHash, p)
	case m < 8*p || m > uint64(lim.maxMemory):
		return ph, fmt.Errorf("%w: m=%d out of range", ErrMalformedHash, m)
	}
	// Go's base64 decoder skips CR and LF even in strict mode: refuse them,
	// so that one hash has one spelling.
	if strings.ContainsAny(parts[2], "\r\n") || strings.ContainsAny(parts[3], "\r\n") {
		return ph, fmt.Errorf("%w: line break in the salt or key", ErrMalformedHash)
	}
	salt, err := b64().DecodeString(parts[2])
	if err != nil || len(salt) < minStoredSalt || len(salt) > lim.maxSalt {
		return ph, fmt.Errorf("%w: bad salt", ErrMalformedHash)
	}
	key, err := b64().DecodeString(parts[3])
	if err != nil || len(key) < minStoredKey || len(key) > lim.maxKey {
		return ph, fmt.Errorf("%w: bad key", ErrMalformedHash)
	}
	ph.params = argonParams{
		memory:     uint32(m),
		iterations: uint32(t),
		threads:    uint8(p),
		saltLen:    uint32(len(salt)),
		keyLen:     uint32(len(key)),
	}
	ph.salt, ph.key = salt, key
	return ph, nil
}

// parseParam parses "name=decimal" with no sign and no leading zero.
func parseParam(s, name string, bits int) (uint64, error) {
	v, ok := strings.CutPrefix(s, name)
	if !ok || v == "" || (len(v) > 1 && v[0] == '0') || v[0] < '0' || v[0] > '9' {
		return 0, fmt.Errorf("%w: bad parameter %q", ErrMalformedHash, strings.TrimSuffix(name, "="))
	}
	n, err := strconv.ParseUint(v, 10, bits)
	if err != nil {
		return 0, fmt.Errorf("%w: bad parameter %q", ErrMalformedHash, strings.TrimSuffix(name, "="))
	}
	return n, nil
}

// checkBcrypt checks a bcrypt hash: exactly "$2a$", "$2b$" or "$2y$", a
// two-digit cost from 4 to maxBcryptCost, and 53 characters of bcrypt's
// base64.
func checkBcrypt(hash, password string) (bool, error) {
	if len(hash) != 60 || hash[0] != '$' || hash[1] != '2' || hash[3] != '$' || hash[6] != '$' {
		return false, fmt.Errorf("%w: not a bcrypt hash", ErrMalformedHash)
	}
	switch hash[2] {
	case 'a', 'b', 'y':
	default:
		return false, fmt.Errorf("%w: unsupported bcrypt version", ErrMalformedHash)
	}
	cost, err := strconv.Atoi(hash[4:6])
	if err != nil || hash[4] < '0' || hash[4] > '9' || cost < bcrypt.MinCost || cost > maxBcryptCost {
		return false, fmt.Errorf("%w: bcrypt cost out of range", ErrMalformedHash)
	}
	for i := 7; i < len(hash); i++ {
		if !isBcryptBase64(hash[i]) {
			return false, fmt.Errorf("%w: bad bcrypt encoding", ErrMalformedHash)
		}
	}
	err = bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword):
		return false, nil
	default:
		return false, fmt.Errorf("%w: %w", ErrMalformedHash, err)
	}
}

// isBcryptBase64 reports whether c is in bcrypt's base64 alphabet.
func isBcryptBase64(c byte) bool {
	return c == '.' || c == '/' || ('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9')
}
