-- Expires presence past its deadline: members whose last connection expired go offline and
-- the room is told. Returns when the room should be checked next (Redis time, ms), then the
-- published events; -1 when the room no longer exists.
-- ARGV: room, node, idle ttl ms, presence ttl ms
local R, node, idle_ms, ttl_ms = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
if not room_exists(R) then return { -1 } end
local now = now_ms()
local out = { 0 }
local expired = redis.call('ZRANGEBYSCORE', rk(R, 'presence'), '-inf', now)
for _, U in ipairs(expired) do
  local latest = live_until(R, U, now)
  if not latest then
    table.insert(out, go_offline(R, node, U, now, idle_ms))
  else
    redis.call('ZADD', rk(R, 'presence'), latest, U)
  end
end
-- Connections of members still online through another (a crashed instance's second tab).
redis.call('ZREMRANGEBYSCORE', rk(R, 'conns'), '-inf', now)
maybe_idle(R, now, idle_ms)
-- Never later than one presence TTL from now: a connection added while this ran expires no
-- earlier than that, so the room is always checked in time.
local next_check = now + ttl_ms
local first = redis.call('ZRANGE', rk(R, 'presence'), 0, 0, 'WITHSCORES')
if #first > 0 and tonumber(first[2]) < next_check then next_check = tonumber(first[2]) end
out[1] = next_check
return out
