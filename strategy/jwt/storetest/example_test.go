package storetest_test

import (
	"testing"

	"github.com/gopassport/passport/strategy/jwt"
	"github.com/gopassport/passport/strategy/jwt/storetest"
)

// A store's test file runs the whole suite with one call; each subtest
// gets a fresh store.
func ExampleRun() {
	testMemoryStore := func(t *testing.T) {
		storetest.Run(t, func(*testing.T) jwt.Store { return jwt.NewMemoryStore(jwt.MemoryStoreConfig{}) })
	}
	_ = testMemoryStore // func TestMemoryStore(t *testing.T) { ... } in a _test.go file
}
