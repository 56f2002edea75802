-- ARGV: room, user, node, idle ttl ms, history length
local R, U, node, idle_ms, history_len = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
if not room_exists(R) then return { 'room' } end
if redis.call('SISMEMBER', rk(R, 'members'), U) == 0 then return { 'member' } end
local now = now_ms()
local name = redis.call('HGET', rk(R, 'names'), U)
local key = redis.call('HGET', rk(R, 'keys'), U)
if key and redis.call('HGET', rk(R, 'taken'), key) == U then redis.call('HDEL', rk(R, 'taken'), key) end
redis.call('SREM', rk(R, 'members'), U)
redis.call('HDEL', rk(R, 'names'), U)
redis.call('HDEL', rk(R, 'keys'), U)
redis.call('ZREM', rk(R, 'order'), U)
redis.call('ZREM', rk(R, 'presence'), U)
redis.call('DEL', uk(R, U, 'conns'), uk(R, U, 'presence'), uk(R, U, 'session'))
local payload = presence_event(R, node, U, name, 'left', false)
local notice = add_entry(R, node, history_len, { k = 'left', user = U, name = name, text = '', at = now, cid = '' })
local out = { 'ok', payload, notice }
if redis.call('HGET', rk(R, 'info'), 'owner') == U then
  -- The longest-present member (the first in join order) takes over.
  local heir = redis.call('ZRANGE', rk(R, 'order'), 0, 0)[1]
  if heir then
    redis.call('HSET', rk(R, 'info'), 'owner', heir)
    local heir_name = redis.call('HGET', rk(R, 'names'), heir)
    table.insert(out, (add_entry(R, node, history_len,
      { k = 'owner', user = heir, name = heir_name, text = '', at = now, cid = '' })))
  else
    redis.call('HDEL', rk(R, 'info'), 'owner')
  end
end
maybe_idle(R, now, idle_ms)
return out
