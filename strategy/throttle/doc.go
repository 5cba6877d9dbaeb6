// Package throttle limits repeated authentication failures, for the
// strategies that check a secret a client can guess: strategy/local,
// strategy/basic and strategy/apikey take the same [Throttler].
//
// [Memory] keeps per-account, per-address and per-device budgets in memory
// for an app that runs as one instance; [DeviceCookies] issues and checks
// the signed device cookies of OWASP's "slow brute force" defence, so that
// an attacker who keeps an account locked does not lock out its owner's
// browsers.
//
//	t := throttle.NewMemory(throttle.MemoryConfig{}) // 10 failures per account, 100 per address, per 15 minutes
//	a := throttle.Attempt{Username: "alice", IP: "192.0.2.1"}
//	wait, err := t.Allow(ctx, a)
//	switch {
//	case err != nil:
//		return err // a fault: 500
//	case wait > 0:
//		// refuse with 429 and Retry-After: throttle.RetryAfter(wait)
//	}
//	ok := checkPassword() // the attempt is allowed: check the secret
//	outcome := throttle.VerdictFailure
//	if ok {
//		outcome = throttle.VerdictSuccess
//	}
//	err = t.Done(context.WithoutCancel(ctx), a, outcome)
//
// The package imports only the standard library.
package throttle
