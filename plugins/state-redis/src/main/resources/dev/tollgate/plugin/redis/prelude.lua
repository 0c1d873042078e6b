-- Shared by every script of the Redis state backend. Time is the server's (TIME), so instances
-- with skewed clocks agree on windows and leases. Integers go back to Redis as decimal strings:
-- Lua's own number formatting would write large values in exponent form.
local function int(n)
  return string.format('%d', n)
end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- A key's holds: hash h (field 'total' plus 'r:<id>' -> amount) and sorted set l (id by lease end).
local function unhold(h, l, id)
  local amount = redis.call('HGET', h, 'r:' .. id)
  if amount then
    redis.call('HDEL', h, 'r:' .. id)
    redis.call('HINCRBY', h, 'total', int(-tonumber(amount)))
  end
  redis.call('ZREM', l, id)
  if redis.call('ZCARD', l) == 0 then
    redis.call('DEL', h, l)
  end
end

-- Ends the holds whose lease has passed: a crashed instance's reservations free themselves here.
local function reap(h, l, now)
  local ended = redis.call('ZRANGEBYSCORE', l, '-inf', now)
  for _, id in ipairs(ended) do
    unhold(h, l, id)
  end
end

local function extend(key, ms)
  if redis.call('PTTL', key) < ms then
    redis.call('PEXPIRE', key, int(ms))
  end
end
