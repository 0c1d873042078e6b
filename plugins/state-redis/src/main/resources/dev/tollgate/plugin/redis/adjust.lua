-- KEYS: counter. ARGV: delta, ttl ms. Never below 0; a non-positive delta starts no window.
local current = redis.call('GET', KEYS[1])
if current then
  if tonumber(current) + tonumber(ARGV[1]) < 0 then
    redis.call('SET', KEYS[1], '0', 'KEEPTTL')
    return 0
  end
  return redis.call('INCRBY', KEYS[1], ARGV[1])
end
if tonumber(ARGV[1]) <= 0 then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return tonumber(ARGV[1])
