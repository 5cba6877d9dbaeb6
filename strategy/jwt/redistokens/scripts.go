package redistokens

import "github.com/redis/go-redis/v9"

// The scripts run atomically in Redis; each is one round trip (EVALSHA,
// and EVAL once when the server does not know the script yet). Times are
// Unix microseconds in decimal, which Lua's doubles hold exactly; TTLs are
// milliseconds. A record's fields: f family, s subject, sc scope (space
// separated), ia issued, ea expires, u used. A family's: s subject, rv
// revoked.

// saveScript stores a new token and creates or extends its family and the
// subject's index of families.
//
// KEYS: token, family, subject index. ARGV: family, subject, scope, issued,
// expires, TTL (ms), the family's expiry for the index (µs), the time
// before which index entries are pruned (µs).
var saveScript = redis.NewScript(`
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'f', ARGV[1], 's', ARGV[2], 'sc', ARGV[3], 'ia', ARGV[4], 'ea', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
local ttl = tonumber(ARGV[6])
redis.call('HSETNX', KEYS[2], 's', ARGV[2])
if redis.call('PTTL', KEYS[2]) < ttl then redis.call('PEXPIRE', KEYS[2], ttl) end
redis.call('ZADD', KEYS[3], 'GT', ARGV[7], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[8])
if redis.call('PTTL', KEYS[3]) < ttl then redis.call('PEXPIRE', KEYS[3], ttl) end
return 1
`)

// recordLua reads the token of KEYS[1] into r and its family's revocation
// time into rv, returning nil for an unknown token. ARGV[1] is the prefix
// of family keys.
const recordLua = `
local r = redis.call('HMGET', KEYS[1], 'f', 's', 'sc', 'ia', 'ea', 'u')
if not r[1] then return false end
local rv = redis.call('HGET', ARGV[1] .. r[1], 'rv')
`

// getScript returns a token's record: family, subject, scope, issued,
// expires, used ("" when not), revoked ("" when not).
//
// KEYS: token. ARGV: family key prefix.
var getScript = redis.NewScript(recordLua + `
return {r[1], r[2], r[3], r[4], r[5], r[6] or '', rv or ''}
`)

// useScript is getScript that also marks the token used, if it was not,
// after reading it: the reply is the record as it was before the call.
//
// KEYS: token. ARGV: family key prefix, time of use (µs).
var useScript = redis.NewScript(recordLua + `
if not r[6] then redis.call('HSET', KEYS[1], 'u', ARGV[2]) end
return {r[1], r[2], r[3], r[4], r[5], r[6] or '', rv or ''}
`)

// revokeFamilyScript sets a family's revocation time unless it has one;
// an unknown (or expired) family is left alone, not created.
//
// KEYS: family. ARGV: time (µs).
var revokeFamilyScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSETNX', KEYS[1], 'rv', ARGV[1]) end
return 1
`)

// revokeSubjectScript revokes every live family of a subject, found in its
// index (pruned of expired families first), and moves the subject's
// not-before time forward to ARGV[2], never back.
//
// KEYS: subject index, not-before. ARGV: family key prefix, time (µs), the
// time before which index entries are pruned (µs), not-before TTL (ms).
var revokeSubjectScript = redis.NewScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[3])
for _, f in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local k = ARGV[1] .. f
  if redis.call('EXISTS', k) == 1 then redis.call('HSETNX', k, 'rv', ARGV[2]) end
end
local cur = redis.call('GET', KEYS[2])
if (not cur) or tonumber(cur) < tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[4])
end
return 1
`)
