-- KEYS: bucket hash (tokens, at in microseconds). ARGV: capacity, refill per second, tokens.
-- Returns {allowed 1|0, remaining, retry after in ns or -1 for never}. An absent bucket is full:
-- the hash expires when it would have refilled.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local capacity, refill, want = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local available = capacity
if bucket[1] then
  available = math.min(capacity, tonumber(bucket[1]) + (now - tonumber(bucket[2])) / 1e6 * refill)
end
local allowed = available >= want
local left = available
if allowed then
  left = available - want
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', left), 'at', int(now))
if refill > 0 then
  local full_ms = math.min(math.ceil((capacity - left) / refill * 1000) + 1, 31536000000)
  redis.call('PEXPIRE', KEYS[1], int(math.max(full_ms, 1)))
else
  redis.call('PERSIST', KEYS[1])
end
if allowed then
  return {1, int(math.floor(left)), '0'}
end
local wait = '-1'
if refill > 0 then
  local ns = math.ceil((want - available) / refill * 1e9)
  if ns < 9e18 then
    wait = int(ns)
  end
end
return {0, int(math.floor(available)), wait}
