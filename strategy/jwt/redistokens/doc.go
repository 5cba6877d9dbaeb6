// Package redistokens keeps the refresh tokens and revocations of a
// [jwt.Issuer] in Redis (go-redis v9, any [redis.UniversalClient]: one
// server, Sentinel or Cluster), so that every instance of an app shares
// them: a refresh token issued by one instance rotates on another, and a
// logout or a reuse on one is refused by all. It is the twin of package
// sqltokens, and passes the same suite (package storetest).
//
//	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379", ContextTimeoutEnabled: true})
//	store, err := redistokens.New(rdb, redistokens.Config{})
//	if err != nil {
//		log.Fatal(err)
//	}
//	iss, err := jwt.NewIssuer(jwt.IssuerConfig{Issuer: "https://api.example.com", Key: jwt.Key{Key: key}, Store: store})
//	// and the strategy checks access tokens against the same store:
//	strat, err := jwt.New(jwt.Config[User, *jwt.Claims]{ /* ... */ Revocations: store})
//
// # Keys
//
// With the default [DefaultKeyPrefix] "passport:jwt:":
//
//	passport:jwt:{t}:r:<hash>     hash: a refresh token (f family, s subject, sc scope,
//	                              ia issued, ea expires, u used); TTL until it expires
//	passport:jwt:{t}:f:<family>   hash: a family (s subject, rv revoked); TTL that of
//	                              its longest-lived token
//	passport:jwt:{t}:s:<subject>  sorted set: the subject's families, scored by their
//	                              expiry; TTL that of its longest-lived family
//	passport:jwt:{t}:nb:<subject> string: the subject's not-before time; TTL
//	                              Config.NotBeforeTTL past the revocation
//
// Times are Unix microseconds. Only hashes of refresh tokens are stored.
// A token is deleted when it expires, so [jwt.Issuer.Refresh] answers
// [jwt.ErrRefreshInvalid] for it rather than [jwt.ErrRefreshExpired] (the
// token endpoint answers invalid_grant for both), as sqltokens does after
// its cleanup.
// TTLs are computed from Config.Now, so there is no cleanup to run:
// [Store.DeleteExpired] exists for the signature and does nothing. A
// family outlives the access tokens issued with it because the issuer
// requires refresh tokens to live at least as long as access tokens. The
// not-before time must outlive every access token issued before it:
// Config.NotBeforeTTL, by default a day, the strategy's default
// MaxTokenLifetime (no longer-lived token is accepted).
//
// # Atomicity and round trips
//
// Every call that writes is one Lua script, run by Redis alone, so
// concurrent calls from any number of instances see each other whole: of concurrent
// [Store.UseRefresh] calls for one token exactly one wins, and it sees the
// record as it was before (a revocation by a loser, a reuse, comes after).
// UseRefresh, GetRefresh, SaveRefresh, RevokeFamily and RevokeSubject are
// one round trip each (EVALSHA; the first call on a server that does not
// know the script adds an EVAL); the strategy's checks, NotBefore and
// FamilyRevoked, are one GETRANGE and one HEXISTS.
//
// # Redis Cluster
//
// A token is looked up by its hash alone, and its family's revocation must
// be read in the same script, so the two cannot be spread over slots by
// subject or family: every key of a Store carries the hash tag "{t}" and
// lives in one slot, on one shard. A KeyPrefix with a tag of its own (the
// first "{...}" in a key decides its slot) chooses another slot, for
// example one per app. The record scripts read the family of the token
// they are given, a key built from the same prefix and so in the same
// slot, which Redis Cluster allows. The load that grows with traffic is
// the strategy's two checks per request, one small command each. Do not
// route them to replicas (redis.ClusterOptions.ReadOnly, RouteByLatency):
// a replica behind its master would accept a token just revoked.
//
// # Outages
//
// Each call is bounded by Config.Timeout, which go-redis honours only with
// redis.Options.ContextTimeoutEnabled (otherwise its own ReadTimeout,
// 3 s by default, applies). An error of Redis (down, timed out, refusing)
// wraps [strategy.ErrUnavailable]: the token endpoint and the strategy
// answer 503 with Retry-After, and nobody is let in. Nothing fails open.
//
// Redis replicates asynchronously: a failover (Sentinel, Cluster) can lose
// the last writes the old master acknowledged, such as a token's use (it
// could then be rotated once more) or a revocation (make it again). Run
// Redis with persistence: a restart without its data forgets every token,
// and every user must log in again.
package redistokens
