package jwt

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"sync"

	jwtlib "github.com/golang-jwt/jwt/v5"
)

// Key is a key that verifies tokens (in [Config.Keys]) or signs them (in
// [IssuerConfig.Key]).
//
// The key's type fixes the family of algorithms it may be used with, and
// the strategy checks it both when it is built and for every token: an
// RSA public key is never used as an HMAC secret, whatever the token's
// "alg" says.
type Key struct {
	// ID is the key ID, the "kid" header of the tokens it signs or
	// verifies. Optional. For verification, a token that names a kid is
	// checked only with the key of that ID, and a key with an empty ID
	// checks the tokens that carry no kid. kid values are only ever map
	// keys: never paths, URLs or SQL.
	ID string
	// Algorithm restricts the key to one algorithm, such as "ES256".
	// Optional for verification: empty allows every configured algorithm
	// of the key's family. For signing, empty means HS256 for an HMAC
	// secret, RS256 for RSA, ES256/ES384/ES512 by curve for ECDSA and EdDSA
	// for Ed25519.
	Algorithm string
	// Key is the key material. Required. One of:
	//   - []byte: an HMAC secret (HS256, HS384, HS512) of at least 32, 48
	//     or 64 bytes; use [GenerateHMACSecret]. PEM or DER encoded public
	//     keys are refused: they are public, and an attacker knows them.
	//   - *rsa.PublicKey or *rsa.PrivateKey (RS*, PS*), at least 2048 bits.
	//   - *ecdsa.PublicKey or *ecdsa.PrivateKey (ES256 on P-256, ES384 on
	//     P-384, ES512 on P-521).
	//   - ed25519.PublicKey or ed25519.PrivateKey (EdDSA, or its RFC 9864
	//     name Ed25519).
	// Verification uses only the public half of a private key.
	Key any
}

// family is a family of algorithms that share a key type.
type family uint8

const (
	famNone family = iota
	famHMAC
	famRSA
	famECDSA
	famEdDSA
)

// String names the family for error messages.
func (f family) String() string {
	switch f {
	case famHMAC:
		return "HMAC"
	case famRSA:
		return "RSA"
	case famECDSA:
		return "ECDSA"
	case famEdDSA:
		return "Ed25519"
	default:
		return "unknown"
	}
}

// algFamily returns the family of a supported algorithm, or famNone.
func algFamily(alg string) family {
	switch alg {
	case "HS256", "HS384", "HS512":
		return famHMAC
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		return famRSA
	case "ES256", "ES384", "ES512":
		return famECDSA
	case "EdDSA", algEd25519:
		return famEdDSA
	default:
		return famNone
	}
}

// algEd25519 is the RFC 9864 name of EdDSA with Ed25519, which
// golang-jwt does not know: it is accepted beside "EdDSA" for Ed25519
// keys.
const algEd25519 = "Ed25519"

// ed25519Method is golang-jwt's EdDSA under the name "Ed25519". With an
// Ed25519 key, RFC 9864's Ed25519 is exactly RFC 8037's EdDSA; only the
// name in the header differs.
type ed25519Method struct{}

// Alg implements [jwtlib.SigningMethod].
func (ed25519Method) Alg() string { return algEd25519 }

// Verify implements [jwtlib.SigningMethod] with golang-jwt's EdDSA.
func (ed25519Method) Verify(signing string, sig []byte, key any) error {
	return jwtlib.SigningMethodEdDSA.Verify(signing, sig, key)
}

// Sign implements [jwtlib.SigningMethod] with golang-jwt's EdDSA.
func (ed25519Method) Sign(signing string, key any) ([]byte, error) {
	return jwtlib.SigningMethodEdDSA.Sign(signing, key)
}

// signingMethod returns the golang-jwt method of a supported algorithm,
// or nil. It does not register anything with golang-jwt.
func signingMethod(alg string) jwtlib.SigningMethod {
	if alg == algEd25519 {
		return ed25519Method{}
	}
	return jwtlib.GetSigningMethod(alg)
}

// minHMACLen is the shortest secret RFC 7518 section 3.2 allows for alg:
// as long as the hash output.
func minHMACLen(alg string) int {
	switch alg {
	case "HS384":
		return 48
	case "HS512":
		return 64
	default:
		return 32
	}
}

// curveOf returns the curve an ECDSA algorithm needs.
func curveOf(alg string) elliptic.Curve {
	switch alg {
	case "ES256":
		return elliptic.P256()
	case "ES384":
		return elliptic.P384()
	case "ES512":
		return elliptic.P521()
	default:
		return nil
	}
}

// verifyKey is a verification key, normalized once at New.
type verifyKey struct {
	alg string // "" or one algorithm
	fam family
	key any // []byte, *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey
	// macs pools keyed HMAC states for HS256, HS384 and HS512, so that a
	// verification does not build one (golang-jwt's Verify does, at a
	// few allocations a token).
	macs [3]sync.Pool
}

// hmacIndex is the slot of alg in verifyKey.macs, and its hash.
func hmacIndex(alg string) (int, func() hash.Hash) {
	switch alg {
	case "HS256":
		return 0, sha256.New
	case "HS384":
		return 1, sha512.New384
	case "HS512":
		return 2, sha512.New
	default:
		return -1, nil
	}
}

// verifyHMAC checks sig, the token's decoded signature, over signing (the
// token up to its last dot) with the key's secret, in constant time.
func (k *verifyKey) verifyHMAC(alg, signing string, sig []byte) error {
	i, newHash := hmacIndex(alg)
	secret, ok := k.key.([]byte)
	if i < 0 || !ok {
		return jwtlib.ErrInvalidKeyType
	}
	h, _ := k.macs[i].Get().(hash.Hash)
	if h == nil {
		h = hmac.New(newHash, secret)
	}
	h.Reset()
	_, _ = io.WriteString(h, signing)
	var buf [sha512.Size]byte
	mac := h.Sum(buf[:0])
	ok = hmac.Equal(sig, mac)
	k.macs[i].Put(h)
	if !ok {
		return jwtlib.ErrSignatureInvalid
	}
	return nil
}

// accepts reports whether the key may verify a token signed with alg. It
// is called for every token: it is the check that keeps a public key from
// being used as an HMAC secret.
func (k *verifyKey) accepts(alg string) bool {
	if k.alg != "" && k.alg != alg {
		return false
	}
	if algFamily(alg) != k.fam {
		return false
	}
	switch key := k.key.(type) {
	case []byte:
		return len(key) >= minHMACLen(alg)
	case *ecdsa.PublicKey:
		return key.Curve == curveOf(alg)
	case *rsa.PublicKey, ed25519.PublicKey:
		return true
	default:
		return false
	}
}

// publicKey returns the verification half of key and its family. It
// copies HMAC secrets so that the caller's slice can be cleared.
func publicKey(key any) (any, family, error) {
	switch k := key.(type) {
	case []byte:
		if err := checkSecret(k); err != nil {
			return nil, famNone, err
		}
		return bytes.Clone(k), famHMAC, nil
	case string:
		return nil, famNone, errors.New("jwt: an HMAC secret must be a []byte, not a string")
	case *rsa.PrivateKey:
		if k == nil {
			return nil, famNone, errors.New("jwt: nil RSA key")
		}
		return publicKey(&k.PublicKey)
	case *rsa.PublicKey:
		if k == nil || k.N == nil {
			return nil, famNone, errors.New("jwt: nil RSA key")
		}
		if k.N.BitLen() < 2048 {
			return nil, famNone, fmt.Errorf("jwt: RSA key of %d bits; at least 2048 are required", k.N.BitLen())
		}
		return k, famRSA, nil
	case *ecdsa.PrivateKey:
		if k == nil {
			return nil, famNone, errors.New("jwt: nil ECDSA key")
		}
		return publicKey(&k.PublicKey)
	case *ecdsa.PublicKey:
		if k == nil || k.Curve == nil {
			return nil, famNone, errors.New("jwt: nil ECDSA key")
		}
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
		default:
			return nil, famNone, fmt.Errorf("jwt: unsupported ECDSA curve %s", k.Curve.Params().Name)
		}
		return k, famECDSA, nil
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			return nil, famNone, errors.New("jwt: bad Ed25519 private key length")
		}
		pub, ok := k.Public().(ed25519.PublicKey)
		if !ok {
			return nil, famNone, errors.New("jwt: bad Ed25519 private key")
		}
		return pub, famEdDSA, nil
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return nil, famNone, errors.New("jwt: bad Ed25519 public key length")
		}
		return k, famEdDSA, nil
	case nil:
		return nil, famNone, errors.New("jwt: key has no material")
	default:
		return nil, famNone, fmt.Errorf("jwt: unsupported key type %T", key)
	}
}

// checkSecret refuses HMAC secrets that are too short or that are in fact
// encoded public keys: a server configured with its RSA public key's PEM
// as an HMAC secret would accept tokens that anybody can sign.
func checkSecret(secret []byte) error {
	if len(secret) < 32 {
		return fmt.Errorf("jwt: HMAC secret of %d bytes; at least 32 are required", len(secret))
	}
	if bytes.Contains(secret, []byte("-----BEGIN")) {
		return errors.New("jwt: HMAC secret looks like a PEM block; use the parsed key instead")
	}
	if _, err := x509.ParsePKIXPublicKey(secret); err == nil {
		return errors.New("jwt: HMAC secret is a DER public key; use the parsed key instead")
	}
	if _, err := x509.ParsePKCS1PublicKey(secret); err == nil {
		return errors.New("jwt: HMAC secret is a DER public key; use the parsed key instead")
	}
	return nil
}

// checkAlgorithms validates an allow-list: every entry must be a
// supported algorithm name, and "none" in any spelling is refused.
func checkAlgorithms(algs []string) error {
	if len(algs) == 0 {
		return errors.New("jwt: Algorithms is required")
	}
	for _, a := range algs {
		if strings.EqualFold(a, "none") {
			return errors.New(`jwt: algorithm "none" is never allowed`)
		}
		if algFamily(a) == famNone {
			return fmt.Errorf("jwt: unsupported algorithm %q", a)
		}
	}
	return nil
}

// newVerifyKey normalizes k and checks that it can verify at least one of
// algs.
func newVerifyKey(k Key, algs []string) (*verifyKey, error) {
	pub, fam, err := publicKey(k.Key)
	if err != nil {
		return nil, fmt.Errorf("jwt: key %q: %w", k.ID, err)
	}
	vk := &verifyKey{alg: k.Algorithm, fam: fam, key: pub}
	if k.Algorithm != "" {
		if algFamily(k.Algorithm) == famNone {
			return nil, fmt.Errorf("jwt: key %q: unsupported algorithm %q", k.ID, k.Algorithm)
		}
		if !vk.accepts(k.Algorithm) {
			return nil, fmt.Errorf("jwt: key %q: a %s key cannot be used with %s", k.ID, fam, k.Algorithm)
		}
	}
	for _, a := range algs {
		if vk.accepts(a) {
			return vk, nil
		}
	}
	return nil, fmt.Errorf("jwt: key %q: a %s key matches none of the allowed algorithms %v", k.ID, fam, algs)
}

// defaultAlgorithm picks the signing algorithm for a private key.
func defaultAlgorithm(key any) string {
	switch k := key.(type) {
	case []byte:
		return "HS256"
	case *rsa.PrivateKey:
		return "RS256"
	case *ecdsa.PrivateKey:
		if k == nil || k.Curve == nil {
			return ""
		}
		switch k.Curve {
		case elliptic.P256():
			return "ES256"
		case elliptic.P384():
			return "ES384"
		case elliptic.P521():
			return "ES512"
		}
	case ed25519.PrivateKey:
		return "EdDSA"
	}
	return ""
}
