// Package password hashes passwords and checks them: argon2id in PHC format
// by default, bcrypt hashes from an older system accepted, comparisons in
// constant time, and rehashing on login when a stored hash is weaker than
// what the [Hasher] makes now. It serves every strategy that checks a
// password (strategy/local, strategy/basic) and an app's own registration
// code; it knows nothing of HTTP.
//
//	hash, err := password.Hash("correct horse battery staple") // store it with the user
//	if err != nil {
//		return err
//	}
//	ok, err := password.Check(hash, attempt) // err: the stored hash is malformed (a fault)
//
// [Verify] and [NewVerify] build the Verify callback of strategy/local and
// strategy/basic from a lookup of the stored hash:
//
//	s, err := local.New(local.Config[*User]{
//		Verify: password.Verify(users.LookupHash, nil), // nil: the default Hasher
//	})
//
// # Security notes
//
// Passwords are stored as argon2id hashes with at least OWASP's parameters
// (19 MiB, 2 iterations). bcrypt hashes are accepted by [Check]; bcrypt
// reads only the first 72 bytes of a password, so [NeedsRehash] reports
// them (and argon2id hashes made with weaker parameters), and [NewVerify]
// with a Rehash callback stores a new hash on the next successful login,
// when the password is at hand.
//
// A stored hash with absurd parameters (more than 256 MiB, more than 16
// iterations, a bcrypt cost over 16) is refused with [ErrMalformedHash]
// rather than checked, so that a corrupt or planted record cannot exhaust
// the server.
//
// An unknown username must cost as much as a wrong password, or the
// response time tells which usernames exist: the callbacks of [Verify] and
// [NewVerify] check the password against a dummy hash then, and a
// hand-written one should call [Hasher.CheckDummy].
package password
