package apikey

import (
	"net/http"
	"strings"

	"github.com/gopassport/passport/strategy"
)

// missingError is an absent key; it unwraps to
// strategy.ErrMissingCredentials.
type missingError string

func (e missingError) Error() string { return "apikey: " + string(e) }

// Unwrap ties every missingError to strategy.ErrMissingCredentials.
func (e missingError) Unwrap() error { return strategy.ErrMissingCredentials }

// malformedError is a key that cannot be read; it unwraps to
// strategy.ErrMalformedCredentials. Its text never holds request data.
type malformedError string

func (e malformedError) Error() string { return "apikey: " + string(e) }

// Unwrap ties every malformedError to strategy.ErrMalformedCredentials.
func (e malformedError) Unwrap() error { return strategy.ErrMalformedCredentials }

const (
	errNoKey             missingError   = "no key"
	errRepeatedHeader    malformedError = "key header repeated"
	errRepeatedAuth      malformedError = "repeated authorization header"
	errRepeatedQuery     malformedError = "key query parameter repeated"
	errTooLong           malformedError = "key too long"
	errInvalidCharacters malformedError = "key has characters other than visible ASCII"
)

// extract finds the key in r: in the header, else in an Authorization
// header of the scheme, else in the query parameter, each when configured.
// An empty value counts as absent.
func (s *Strategy[U]) extract(r *http.Request) (string, error) {
	if s.header != "" {
		values := r.Header.Values(s.header)
		if len(values) > 1 {
			return "", errRepeatedHeader
		}
		if len(values) == 1 {
			if key := strings.Trim(values[0], " \t"); key != "" {
				return s.check(key)
			}
		}
	}
	if s.scheme != "" {
		values := r.Header.Values("Authorization")
		for _, v := range values {
			scheme, rest, _ := strings.Cut(strings.TrimLeft(v, " \t"), " ")
			if !strings.EqualFold(scheme, s.scheme) {
				continue
			}
			if len(values) > 1 {
				return "", errRepeatedAuth
			}
			if key := strings.Trim(rest, " \t"); key != "" {
				return s.check(key)
			}
		}
	}
	if s.queryParam != "" {
		values := r.URL.Query()[s.queryParam]
		if len(values) > 1 {
			return "", errRepeatedQuery
		}
		if len(values) == 1 && values[0] != "" {
			return s.check(values[0])
		}
	}
	return "", errNoKey
}

// check refuses a key that is too long or holds anything but visible ASCII
// (so also spaces, control characters and UTF-8).
func (s *Strategy[U]) check(key string) (string, error) {
	if len(key) > s.maxKeyBytes {
		return "", errTooLong
	}
	for i := range len(key) {
		if key[i] < 0x21 || key[i] > 0x7e {
			return "", errInvalidCharacters
		}
	}
	return key, nil
}
