package main

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/mtibben/confusables"
	"golang.org/x/text/unicode/norm"

	"github.com/gopassport/passport/strategy/local"
)

// accountKey is the key an e-mail address is registered, looked up and
// throttled under: local.CanonicalEmail (PRECIS on the local part, IDNA on
// the domain, no format or bidi characters), then the local part folded to
// its look-alike skeleton: accents dropped and each character mapped to the
// one it is confusable with (Unicode's confusables, UTS #39), so that
// "alice", "alicé", "alıce" and "аlice" with a Cyrillic "а" are one account.
// Registering a look-alike of an existing address is refused as taken, and
// logging in with one reaches the same account (the password still has to
// be right) and the same throttle budget.
//
// The fold is repeated until it no longer changes the key, so that
// accountKey(accountKey(x)) == accountKey(x): the strategy hands the key to
// verify, which looks it up through accountKey again.
func accountKey(email string) (string, error) {
	key, err := local.CanonicalEmail(email)
	if err != nil {
		return "", err
	}
	for range 4 {
		next, err := foldOnce(key)
		if err != nil {
			return "", err
		}
		if next == key {
			return key, nil
		}
		key = next
	}
	return "", fmt.Errorf("demo: %w: the account key of %q does not settle", local.ErrInvalidIdentifier, email)
}

// foldOnce folds the local part of a canonical address and canonicalises
// the result again.
func foldOnce(canonical string) (string, error) {
	at := strings.LastIndexByte(canonical, '@')
	if at < 0 {
		return "", fmt.Errorf("demo: %w: not an e-mail address", local.ErrInvalidIdentifier)
	}
	return local.CanonicalEmail(skeleton(canonical[:at]) + canonical[at:])
}

// skeleton drops combining marks and maps confusable characters to their
// prototypes, lower-cased.
func skeleton(s string) string {
	s = dropMarks(norm.NFD.String(s))
	s = dropMarks(confusables.Skeleton(s))
	return strings.ToLower(norm.NFC.String(s))
}

// dropMarks removes nonspacing marks (accents, and the combining
// characters a look-alike hides behind).
func dropMarks(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.Is(unicode.Mn, r) {
			return -1
		}
		return r
	}, s)
}
