// Package local is the username and password strategy: it reads the
// credentials from a form or JSON body, throttles repeated failures per
// account and per client address (with package throttle), and hands the
// credentials to the app's Verify callback. Passwords are hashed and
// checked by package password, whose Verify and NewVerify make that
// callback from a lookup of the stored hash.
//
// A login route with users in a map (an app keeps them in a database):
//
//	hasher := &password.Hasher{}
//	hash, err := hasher.Hash("correct horse battery staple")
//	if err != nil {
//		log.Fatal(err)
//	}
//	users := map[string]string{"alice": hash} // username → stored hash
//
//	s, err := local.New(local.Config[string]{
//		UsernameField: "email",
//		Throttle:      throttle.NewMemory(throttle.MemoryConfig{}),
//		Verify: password.Verify(func(ctx context.Context, name string) (string, string, error) {
//			h, ok := users[name]
//			if !ok {
//				return "", "", strategy.ErrUserNotFound
//			}
//			return name, h, nil
//		}, hasher),
//	})
//	if err != nil {
//		log.Fatal(err)
//	}
//	auth.Use("local", s) // passport.Authenticator
//
// # Security notes
//
// Credentials are only read from the body of a POST, PUT or PATCH request,
// never from the URL, where they would end up in logs and browser history.
// Oversized usernames, passwords and bodies are refused before any hashing,
// so a client cannot make the server hash megabytes.
//
// An unknown username must cost as much as a wrong password, or the
// response time tells which usernames exist: password.Verify checks the
// password against a dummy hash then, and a hand-written Verify should call
// password.Hasher.CheckDummy.
//
// A throttle.Throttler refuses attempts on an account or from an address
// with too many recent failures, with 429 and Retry-After. It is on by
// default (a throttle.Memory; [Config.DisableThrottle] turns it off). A
// refused attempt never reaches Verify, so even the right password is
// refused during a lock: a guesser learns nothing from it. throttle.Memory
// keeps its counts in memory for a single instance; several instances need
// a shared store behind the same interface.
//
// So that a lock cannot be used against the account's owner, every
// successful login gets a signed device cookie, and an attempt that carries
// a valid one for its username has a budget of its own, which the lock that
// unknown clients caused does not touch (OWASP's device cookies; see
// [Config.DeviceCookies]).
//
// Usernames are canonicalised before anything else ([CanonicalUsername] by
// default, [CanonicalEmail] for addresses): fullwidth, case and composed
// spellings of a name are one account and one throttle budget, and format
// and bidi characters (U+202E RIGHT-TO-LEFT OVERRIDE, zero-width
// characters) are refused. Register accounts under the same function.
package local
