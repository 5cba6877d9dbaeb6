// Package storetest is the kit that every server-side session store runs,
// this module's (session/sqlstore, session/redisstore) and a third
// party's, as strategy/strategytest is for strategies. [Run] drives a
// [session.Manager] over stores made by the caller, one per subtest,
// through the manager's net/http middleware as an app does, and checks
// the properties the manager's security rests on:
//
//   - FreshIDs: a session ID never comes from the request. A sealed cookie
//     of an ID the store no longer has, an unsealed ID, another session's
//     bare ID, a value sealed with a foreign key and garbage are all an
//     anonymous visitor, whose next save gets a fresh ID.
//   - RegenerateEndsTheOldSession: after a login, the cookie of the
//     session before it is worth nothing.
//   - NoResurrection: a request that loaded a session before another
//     request logged out or logged in (Destroy, Regenerate) cannot bring it
//     back by saving its copy: the save fails with an error matching
//     fs.ErrNotExist, sets no cookie, and the old cookie stays anonymous.
//   - Lifetimes: the record expires when the session ends by the manager's
//     idle and absolute timeouts ([session.ExpiresAt]), followed over an
//     hour of activity with a fake clock ([Config.Clock]) shared by the
//     store and the manager. The expiry is read with [Config.Expires], or
//     from the session's [session.Record]; without either it is skipped.
//   - ConcurrentSaves: requests saving one session at once never lose its
//     user ([session.UserKey]) nor its ID.
//   - UserSessions, when the store implements [session.UserSessions]: a
//     list shows each login with its handle ([session.Handle]), its user
//     agent cut to 256 bytes and its address, never an ID, newest first;
//     DeleteUserSession with another user's handle (or with an ID) ends
//     nothing; DeleteUserSessions with except keeps that one; a request
//     still running when its session is ended so cannot save it back.
//
// A store's test:
//
//	func TestKit(t *testing.T) {
//		clock := storetest.NewClock()
//		storetest.RunWith(t, func(t *testing.T) sessions.Store {
//			return newStoreForTest(t, clock.Now) // empty, the test's own
//		}, storetest.Config{Clock: clock})
//	}
//
// Subtests run one after another (the clock is shared); run them with
// -race.
package storetest
