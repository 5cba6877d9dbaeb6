package strategy_test

import (
	"errors"
	"testing"

	"github.com/gopassport/passport/strategy"
)

// TestParserErrors checks that the constant errors of a parser say their
// text and unwrap to their sentinel, and only to it.
func TestParserErrors(t *testing.T) {
	const (
		missing   strategy.MissingError   = "x: no key"
		malformed strategy.MalformedError = "x: key too long"
	)
	tests := []struct {
		err      error
		text     string
		is, isnt error
	}{
		{missing, "x: no key", strategy.ErrMissingCredentials, strategy.ErrMalformedCredentials},
		{malformed, "x: key too long", strategy.ErrMalformedCredentials, strategy.ErrMissingCredentials},
	}
	for _, tt := range tests {
		if tt.err.Error() != tt.text {
			t.Errorf("Error() = %q; want %q", tt.err.Error(), tt.text)
		}
		if !errors.Is(tt.err, tt.is) || errors.Is(tt.err, tt.isnt) {
			t.Errorf("%q: Is(%v) = %v, Is(%v) = %v", tt.text, tt.is, errors.Is(tt.err, tt.is), tt.isnt, errors.Is(tt.err, tt.isnt))
		}
	}
}
