// Package storetest checks implementations of [jwt.Store], the state of
// refresh tokens and revocations behind a [jwt.Issuer]: saving and reading
// records, single use under concurrency, family and subject revocation,
// and the issuer's rotation, reuse detection and logout on top of the
// store. Every store of the project runs the same suite, from its own
// test file:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) jwt.Store {
//			return mystore.New(t.TempDir())
//		})
//	}
package storetest
