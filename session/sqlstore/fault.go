package sqlstore

import (
	"fmt"

	"github.com/gopassport/passport/internal/sqlfault"
	"github.com/gopassport/passport/strategy"
)

// fault wraps a database error for op ("loading session", …): with
// [strategy.ErrUnavailable] too when the database could not be reached, so
// that passport answers 503 with Retry-After rather than 500.
func fault(op string, err error) error {
	if sqlfault.Unavailable(err) {
		return fmt.Errorf("sqlstore: %s: %w: %w", op, strategy.ErrUnavailable, err)
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}
