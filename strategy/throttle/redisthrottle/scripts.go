package redisthrottle

// A record is a hash: f the failures, r when they are forgotten, l the end
// of the lock, i the attempts in flight, e when those are dropped (all
// times in milliseconds of the scripts' clock). It is the entry of
// throttle.Memory, field for field, and it expires (PEXPIRE) when it would
// hold nothing any more: max(r, e).
//
// The clock is the server's (TIME) when ARGV[1] is empty, so that instances
// with skewed clocks agree; tests pass their fake time. TTLs are relative
// (PEXPIRE), so that a fake time in the past or future keeps its keys as
// long as the real server would.

// allowSrc refuses while a record is locked, or has as many attempts in
// flight as failures left; else it reserves one attempt in flight on every
// record. It returns the wait in milliseconds, 0 when allowed.
//
// KEYS: one or two records. ARGV: now ("" for the server's clock), window,
// base delay, then the limit of each key.
const allowSrc = `
local now = tonumber(ARGV[1])
if not now then
  if redis.replicate_commands then redis.replicate_commands() end
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local window, base = tonumber(ARGV[2]), tonumber(ARGV[3])
local recs = {}
local wait = 0
for k = 1, #KEYS do
  local v = redis.call('HMGET', KEYS[k], 'f', 'r', 'l', 'i', 'e')
  local f, r, l, i, e = tonumber(v[1]) or 0, tonumber(v[2]) or 0, tonumber(v[3]) or 0, tonumber(v[4]) or 0, tonumber(v[5]) or 0
  if f > 0 and now >= r then f, r, l = 0, 0, 0 end
  if i > 0 and now >= e then i = 0 end
  local w = 0
  if now < l then
    w = l - now
  elseif i >= math.max(tonumber(ARGV[3 + k]) - f, 1) then
    w = base
  end
  if w > wait then wait = w end
  recs[k] = {f, r, l, i}
end
if wait > 0 then return wait end
local e = now + window
for k = 1, #KEYS do
  local rec = recs[k]
  redis.call('HSET', KEYS[k], 'f', rec[1], 'r', rec[2], 'l', rec[3], 'i', rec[4] + 1, 'e', e)
  redis.call('PEXPIRE', KEYS[k], math.max(rec[2], e) - now)
end
return 0
`

// doneSrc ends an attempt: it releases its reservation, counts a failure
// (locking at the limit for the base delay, doubled by every further
// failure up to the max delay), or forgets the failures of a success on an
// account or device record (never on an address). A record left with
// nothing is deleted.
//
// KEYS: one or two records. ARGV: now ("" for the server's clock), verdict
// ("f", "s" or "a"), window, base delay, max delay, the kinds of the keys
// ("a", "i", "d", one letter per key), then the limit of each key.
const doneSrc = `
local now = tonumber(ARGV[1])
if not now then
  if redis.replicate_commands then redis.replicate_commands() end
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local verdict = ARGV[2]
local window, base, maxd = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local kinds = ARGV[6]
for k = 1, #KEYS do
  local key = KEYS[k]
  local v = redis.call('HMGET', key, 'f', 'r', 'l', 'i', 'e')
  local exists = v[1] ~= false
  local f, r, l, i, e = tonumber(v[1]) or 0, tonumber(v[2]) or 0, tonumber(v[3]) or 0, tonumber(v[4]) or 0, tonumber(v[5]) or 0
  if f > 0 and now >= r then f, r, l = 0, 0, 0 end
  if i > 0 and now >= e then i = 0 end
  if i > 0 then i = i - 1 end
  if verdict == 'f' then
    if f == 0 then r = now + window end
    f = f + 1
    local limit = tonumber(ARGV[6 + k])
    if f >= limit then
      local d = base
      for _ = 1, f - limit do
        if d >= math.floor(maxd / 2) then d = maxd break end
        d = d * 2
      end
      if d > maxd then d = maxd end
      l = now + d
      if l + window > r then r = l + window end
    end
  elseif verdict == 's' and string.sub(kinds, k, k) ~= 'i' then
    f, r, l = 0, 0, 0
  end
  if f == 0 and i == 0 then
    if exists then redis.call('DEL', key) end
  else
    redis.call('HSET', key, 'f', f, 'r', r, 'l', l, 'i', i, 'e', e)
    redis.call('PEXPIRE', key, math.max(r, e) - now)
  end
end
return 0
`
