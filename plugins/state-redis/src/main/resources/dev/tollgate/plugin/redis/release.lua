-- KEYS: the reservation's record. ARGV: key prefix, id. An unknown id is a no-op.
local prefix, id = ARGV[1], ARGV[2]
local n = redis.call('HGET', KEYS[1], 'n')
if not n then
  return 0
end
for i = 0, tonumber(n) - 1 do
  local key = redis.call('HGET', KEYS[1], 'k' .. int(i))
  unhold(prefix .. 'h:' .. key, prefix .. 'l:' .. key, id)
end
redis.call('DEL', KEYS[1])
return 1
