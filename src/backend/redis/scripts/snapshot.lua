-- The room as a page shows it. Returns: member-list version, idle ms left (-1 if none), the
-- room's name, topic, owner and creator's name ('' for none), whether it is locked ('1'/'0'),
-- how many members it has and how many are online, then user, name, online ('1'/'0') for each
-- member listed: every member in join order in a room of up to `page` members, else the ones
-- online now, at most `page`, in join order (docs/rooms.md, "Big rooms").
-- ARGV: room, page
local R, page = ARGV[1], tonumber(ARGV[2])
if not room_exists(R) then return { 'room' } end
local now = now_ms()
local info = redis.call('HMGET', rk(R, 'info'), 'mver', 'name', 'topic', 'owner', 'creator', 'locked')
local count = redis.call('SCARD', rk(R, 'members'))
local online = redis.call('ZCOUNT', rk(R, 'presence'), '(' .. now, '+inf')
local out = { 'ok', info[1], redis.call('PTTL', rk(R, 'info')), info[2] or '', info[3] or '', info[4] or '',
  info[5] or '', info[6] or '0', count, online }
local listed
if count <= page then
  listed = redis.call('ZRANGE', rk(R, 'order'), 0, -1)
else
  -- The online ones (a member's presence score is when its newest connection expires), put
  -- in join order.
  listed = redis.call('ZRANGE', rk(R, 'presence'), '(' .. now, '+inf', 'BYSCORE', 'LIMIT', 0, page)
  if #listed > 0 then
    local order = redis.call('ZMSCORE', rk(R, 'order'), unpack(listed))
    local by = {}
    for i, U in ipairs(listed) do by[U] = tonumber(order[i]) or 0 end
    table.sort(listed, function(a, b) return by[a] < by[b] end)
  end
end
for _, U in ipairs(listed) do
  table.insert(out, U)
  table.insert(out, redis.call('HGET', rk(R, 'names'), U) or '')
  table.insert(out, is_online(R, U, now) and '1' or '0')
end
return out
