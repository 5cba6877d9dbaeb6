package passport

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// maxReturnTo bounds a remembered path.
const maxReturnTo = 2048

// SafeReturnTo returns target if it is a same-origin relative path that
// every browser reads as such, and "/" otherwise. It refuses absolute URLs
// (https://evil.test, javascript:...), protocol-relative ones (//evil.test),
// backslashes that browsers turn into slashes (/\evil.test), the same tricks
// percent-encoded (/%2F%2Fevil.test, /%5Cevil.test), control characters
// (CR/LF header injection), invalid UTF-8 and anything over 2 KiB.
func SafeReturnTo(target string) string {
	if !safeReturnTo(target) {
		return "/"
	}
	return target
}

func safeReturnTo(t string) bool {
	if len(t) == 0 || len(t) > maxReturnTo || t[0] != '/' || !utf8.ValidString(t) {
		return false
	}
	for i := 0; i < len(t); i++ {
		if c := t[i]; c < 0x20 || c == 0x7f || c == '\\' {
			return false
		}
	}
	// Look through percent-encoding as a browser or a later decode would,
	// a few levels deep.
	decoded := t
	for range 3 {
		if len(decoded) > 1 && (decoded[1] == '/' || decoded[1] == '\\') {
			return false
		}
		if strings.ContainsAny(decoded, "\\\r\n\t\x00") {
			return false
		}
		next, err := url.PathUnescape(decoded)
		if err != nil {
			return false
		}
		if next == decoded {
			break
		}
		decoded = next
	}
	u, err := url.Parse(t)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return false
	}
	return strings.HasPrefix(u.Path, "/") || u.Path == ""
}
