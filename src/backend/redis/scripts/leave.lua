-- ARGV: room, user, node, idle ttl ms, history length, member page (leaving a room bigger than
-- that writes no notice: docs/rooms.md, "Big rooms")
local R, U, node, idle_ms, history_len = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
local page = tonumber(ARGV[6])
if not room_exists(R) then return { 'room' } end
if redis.call('SISMEMBER', rk(R, 'members'), U) == 0 then return { 'member' } end
local now = now_ms()
local out = { 'ok' }
local kind = redis.call('SCARD', rk(R, 'members')) <= page and 'left' or nil
depart(R, node, U, now, history_len, kind, '', out)
maybe_idle(R, now, idle_ms)
return out
