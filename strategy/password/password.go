package password

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Defaults of [Hasher]: argon2id with OWASP's minimum for it (19 MiB of
// memory, 2 iterations, 1 lane), a 16-byte salt and a 32-byte key.
const (
	DefaultMemory      = 19 * 1024 // KiB
	DefaultIterations  = 2
	DefaultParallelism = 1
	DefaultSaltLength  = 16
	DefaultKeyLength   = 32
)

// Limits on the hashes that are checked, so that a stored hash with absurd
// parameters is refused instead of allocating gigabytes or running for
// hours. A Hasher configured above a limit raises it to its own value.
const (
	maxHashLength       = 512
	maxStoredMemory     = 256 * 1024 // KiB: 256 MiB
	maxStoredIterations = 16
	minStoredSalt       = 8
	maxStoredSalt       = 64
	minStoredKey        = 16
	maxStoredKey        = 128
	maxBcryptCost       = 16
)

// ErrMalformedHash is wrapped by the error that checking a password returns
// when the stored hash cannot be checked: an unknown scheme, a syntax error,
// or parameters beyond the limits. It is a fault of the stored data, never a
// wrong password.
var ErrMalformedHash = errors.New("password: malformed hash")

// Hasher hashes passwords with argon2id and checks argon2id and bcrypt
// hashes. The zero value (and a nil *Hasher) uses the defaults; every field
// is optional, zero meaning its default. A Hasher is safe for concurrent use
// as long as its fields are not changed.
//
// Hashes are strings in the PHC format,
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>
//
// with salt and key in unpadded standard base64, as the reference
// implementation, libsodium and most libraries write them. Raise Memory or
// Iterations over time and rehash on login (see [Hasher.NeedsRehash]).
//
// Checking a stored hash refuses parameters beyond sane limits (more than
// 256 MiB of memory, more than 16 iterations, a bcrypt cost over 16, unless
// the Hasher itself is configured higher), so that a corrupt or planted
// record cannot exhaust the server.
type Hasher struct {
	// Memory is argon2id's memory cost in KiB. Optional. Default 19456
	// (19 MiB).
	Memory uint32
	// Iterations is argon2id's time cost. Optional. Default 2.
	Iterations uint32
	// Parallelism is argon2id's number of lanes. Optional. Default 1.
	Parallelism uint8
	// SaltLength is the length of the random salt in bytes, at least 8.
	// Optional. Default 16.
	SaltLength uint32
	// KeyLength is the length of the derived key in bytes, at least 16.
	// Optional. Default 32.
	KeyLength uint32
}

// argonParams are the parameters of one argon2id hash.
type argonParams struct {
	memory     uint32
	iterations uint32
	threads    uint8
	saltLen    uint32
	keyLen     uint32
}

// params returns h's parameters with the defaults filled in.
func (h *Hasher) params() argonParams {
	p := argonParams{DefaultMemory, DefaultIterations, DefaultParallelism, DefaultSaltLength, DefaultKeyLength}
	if h == nil {
		return p
	}
	if h.Memory != 0 {
		p.memory = h.Memory
	}
	if h.Iterations != 0 {
		p.iterations = h.Iterations
	}
	if h.Parallelism != 0 {
		p.threads = h.Parallelism
	}
	if h.SaltLength != 0 {
		p.saltLen = h.SaltLength
	}
	if h.KeyLength != 0 {
		p.keyLen = h.KeyLength
	}
	return p
}

// validate reports a configuration that cannot produce a sound hash.
func (p argonParams) validate() error {
	switch {
	case p.memory < 8*uint32(p.threads):
		return fmt.Errorf("password: Hasher.Memory %d KiB is below 8 KiB per lane (Parallelism %d)", p.memory, p.threads)
	case p.saltLen < minStoredSalt:
		return fmt.Errorf("password: Hasher.SaltLength %d is below %d", p.saltLen, minStoredSalt)
	case p.keyLen < minStoredKey:
		return fmt.Errorf("password: Hasher.KeyLength %d is below %d", p.keyLen, minStoredKey)
	}
	return nil
}

// Hash returns the argon2id hash of password in PHC format, with a fresh
// random salt. It returns an error only for a Hasher whose parameters are
// invalid (memory below 8 KiB per lane, salt shorter than 8 bytes, key
// shorter than 16) or when the system's random source fails.
func (h *Hasher) Hash(password string) (string, error) {
	p := h.params()
	if err := p.validate(); err != nil {
		return "", err
	}
	salt := make([]byte, p.saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: reading salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.iterations, p.memory, p.threads, p.keyLen)
	return encodeArgon2id(p, salt, key), nil
}

// Check reports whether password matches hash, an argon2id hash in PHC
// format or a bcrypt hash ($2a$, $2b$ or $2y$). The comparison takes the
// same time wherever the keys differ. err is non-nil (wrapping
// [ErrMalformedHash]) only when hash cannot be checked; a wrong password is
// ok false and a nil error.
//
// bcrypt only reads the first 72 bytes of a password, so for a bcrypt hash
// any password that starts with the right 72 bytes matches: rehash such
// hashes to argon2id on login.
func (h *Hasher) Check(hash, password string) (ok bool, err error) {
	if strings.HasPrefix(hash, "$2") {
		return checkBcrypt(hash, password)
	}
	lim := h.limits()
	ph, err := parseArgon2id(hash, lim)
	if err != nil {
		return false, err
	}
	key := argon2.IDKey([]byte(password), ph.salt, ph.params.iterations, ph.params.memory, ph.params.threads, uint32(len(ph.key)))
	return subtle.ConstantTimeCompare(key, ph.key) == 1, nil
}

// NeedsRehash reports whether hash should be replaced by a new [Hasher.Hash]
// of the password: it is a bcrypt hash, an argon2id hash with less memory,
// fewer iterations, a shorter salt or a shorter key than h uses, or a hash
// that cannot be parsed.
//
// Rehash on login, when the password is at hand: after [Hasher.Check]
// succeeds, if NeedsRehash(hash), store Hash(password) in place of hash.
func (h *Hasher) NeedsRehash(hash string) bool {
	if strings.HasPrefix(hash, "$2") {
		return true
	}
	ph, err := parseArgon2id(hash, h.limits())
	if err != nil {
		return true
	}
	cur := h.params()
	return ph.params.memory < cur.memory ||
		ph.params.iterations < cur.iterations ||
		uint32(len(ph.salt)) < cur.saltLen ||
		uint32(len(ph.key)) < cur.keyLen
}

// CheckDummy spends the time of one [Hasher.Check] of password: it checks
// password against a hash made with h's parameters (the defaults when h's
// are invalid) that no password matches, and discards the result. Call it
// when the username is unknown, so that the response time does not tell
// which usernames exist. [NewVerify] and [Verify] do it for you.
func (h *Hasher) CheckDummy(password string) {
	_, _ = h.Check(h.dummyHash(), password)
}

// dummyHash is an argon2id hash with h's parameters, an all-zero salt and an
// all-zero key, which no password matches in practice.
func (h *Hasher) dummyHash() string {
	p := h.params()
	if p.validate() != nil {
		p = (*Hasher)(nil).params()
	}
	return encodeArgon2id(p, make([]byte, p.saltLen), make([]byte, p.keyLen))
}

// Hash returns the argon2id hash of password in PHC format with the
// default parameters (m=19456, t=2, p=1). It is (*Hasher)(nil).Hash.
func Hash(password string) (string, error) {
	return (*Hasher)(nil).Hash(password)
}

// Check reports whether password matches hash, an argon2id (PHC format) or
// a bcrypt hash, in constant time. err wraps [ErrMalformedHash] when hash
// cannot be checked. It is (*Hasher)(nil).Check.
func Check(hash, password string) (ok bool, err error) {
	return (*Hasher)(nil).Check(hash, password)
}

// NeedsRehash reports whether hash is weaker than what [Hash] produces (a
// bcrypt hash, weaker argon2id parameters) or cannot be parsed. It is
// (*Hasher)(nil).NeedsRehash; see [Hasher.NeedsRehash].
func NeedsRehash(hash string) bool {
	return (*Hasher)(nil).NeedsRehash(hash)
}

// ConstantTimeEqual reports whether a and b are equal, in time that depends
// on neither their contents nor which one is longer: it compares their
// SHA-256 digests with [subtle.ConstantTimeCompare]. (Hashing takes time
// proportional to the lengths, which gives away roughly how long the inputs
// are, never where they differ.) Use it to compare secrets such as tokens or
// the digests of API keys; a plain == returns at the first differing byte,
// and [subtle.ConstantTimeCompare] on the raw strings returns at once when
// the lengths differ. Never store passwords to compare them so: store a
// [Hash] and [Check] it.
func ConstantTimeEqual(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

// hashLimits bound the parameters of a stored hash.
type hashLimits struct {
	maxMemory     uint32
	maxIterations uint32
	maxSalt       int
	maxKey        int
}

// limits returns the bounds for stored hashes, raised to h's own values.
func (h *Hasher) limits() hashLimits {
	p := h.params()
	return hashLimits{
		maxMemory:     max(maxStoredMemory, p.memory),
		maxIterations: max(maxStoredIterations, p.iterations),
		maxSalt:       max(maxStoredSalt, int(p.saltLen)),
		maxKey:        max(maxStoredKey, int(p.keyLen)),
	}
}
