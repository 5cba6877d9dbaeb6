package session

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

// MinKeyLength is the shortest secret accepted by [NewCodec]: 32 bytes,
// 256 bits. Generate one with [GenerateKey].
const MinKeyLength = 32

// maxCookieValue bounds what Open reads: browsers keep at most 4 KiB a
// cookie, so anything longer is not ours.
const maxCookieValue = 8192

const sealVersion = 1

// ErrInvalidCookie is returned by [Codec.Open] for a value that was not
// sealed by this codec with one of its keys, was tampered with, belongs to
// another cookie name, or has expired. Callers treat it as "no session".
var ErrInvalidCookie = errors.New("session: invalid cookie")

// ErrKeyTooShort is returned by [NewCodec] and [NewCookieStore] when a key is
// missing or shorter than [MinKeyLength]. It matches [ErrInvalidConfig]
// too.
var ErrKeyTooShort error = &configSentinel{msg: "session: key missing or shorter than 32 bytes"}

// configSentinel is a sentinel for one kind of configuration mistake: it
// matches [ErrInvalidConfig] as well.
type configSentinel struct{ msg string }

func (e *configSentinel) Error() string { return e.msg }
func (e *configSentinel) Unwrap() error { return ErrInvalidConfig }

// Codec seals and opens cookie values with AES-256-GCM: the value is
// encrypted (nobody can read it) and authenticated (nobody can change it or
// move it to another cookie name, which is bound as associated data). A
// timestamp sealed with the value lets Open refuse old values.
//
// Keys rotate like gorilla's key pairs: the first key seals, every key opens.
// To rotate, put the new key first and keep the old ones until the cookies
// they sealed have expired.
//
// A Codec is safe for concurrent use.
type Codec struct {
	aeads []cipher.AEAD
	now   func() time.Time
}

// NewCodec returns a codec over keys, the first of which seals. Each key must
// be at least [MinKeyLength] bytes of secret randomness; the AES key is
// derived from it with HKDF-SHA256, so longer keys (gorilla's 64-byte hash
// keys) work too.
func NewCodec(keys ...[]byte) (*Codec, error) {
	if len(keys) == 0 {
		return nil, ErrKeyTooShort
	}
	c := &Codec{aeads: make([]cipher.AEAD, 0, len(keys)), now: time.Now}
	for i, k := range keys {
		if len(k) < MinKeyLength {
			return nil, fmt.Errorf("%w (key %d has %d bytes)", ErrKeyTooShort, i, len(k))
		}
		derived, err := hkdf.Key(sha256.New, k, nil, "passport session cookie v1", 32)
		if err != nil {
			return nil, fmt.Errorf("session: deriving key %d: %w", i, err)
		}
		block, err := aes.NewCipher(derived)
		if err != nil {
			return nil, fmt.Errorf("session: key %d: %w", i, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("session: key %d: %w", i, err)
		}
		c.aeads = append(c.aeads, aead)
	}
	return c, nil
}

// GenerateKey returns 32 bytes from crypto/rand, a key for [NewCodec].
func GenerateKey() ([]byte, error) {
	k := make([]byte, MinKeyLength)
	if _, err := rand.Read(k); err != nil {
		return nil, fmt.Errorf("session: generating key: %w", err)
	}
	return k, nil
}

// Seal encrypts and authenticates data for the cookie called name, and
// returns it in base64url, ready to be a cookie value.
func (c *Codec) Seal(name string, data []byte) (string, error) {
	aead := c.aeads[0]
	ns := aead.NonceSize()
	// version | nonce | sealed(timestamp | data) | tag
	plain := make([]byte, 8+len(data))
	binary.BigEndian.PutUint64(plain, uint64(c.now().Unix()))
	copy(plain[8:], data)
	out := make([]byte, 1+ns, 1+ns+len(plain)+aead.Overhead())
	out[0] = sealVersion
	if _, err := rand.Read(out[1 : 1+ns]); err != nil {
		return "", fmt.Errorf("session: nonce: %w", err)
	}
	out = aead.Seal(out, out[1:1+ns], plain, []byte(name))
	return base64.RawURLEncoding.EncodeToString(out), nil
}

// Open reverses [Codec.Seal] for the cookie called name. A value older than
// maxAge (when maxAge > 0), or that does not open with any key, is
// [ErrInvalidCookie]. The returned slice is the caller's.
func (c *Codec) Open(name, value string, maxAge time.Duration) ([]byte, error) {
	if len(value) == 0 || len(value) > maxCookieValue {
		return nil, ErrInvalidCookie
	}
	raw := make([]byte, base64.RawURLEncoding.DecodedLen(len(value)))
	// Strict: a value has one spelling. Without it, a changed last
	// character that only touches the unused bits would open as the same
	// cookie, and so would one with CR or LF inside.
	if strings.ContainsAny(value, "\r\n") {
		return nil, ErrInvalidCookie
	}
	n, err := base64.RawURLEncoding.Strict().Decode(raw, []byte(value))
	if err != nil {
		return nil, ErrInvalidCookie
	}
	raw = raw[:n]
	for _, aead := range c.aeads {
		ns := aead.NonceSize()
		if len(raw) < 1+ns+aead.Overhead()+8 || raw[0] != sealVersion {
			return nil, ErrInvalidCookie
		}
		// Open into a copy-free destination only on success: on failure
		// GCM zeroes dst, so decrypt into a fresh slice per key try.
		plain, err := aead.Open(nil, raw[1:1+ns], raw[1+ns:], []byte(name))
		if err != nil {
			continue
		}
		ts := int64(binary.BigEndian.Uint64(plain))
		if maxAge > 0 && c.now().Sub(time.Unix(ts, 0)) > maxAge {
			return nil, ErrInvalidCookie
		}
		return plain[8:], nil
	}
	return nil, ErrInvalidCookie
}
