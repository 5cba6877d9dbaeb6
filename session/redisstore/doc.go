// Package redisstore keeps login sessions server-side in Redis, for apps
// that run more than one instance. [Store] is a gorilla/sessions Store:
// put it under a [session.Manager]. It is the twin of session/sqlstore:
// the cookie carries only the session ID, sealed with AES-256-GCM
// ([session.Codec]) under Config.Keys; the values live in Redis, encoded
// with [session.EncodeValues]. Deleting the record ends the session, so a
// copied cookie is worthless after logout, and [session.Session.Regenerate]
// (run by passport's Login and Logout) leaves nothing under the old ID.
//
// # Client
//
// [New] takes any redis.UniversalClient: one address, Sentinel
// (redis.NewFailoverClient) or Cluster. Make it with ContextTimeoutEnabled:
// true; without it go-redis ignores the deadline of Config.Timeout on the
// socket and waits its own ReadTimeout for a stalled server, so New
// refuses such a client.
//
// # Keys
//
// Under Config.KeyPrefix (default "passport:session:"):
//
//	<prefix>s:{<id>}      a hash per session, TTL = when the session ends
//	  d   the values (session.EncodeValues)
//	  c   created, unix ms     s  last saved, unix ms    e  expires, unix ms
//	  ip  client address of the last save (strategy.ClientIP)
//	  ua  its User-Agent, cut to 256 bytes
//	  u   values[session.UserKey] when it is a string, else ""
//	<prefix>u:{<handle>}  a sorted set per user (handle = session.Handle of
//	                      the user): the user's session IDs, scored by expiry
//
// Each key is one logical record, in one hash slot (its hash tag). The TTL
// of a session is its end by the manager's timeouts ([session.ExpiresAt],
// from [Store.SetLifetimes], which [session.New] calls): the earlier of
// creation + AbsoluteTimeout and last activity + IdleTimeout. Values the
// manager did not write fall back to the cookie's MaxAge, and 24 hours for
// a browser-session cookie. A user's index lives as long as its longest
// session (EXPIRE NX, then GT, at every save).
//
// # Cost
//
// Loading a session ([Store.New]) is one command, HGET of the values; a
// request that changes nothing saves nothing (the manager saves only what
// changed, and rewrites the last activity at most once a minute). A save is
// one script, conditional in Redis: an update writes only if the key still
// exists, and otherwise fails with [ErrSessionGone] (matching
// fs.ErrNotExist), so a slow request cannot bring back a session that a
// concurrent login or logout ended; a new session is created only if no key
// has its ID. A session with a user sends its index entry (ZADD, a prune of
// expired entries, the index's TTL) in the same pipeline, before the
// script: one round trip on one server. In a Cluster the index and the
// session are in different slots, so the index is written first and the
// script after it, two round trips. Either way a session never exists
// without its index entry, so [Store.DeleteUserSessions] finds it.
//
// Listing a user's sessions costs two round trips (index, then every
// record), ending them three; each record is deleted by a script only if
// it still belongs to the user, and index entries whose record is gone or
// belongs to someone else are dropped as they are met.
//
// # Failures
//
// Every call is bounded by Config.Timeout (default 500 ms) within the
// request's context. A Redis that is down, slow or refusing is an error
// wrapping [strategy.ErrUnavailable], which passport's root answers 503
// with Retry-After: the session is not taken as anonymous, no cookie is
// cleared or set, and nobody is let in. The scripts are sent by SHA
// (EVALSHA) and again in full after a restart or failover empties the
// server's script cache (NOSCRIPT), at the cost of one more round trip
// once.
//
// A program:
//
//	client := redis.NewUniversalClient(&redis.UniversalOptions{
//		Addrs:                 []string{"127.0.0.1:6379"},
//		ContextTimeoutEnabled: true,
//	})
//	store, err := redisstore.New(client, redisstore.Config{
//		Keys: [][]byte{key}, // 32 random bytes or more, kept secret and stable
//	})
//	if err != nil { ... }
//	mgr, err := session.New(session.Config{Store: store})
//	if err != nil { ... }
//	http.ListenAndServe(":8080", mgr.Middleware(app))
package redisstore
