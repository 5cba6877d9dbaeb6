package passport

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"testing"
)

// FuzzCSRFToken feeds validCSRFToken, the parser of the token a client
// sends, arbitrary strings: it never panics, and it accepts a string only
// when it is the one base64url spelling of a mask and the masked secret.
func FuzzCSRFToken(f *testing.F) {
	secret := bytes.Repeat([]byte{7}, csrfSecretLen)
	var buf [2 * csrfSecretLen]byte
	for i := range csrfSecretLen {
		buf[i] = byte(i)
	}
	subtle.XORBytes(buf[csrfSecretLen:], buf[:csrfSecretLen], secret)
	good := base64.RawURLEncoding.EncodeToString(buf[:])
	if !validCSRFToken(secret, good) {
		f.Fatal("a genuine token is refused")
	}
	f.Add(good)
	f.Add("")
	f.Add(good[:len(good)-1])
	f.Add(good + "A")
	f.Add(base64.StdEncoding.EncodeToString(buf[:]))
	f.Fuzz(func(t *testing.T, token string) {
		if !validCSRFToken(secret, token) {
			return
		}
		raw, err := base64.RawURLEncoding.Strict().DecodeString(token)
		if err != nil || len(raw) != 2*csrfSecretLen {
			t.Fatalf("accepted %q, which is not 64 bytes of base64url (%v)", token, err)
		}
		if base64.RawURLEncoding.EncodeToString(raw) != token {
			t.Fatalf("accepted %q, a second spelling", token)
		}
		unmasked := make([]byte, csrfSecretLen)
		subtle.XORBytes(unmasked, raw[:csrfSecretLen], raw[csrfSecretLen:])
		if !bytes.Equal(unmasked, secret) {
			t.Fatalf("accepted %q, which does not unmask to the secret", token)
		}
		if validCSRFToken(bytes.Repeat([]byte{8}, csrfSecretLen), token) {
			t.Fatalf("%q is valid for two secrets", token)
		}
	})
}
