package hmacsig

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/gopassport/passport/strategy"
)

// errBodyTooLarge is wrapped by readBody's error for a body over the
// limit; the strategy answers it with 413.
var errBodyTooLarge = errors.New("hmacsig: body too large")

// readBody reads r's body, at most limit bytes, and puts it back in r.Body
// so that the handler (or the next strategy of the route) reads it whole.
// Whatever happens, r.Body is left holding what was read followed by what
// was not, so a fail here never eats the body.
//
// A body larger than limit, by its Content-Length or once read, or over a
// limit the app set with [http.MaxBytesReader], is an error wrapping
// errBodyTooLarge; a body that cannot be read (the client went away) is an
// error wrapping [strategy.ErrMalformedCredentials]. Both wrap the latter.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if r.ContentLength > limit {
		return nil, fmt.Errorf("%w: Content-Length %d over %d: %w", errBodyTooLarge, r.ContentLength, limit, strategy.ErrMalformedCredentials)
	}
	orig := r.Body
	body, err := io.ReadAll(io.LimitReader(orig, limit+1))
	r.Body = restored{Reader: io.MultiReader(bytes.NewReader(body), orig), Closer: orig}
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return nil, fmt.Errorf("%w: %w: %w", errBodyTooLarge, err, strategy.ErrMalformedCredentials)
	}
	if err != nil {
		return nil, fmt.Errorf("hmacsig: reading the body: %w: %w", err, strategy.ErrMalformedCredentials)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("%w: over %d bytes: %w", errBodyTooLarge, limit, strategy.ErrMalformedCredentials)
	}
	return body, nil
}

// restored is a request body put back after reading: the bytes read, then
// the rest of the original body, which it closes.
type restored struct {
	io.Reader
	io.Closer
}
