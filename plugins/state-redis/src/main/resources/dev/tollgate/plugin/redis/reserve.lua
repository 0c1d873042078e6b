-- KEYS: the reservation's record, then per hold: counter, holds hash, leases set.
-- ARGV: id, lease ms, then per hold: key, amount, limit, window ms.
-- Returns {'granted'}, {'in_use'} or {'denied', hold index, used plus reserved, counter pttl or -1}.
local now = now_ms()
local id, lease = ARGV[1], tonumber(ARGV[2])
local forget = redis.call('HGET', KEYS[1], 'forget')
if forget and tonumber(forget) > now then
  return {'in_use'}
end
local n = (#KEYS - 1) / 3
for i = 0, n - 1 do
  local c, h, l = KEYS[2 + 3 * i], KEYS[3 + 3 * i], KEYS[4 + 3 * i]
  reap(h, l, now)
  local amount, limit = tonumber(ARGV[4 + 4 * i]), tonumber(ARGV[5 + 4 * i])
  local used = redis.call('GET', c)
  local current = tonumber(used or '0') + tonumber(redis.call('HGET', h, 'total') or '0')
  if current > limit - amount then
    local ttl = -1
    if used then
      ttl = redis.call('PTTL', c)
    end
    return {'denied', i, current, ttl}
  end
end
redis.call('DEL', KEYS[1])
local record = {'forget', int(now + 2 * lease), 'n', int(n)}
for i = 0, n - 1 do
  local c, h, l = KEYS[2 + 3 * i], KEYS[3 + 3 * i], KEYS[4 + 3 * i]
  local amount, window = ARGV[4 + 4 * i], ARGV[6 + 4 * i]
  redis.call('HINCRBY', h, 'total', amount)
  redis.call('HSET', h, 'r:' .. id, amount)
  redis.call('ZADD', l, int(now + lease), id)
  extend(h, lease)
  extend(l, lease)
  if redis.call('EXISTS', c) == 0 then
    redis.call('SET', c, '0', 'PX', window)
  end
  table.insert(record, 'k' .. int(i))
  table.insert(record, ARGV[3 + 4 * i])
  table.insert(record, 'w' .. int(i))
  table.insert(record, window)
end
redis.call('HSET', KEYS[1], unpack(record))
redis.call('PEXPIRE', KEYS[1], int(2 * lease))
return {'granted'}
