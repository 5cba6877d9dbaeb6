package configerr_test

import (
	"errors"
	"testing"

	"github.com/gopassport/passport/internal/configerr"
)

func TestConfigErrors(t *testing.T) {
	sentinel := errors.New("x: invalid config")
	cause := errors.New("cause")
	tests := []struct {
		name string
		err  error
		text string
		is   []error
	}{
		{"ok, Errorf", configerr.Errorf(sentinel, "x: Config.A %d is negative", -1), "x: Config.A -1 is negative", []error{sentinel}},
		{"ok, Errorf with a cause", configerr.Errorf(sentinel, "x: Config.B: %w", cause), "x: Config.B: cause", []error{sentinel, cause}},
		{"ok, Wrap", configerr.Wrap(sentinel, cause), "cause", []error{sentinel, cause}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.err.Error() != tt.text {
				t.Errorf("Error() = %q; want %q", tt.err.Error(), tt.text)
			}
			for _, target := range tt.is {
				if !errors.Is(tt.err, target) {
					t.Errorf("errors.Is(%v) = false", target)
				}
			}
		})
	}
	if configerr.Wrap(sentinel, nil) != nil {
		t.Error("Wrap(nil) is not nil")
	}
}
