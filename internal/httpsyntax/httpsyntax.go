// Package httpsyntax checks the small pieces of HTTP syntax that the
// module's configurations name: header names, auth-schemes and cookie
// names (RFC 6265's cookie-name), all of which are RFC 9110 tokens.
package httpsyntax

import "strings"

// IsToken reports whether s is a non-empty RFC 9110 token: letters,
// digits and !#$%&'*+-.^_`|~ only.
func IsToken(s string) bool {
	if s == "" {
		return false
	}
	for i := range len(s) {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
