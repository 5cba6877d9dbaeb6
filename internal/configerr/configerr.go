// Package configerr builds the configuration errors of the module's
// packages: each has its own ErrInvalidConfig sentinel, and reports a
// mistake in its own words ("apikey: Config.Header ... is not a valid
// header name") rather than after the sentinel's text, while
// errors.Is(err, pkg.ErrInvalidConfig) holds.
package configerr

import "fmt"

// Error is a configuration mistake: its message is the mistake's own, and
// it matches its sentinel as well as the cause it wraps.
type Error struct {
	sentinel error
	err      error
}

// Error returns the mistake's message.
func (e *Error) Error() string { return e.err.Error() }

// Unwrap returns the sentinel and the error that says the mistake (and,
// through it, a cause wrapped with %w).
func (e *Error) Unwrap() []error { return []error{e.sentinel, e.err} }

// Errorf returns a configuration mistake matching sentinel, with the
// message of fmt.Errorf(format, args...); a %w verb names a cause.
func Errorf(sentinel error, format string, args ...any) error {
	return &Error{sentinel: sentinel, err: fmt.Errorf(format, args...)}
}

// Wrap marks err, when not nil, as a configuration mistake matching
// sentinel.
func Wrap(sentinel, err error) error {
	if err == nil {
		return nil
	}
	return &Error{sentinel: sentinel, err: err}
}
