package sqltokens

import (
	"fmt"

	"github.com/gopassport/passport/internal/sqlfault"
	"github.com/gopassport/passport/strategy"
)

// fault wraps a database error for op: with [strategy.ErrUnavailable] too
// when the database could not be reached, so that a refresh or an access
// token check answers 503 rather than 500.
func fault(op string, err error) error {
	if sqlfault.Unavailable(err) {
		return fmt.Errorf("sqltokens: %s: %w: %w", op, strategy.ErrUnavailable, err)
	}
	return fmt.Errorf("sqltokens: %s: %w", op, err)
}
