// Package strategy is the contract between passport and the strategies that
// authenticate a request: local passwords, OAuth, JWT bearer tokens, API keys,
// and the ones plugin authors write.
//
// A strategy reads an [*http.Request] and answers with exactly one outcome,
// as in Passport.js:
//
//   - [Success]: here is the user (and optional [Info]).
//   - [Fail]: credentials were missing or wrong; a challenge and a status.
//   - [Redirect]: send the browser elsewhere (for example OAuth's first leg).
//   - [Pass]: this strategy does not apply to this request.
//
// The error return is reserved for faults of the server (a database that is
// down, a provider that cannot be reached when that is our problem): it
// becomes a 500. Wrong or missing credentials are never an error; they are a
// [Fail] result, with a sentinel reason such as [ErrInvalidCredentials] that
// callers can branch on with [errors.Is].
//
// Most strategies find the user through a verify callback of the app's,
// which refuses with one of those sentinels. To tell the user why, in its
// own words, the app wraps the sentinel with [WithUserMessage]; the
// strategy reads the text back with [UserMessage] and shows it as the
// fail's [Info.Message] in place of its generic one.
//
// The package imports only the standard library, so strategies written
// against it work with any router: passport adapts them to Echo, and a plain
// net/http program can call [Strategy.Authenticate] itself.
//
//	type headerToken struct{ users map[string]string }
//
//	func (s headerToken) Authenticate(r *http.Request) (strategy.Result[string], error) {
//		tok := r.Header.Get("X-Token")
//		if tok == "" {
//			return strategy.Pass[string](), nil
//		}
//		user, ok := s.users[tok]
//		if !ok {
//			return strategy.Fail[string]("Token", http.StatusUnauthorized, "Invalid token"), nil
//		}
//		return strategy.Success(user, strategy.Info{}), nil
//	}
package strategy
