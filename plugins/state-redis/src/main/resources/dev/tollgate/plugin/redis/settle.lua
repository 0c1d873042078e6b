-- KEYS: the reservation's record. ARGV: key prefix, id, then pairs of key and actual amount.
-- Returns {'settled'}, {'unknown'} or {'no_key', the key, the held keys...} (nothing changed).
local now = now_ms()
local prefix, id = ARGV[1], ARGV[2]
local rec = redis.call('HMGET', KEYS[1], 'forget', 'n')
if not (rec[1] and tonumber(rec[1]) > now) then
  redis.call('DEL', KEYS[1])
  for j = 3, #ARGV, 2 do
    local c = prefix .. 'c:' .. ARGV[j]
    if redis.call('EXISTS', c) == 1 then
      redis.call('INCRBY', c, ARGV[j + 1])
    end
  end
  return {'unknown'}
end
local keys, windows, held = {}, {}, {}
for i = 0, tonumber(rec[2]) - 1 do
  local kw = redis.call('HMGET', KEYS[1], 'k' .. int(i), 'w' .. int(i))
  table.insert(keys, kw[1])
  table.insert(windows, kw[2])
  held[kw[1]] = true
end
local actual = {}
for j = 3, #ARGV, 2 do
  if not held[ARGV[j]] then
    local reply = {'no_key', ARGV[j]}
    for _, k in ipairs(keys) do
      table.insert(reply, k)
    end
    return reply
  end
  actual[ARGV[j]] = ARGV[j + 1]
end
for i, key in ipairs(keys) do
  unhold(prefix .. 'h:' .. key, prefix .. 'l:' .. key, id)
  local amount = actual[key] or '0'
  local c = prefix .. 'c:' .. key
  if redis.call('EXISTS', c) == 1 then
    redis.call('INCRBY', c, amount)
  elseif tonumber(amount) > 0 then
    redis.call('SET', c, amount, 'PX', windows[i])
  end
end
redis.call('DEL', KEYS[1])
return {'settled'}
