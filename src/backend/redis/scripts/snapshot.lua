-- The room as a page shows it. Returns: member-list version, idle ms left (-1 if none), the
-- room's name, topic, owner and creator's name ('' for none), whether it is locked ('1'/'0'),
-- then user, name, online ('1'/'0') for each member in join order.
-- ARGV: room
local R = ARGV[1]
if not room_exists(R) then return { 'room' } end
local now = now_ms()
local info = redis.call('HMGET', rk(R, 'info'), 'mver', 'name', 'topic', 'owner', 'creator', 'locked')
local out = { 'ok', info[1], redis.call('PTTL', rk(R, 'info')), info[2] or '', info[3] or '', info[4] or '',
  info[5] or '', info[6] or '0' }
for _, U in ipairs(redis.call('ZRANGE', rk(R, 'order'), 0, -1)) do
  table.insert(out, U)
  table.insert(out, redis.call('HGET', rk(R, 'names'), U) or '')
  table.insert(out, is_online(R, U, now) and '1' or '0')
end
return out
