package basic

import (
	"encoding/base64"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gopassport/passport/strategy"
)

// The reasons of a credentials that is absent or cannot be read.
const (
	errNoHeader         strategy.MissingError   = "basic: no authorization header"
	errOtherScheme      strategy.MissingError   = "basic: authorization header of another scheme"
	errEmpty            strategy.MissingError   = "basic: empty credentials"
	errEmptyUsername    strategy.MissingError   = "basic: empty username"
	errRepeatedHeader   strategy.MalformedError = "basic: repeated authorization header"
	errTooLong          strategy.MalformedError = "basic: credentials too long"
	errBadBase64        strategy.MalformedError = "basic: credentials are not base64"
	errNoColon          strategy.MalformedError = "basic: no colon between username and password"
	errUsernameTooLong  strategy.MalformedError = "basic: username too long"
	errPasswordTooLong  strategy.MalformedError = "basic: password too long"
	errInvalidUTF8      strategy.MalformedError = "basic: credentials are not UTF-8"
	errControlCharacter strategy.MalformedError = "basic: control character in credentials"
)

// maxEncodedLen is the length of the longest base64 credentials accepted:
// the padded encoding of the longest username, a colon and the longest
// password.
const maxEncodedLen = (MaxUsernameBytes + 1 + MaxPasswordBytes + 2) / 3 * 4

// parseAuthorization reads the Basic credentials from the values of the
// Authorization header. It returns an error that wraps
// strategy.ErrMissingCredentials when there are none (no header, another
// scheme, an empty value or username) or strategy.ErrMalformedCredentials
// when they cannot be read.
func parseAuthorization(values []string) (username, password string, err error) {
	switch len(values) {
	case 0:
		return "", "", errNoHeader
	case 1:
	default:
		return "", "", errRepeatedHeader
	}
	scheme, encoded, _ := strings.Cut(strings.TrimLeft(values[0], " \t"), " ")
	if !strings.EqualFold(scheme, "Basic") {
		return "", "", errOtherScheme
	}
	encoded = strings.Trim(encoded, " \t")
	if encoded == "" {
		return "", "", errEmpty
	}
	if len(encoded) > maxEncodedLen {
		return "", "", errTooLong
	}
	// The decoder skips CR and LF; refuse anything outside the alphabet
	// first so that one set of credentials has one encoding only.
	if strings.ContainsFunc(encoded, notBase64) {
		return "", "", errBadBase64
	}
	decoded, err := base64.StdEncoding.Strict().DecodeString(encoded)
	if err != nil {
		return "", "", errBadBase64
	}
	username, password, ok := strings.Cut(string(decoded), ":")
	switch {
	case !ok:
		return "", "", errNoColon
	case len(username) > MaxUsernameBytes:
		return "", "", errUsernameTooLong
	case len(password) > MaxPasswordBytes:
		return "", "", errPasswordTooLong
	case !utf8.ValidString(username) || !utf8.ValidString(password):
		return "", "", errInvalidUTF8
	case strings.ContainsFunc(username, isControl) || strings.ContainsFunc(password, isControl):
		// RFC 7617 section 2: neither may contain control characters.
		return "", "", errControlCharacter
	case username == "":
		return "", "", errEmptyUsername
	}
	return username, password, nil
}

func notBase64(r rune) bool {
	return !('A' <= r && r <= 'Z' || 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '+' || r == '/' || r == '=')
}

// isControl reports a C0 or C1 control character or DEL.
func isControl(r rune) bool { return unicode.IsControl(r) }
