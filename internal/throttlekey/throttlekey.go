// Package throttlekey derives the keys the module's throttles count
// attempts under, and checks the limits their configs share, so that
// throttle.Memory, redisthrottle and sqlthrottle count and refuse alike.
package throttlekey

import (
	"crypto/sha256"
	"encoding/base64"
	"net/netip"
)

// Address returns the key a client address counts under: the address
// itself, or its /64 network for IPv6, where one client commonly holds a
// whole /64. ok is false for a value that is not an address.
func Address(ip string) (key string, ok bool) {
	addr, err := netip.ParseAddr(ip)
	if err != nil {
		return "", false
	}
	addr = addr.Unmap().WithZone("")
	if addr.Is4() {
		return addr.String(), true
	}
	p, err := addr.Prefix(64)
	if err != nil {
		return addr.String(), true
	}
	return p.String(), true
}

// Hashed returns prefix followed by the SHA-256 (base64url, 43 bytes) of
// name, and of NUL and device when device is not empty: usernames are
// often e-mail addresses, which stay out of a shared store (and of its
// backups) in clear, and the key's length is fixed.
func Hashed(prefix, name, device string) string {
	h := sha256.New()
	h.Write([]byte(name))
	if device != "" {
		h.Write([]byte{0})
		h.Write([]byte(device))
	}
	var sum [sha256.Size]byte
	buf := make([]byte, 0, len(prefix)+base64.RawURLEncoding.EncodedLen(sha256.Size))
	buf = append(buf, prefix...)
	buf = base64.RawURLEncoding.AppendEncode(buf, h.Sum(sum[:0]))
	return string(buf)
}
