-- ARGV: room, user, node, idle ttl ms, history length
local R, U, node, idle_ms, history_len = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
if not room_exists(R) then return { 'room' } end
if redis.call('SISMEMBER', rk(R, 'members'), U) == 0 then return { 'member' } end
local now = now_ms()
local out = { 'ok' }
depart(R, node, U, now, history_len, 'left', '', out)
maybe_idle(R, now, idle_ms)
return out
