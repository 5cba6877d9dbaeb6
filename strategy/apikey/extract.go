package apikey

import (
	"net/http"
	"strings"

	"github.com/gopassport/passport/strategy"
)

// The reasons of a key that is absent or cannot be read.
const (
	errNoKey             strategy.MissingError   = "apikey: no key"
	errRepeatedHeader    strategy.MalformedError = "apikey: key header repeated"
	errRepeatedAuth      strategy.MalformedError = "apikey: repeated authorization header"
	errRepeatedQuery     strategy.MalformedError = "apikey: key query parameter repeated"
	errTooLong           strategy.MalformedError = "apikey: key too long"
	errInvalidCharacters strategy.MalformedError = "apikey: key has characters other than visible ASCII"
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
