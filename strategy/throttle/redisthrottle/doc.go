// Package redisthrottle is a [throttle.Throttler] that keeps its counts in
// Redis, for an app that runs as more than one instance: every instance
// that uses the same Redis and KeyPrefix shares one failure budget per
// account, per client address (per /64 for IPv6) and per device cookie. The
// policy is [throttle.Memory]'s, with the same limits, delays and defaults:
// failures are free until a limit is reached within Window, the failure
// that reaches it locks for BaseDelay, each further one doubles the lock up
// to MaxDelay; a success forgets the account's (or the device's) failures,
// not the address's; an aborted attempt counts nothing; an attempt with a
// Device counts against its device only.
//
//	rdb := redis.NewUniversalClient(&redis.UniversalOptions{
//		Addrs:                 []string{"127.0.0.1:6379"},
//		ContextTimeoutEnabled: true, // required: Config.Timeout bounds every call
//	})
//	t, err := redisthrottle.New(rdb, redisthrottle.Config{})
//	...
//	s, err := local.New(local.Config[User]{Verify: verify, Throttle: t})
//
// # Keys
//
// Each account, address and device is one Redis hash (failures, when they
// are forgotten, the end of the lock, the attempts in flight and when those
// are dropped) under
//
//	<KeyPrefix>{t}:a:<base64url SHA-256 of the username>
//	<KeyPrefix>{t}:i:<address, or its /64 network>
//	<KeyPrefix>{t}:d:<base64url SHA-256 of the username, NUL, the device ID>
//
// Usernames (often e-mail addresses) and device IDs are hashed, so that
// they are not in the key space in clear and every key has a fixed length;
// a client address that does not parse is hashed too (under i:h:). Every
// key has a TTL (PEXPIRE): it expires when it would hold nothing, Window
// after the last failure series or lock, or Window after the last attempt
// in flight; a record left empty by Done is deleted at once.
//
// The hash tag {t} puts every record of a prefix in one hash slot: an
// attempt's account and address records are read and written by one
// script, and Redis Cluster runs a script only on keys of one slot. One
// shard thus serves all throttling of a prefix, which login traffic is far
// from filling.
//
// # Scripts and round trips
//
// Allow and Done are each one Lua script, run with EVALSHA (go-redis's
// Script.Run, which falls back to EVAL once after a server lost its script
// cache): one round trip per call, none for an attempt with neither
// username nor address. Allow checks every record of the attempt and, when
// none refuses it, reserves the attempt as in flight on all of them in the
// same script, so that concurrent attempts on any number of instances
// cannot overrun a limit before their failures are counted (no more
// attempts are in flight than failures are left). Done releases the
// reservation and counts the verdict. A reservation that is never released
// (an instance that died between Allow and Done) is dropped Window after
// the last Allow on that record.
//
// The scripts use Redis's own clock (TIME), so that instances whose clocks
// differ agree on windows and locks; Config.Now replaces it in tests.
// Durations are kept in milliseconds, rounded up.
//
// # When Redis is unavailable
//
// Every call is bounded by Config.Timeout (default 500 ms). The client must
// have ContextTimeoutEnabled set, without which go-redis ignores the
// context's deadline on its sockets; [New] refuses a client that does not.
// A Redis that is down, times out or refuses (LOADING, READONLY, OOM,
// BUSY, CLUSTERDOWN, NOAUTH …) makes Allow and Done return an error
// wrapping [strategy.ErrUnavailable]: the login answers 503 with
// Retry-After and nobody is let in unthrottled. That is the default: the
// throttle fails closed. With Config.FailOpen, Allow lets the attempt
// through and Done drops its outcome, each logging at Error level; choose
// it only when logins matter more than guessing during an outage. A fault
// that no retry would change (a key of another type under the prefix, an
// ERR reply) is returned as a plain error (500) and never fails open. A
// context that the caller cancelled is returned as it is.
//
// A call that timed out on a stalled server may still run when the server
// wakes up (its command was sent): an Allow then holds a reservation that
// no Done releases, which costs that account or address one attempt of its
// budget until Window after its last Allow, and a Done may count its
// failure after all. Both err on the side of fewer guesses.
package redisthrottle
