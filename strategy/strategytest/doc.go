// Package strategytest is the kit strategy authors test with, as
// chai-passport-strategy is for Passport.js: a request builder, a runner
// that checks a strategy gave exactly the one outcome a test expects, and a
// conformance suite that every strategy should pass.
//
// It imports only the standard library and package strategy, so a
// strategy's tests need nothing else.
//
//	func TestHeaderToken(t *testing.T) {
//		s := headerToken{users: map[string]string{"s3cret": "alice"}}
//
//		r := strategytest.NewRequest("GET", "/").Header("X-Token", "s3cret").Build()
//		strategytest.Run(t, s, r).SuccessWith(t, "alice")
//
//		r = strategytest.NewRequest("GET", "/").Header("X-Token", "wrong").Build()
//		strategytest.Run(t, s, r).FailWithChallenge(t, 401, "Token")
//	}
//
//	func TestHeaderTokenConformance(t *testing.T) {
//		strategytest.Conformance(t,
//			func(testing.TB) strategy.Strategy[string] { return headerToken{users: map[string]string{"s3cret": "alice"}} },
//			strategytest.ConformanceCases{
//				Good: []strategytest.Case{{Name: "known token", Request: strategytest.NewRequest("GET", "/").Header("X-Token", "s3cret")}},
//				Bad:  []strategytest.Case{{Name: "unknown token", Request: strategytest.NewRequest("GET", "/").Header("X-Token", "nope")}},
//			})
//	}
//
// [Run] recovers a panic and reports it with its stack. The assertion
// methods of [Call] catch a strategy that gives no outcome (a zero
// Result and a nil error), two outcomes (a Result and an error), the wrong
// outcome, or a malformed one (see [Validate]).
//
// [Conformance] sends the requests of [HostileRequests] (garbage, empty and
// 1 MiB input), the author's known-bad and known-good requests, all of them
// from many goroutines at once, and all of them again to check that no
// request changed what the next one sees. Run it with -race.
//
// Values that package session keeps will be put into a request's context
// through [RequestBuilder.WithContext], the hook that [LoggedInAs] and
// [RequestBuilder.ClientIP] already use.
package strategytest
