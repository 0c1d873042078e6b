-- KEYS: counter. ARGV: delta, limit, ttl ms. Returns the new value or -1 (nothing changed).
local current = redis.call('GET', KEYS[1])
if tonumber(current or '0') + tonumber(ARGV[1]) > tonumber(ARGV[2]) then
  return -1
end
if current then
  return redis.call('INCRBY', KEYS[1], ARGV[1])
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return tonumber(ARGV[1])
