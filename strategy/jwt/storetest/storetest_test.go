package storetest_test

import (
	"testing"

	"github.com/gopassport/passport/strategy/jwt"
	"github.com/gopassport/passport/strategy/jwt/storetest"
)

// TestRunMemoryStore runs the suite on the reference implementation, so
// that the suite itself is exercised in this package.
func TestRunMemoryStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) jwt.Store { return jwt.NewMemoryStore(jwt.MemoryStoreConfig{}) })
}
