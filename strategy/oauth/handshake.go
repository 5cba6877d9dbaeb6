package oauth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// handshakeVersion is the format of the stored handshake.
const handshakeVersion = 1

// maxHandshake bounds a stored handshake read back from the session.
const maxHandshake = 16 << 10

// randomBytes is the entropy of a state, nonce and PKCE verifier: 256 bits.
const randomBytes = 32

// SessionKeyPrefix starts the session key under which a strategy keeps its
// handshake between the begin and the callback: the prefix followed by
// the strategy's name, such as "passport.oauth.github".
const SessionKeyPrefix = "passport.oauth."

// handshake is what the begin leg keeps in the session for the callback.
type handshake struct {
	Version  int    `json:"v"`
	Provider string `json:"p"`
	State    string `json:"s"`
	Verifier string `json:"cv,omitempty"`
	Nonce    string `json:"n,omitempty"`
	ReturnTo string `json:"r,omitempty"`
	Created  int64  `json:"t"`
	Session  string `json:"g,omitempty"` // goth.Session.Marshal(), for goth's own flow
}

var errBadHandshake = errors.New("oauth: stored handshake does not parse")

func (h handshake) encode() (string, error) {
	b, err := json.Marshal(h)
	if err != nil {
		return "", fmt.Errorf("oauth: encoding the handshake: %w", err)
	}
	return string(b), nil
}

// decodeHandshake parses a stored handshake. The session store may keep
// it outside the server (a cookie store), so it is read as untrusted input:
// any malformed value is errBadHandshake, never a panic.
func decodeHandshake(s string) (handshake, error) {
	var h handshake
	if len(s) == 0 || len(s) > maxHandshake || !utf8.ValidString(s) {
		return h, errBadHandshake
	}
	if err := json.Unmarshal([]byte(s), &h); err != nil {
		return handshake{}, errBadHandshake
	}
	tokenLen := base64.RawURLEncoding.EncodedLen(randomBytes)
	if h.Version != handshakeVersion || h.Provider == "" || len(h.State) != tokenLen || h.Created <= 0 ||
		(h.Verifier != "" && len(h.Verifier) != tokenLen) || (h.Nonce != "" && len(h.Nonce) != tokenLen) ||
		(h.ReturnTo != "" && !safeReturnTo(h.ReturnTo)) {
		return handshake{}, errBadHandshake
	}
	return h, nil
}

// randomToken returns 256 random bits in base64url without padding (43
// characters): a state, a nonce, or a PKCE verifier (RFC 7636 allows 43 to
// 128 characters of this alphabet).
func randomToken() (string, error) {
	var b [randomBytes]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("oauth: reading random bytes: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// s256 is the PKCE S256 code challenge of verifier.
func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// safeReturnTo reports whether target may be remembered as the page to go
// back to: a same-origin relative path, short, printable. passport checks
// it again (SafeReturnTo) before redirecting.
func safeReturnTo(target string) bool {
	if len(target) == 0 || len(target) > 2048 || target[0] != '/' || !utf8.ValidString(target) {
		return false
	}
	if len(target) > 1 && (target[1] == '/' || target[1] == '\\') {
		return false
	}
	return !strings.ContainsFunc(target, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' })
}
