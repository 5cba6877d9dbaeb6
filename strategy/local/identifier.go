package local

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/secure/precis"
)

// ErrInvalidIdentifier is wrapped by the errors of [CanonicalUsername] and
// [CanonicalEmail] for an identifier that has no canonical form: empty,
// not valid UTF-8, holding a control, format or bidi control character, or
// refused by the PRECIS profile or IDNA. The strategy answers such a
// username with a 400 fail whose reason matches
// [strategy.ErrMalformedCredentials].
var ErrInvalidIdentifier = errors.New("local: invalid identifier")

// CanonicalizeFunc maps an identifier as a client typed it (a username or
// an e-mail address) to the one form an account is stored and looked up
// under, or returns an error wrapping [ErrInvalidIdentifier]. It must be
// idempotent (canonicalising a canonical form returns it unchanged), so that
// registration and login agree. [CanonicalUsername] and [CanonicalEmail]
// are the two this package gives.
type CanonicalizeFunc func(identifier string) (string, error)

// CanonicalUsername returns the canonical form of a username: surrounding
// white space trimmed, then the PRECIS UsernameCaseMapped profile of RFC
// 8265 (fullwidth and halfwidth characters mapped to their ordinary
// forms, lower-cased, NFC, the Bidi Rule of RFC 5893), so that "ＡＬＩＣＥ",
// "Alice" and "alice" are one account, and "alicé" typed with a combining
// accent is the same account as with a precomposed one.
//
// Before the profile runs, any control character, format character
// (Unicode category Cf, such as U+200B ZERO WIDTH SPACE or U+00AD SOFT
// HYPHEN) and bidi control (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F,
// U+061C) is refused, not dropped: a right-to-left override can make
// "alice\u202Eecila" display as something else entirely. Letters of
// right-to-left scripts stay allowed where the Bidi Rule allows them.
// Spaces inside a username and most symbols are refused by the profile.
//
// Security note: PRECIS does not fold look-alikes from different scripts
// or letters such as the dotless "ı" into "i"; both are legitimate
// letters. An app that wants one account per visual skeleton checks that
// at registration, where it can refuse with a message.
func CanonicalUsername(username string) (string, error) {
	s, err := precheck(username)
	if err != nil {
		return "", err
	}
	out, err := precis.UsernameCaseMapped.String(s)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidIdentifier, err)
	}
	return postcheck(out)
}

// CanonicalEmail returns the canonical form of an e-mail address: the
// local part (before the last "@") through [CanonicalUsername], the domain
// through IDNA's lookup profile (UTS #46 mapping, then the ASCII form, so
// "bücher.example" and "xn--bcher-kva.example" are one domain), lower-case.
// It does not check that the address exists or that it is one net/mail
// accepts; quoted local parts and spaces are refused by the profile.
//
// Lower-casing the local part treats "Alice@example.com" and
// "alice@example.com" as one account, as nearly every mail provider does,
// although RFC 5321 lets a server tell them apart.
func CanonicalEmail(email string) (string, error) {
	s, err := precheck(email)
	if err != nil {
		return "", err
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return "", fmt.Errorf("%w: not an e-mail address", ErrInvalidIdentifier)
	}
	localPart, err := CanonicalUsername(s[:at])
	if err != nil {
		return "", err
	}
	if strings.Contains(localPart, "@") {
		return "", fmt.Errorf("%w: more than one @", ErrInvalidIdentifier)
	}
	domain, err := idnaProfile().ToASCII(s[at+1:])
	if err != nil {
		return "", fmt.Errorf("%w: domain: %w", ErrInvalidIdentifier, err)
	}
	domain = strings.TrimSuffix(strings.ToLower(domain), ".")
	for label := range strings.SplitSeq(domain, ".") {
		if label == "" {
			return "", fmt.Errorf("%w: empty label in the domain", ErrInvalidIdentifier)
		}
	}
	return postcheck(localPart + "@" + domain)
}

// idnaProfile is IDNA's lookup profile with the hostname rules (STD3:
// letters, digits and hyphens) and the Bidi Rule.
func idnaProfile() *idna.Profile {
	return idna.New(
		idna.MapForLookup(),
		idna.BidiRule(),
		idna.StrictDomainName(true),
		idna.ValidateLabels(true),
		idna.Transitional(false),
	)
}

// precheck trims s and refuses invalid UTF-8, control, format and bidi
// control characters.
func precheck(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%w: not valid UTF-8", ErrInvalidIdentifier)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return "", fmt.Errorf("%w: empty", ErrInvalidIdentifier)
	}
	if i := strings.IndexFunc(s, forbiddenRune); i >= 0 {
		r, _ := utf8.DecodeRuneInString(s[i:])
		return "", fmt.Errorf("%w: character %U is not allowed", ErrInvalidIdentifier, r)
	}
	return s, nil
}

// postcheck makes sure a canonical form holds no character that precheck
// refuses, whatever a mapping produced.
func postcheck(s string) (string, error) {
	if s == "" || strings.ContainsFunc(s, forbiddenRune) || strings.ContainsFunc(s, unicode.IsSpace) {
		return "", fmt.Errorf("%w: no canonical form", ErrInvalidIdentifier)
	}
	return s, nil
}

// forbiddenRune reports a control character, a format character (Cf) or a
// bidi or join control.
func forbiddenRune(r rune) bool {
	return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) ||
		unicode.Is(unicode.Bidi_Control, r) || unicode.Is(unicode.Join_Control, r) ||
		r == utf8.RuneError
}
