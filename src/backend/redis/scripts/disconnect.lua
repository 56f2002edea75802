-- ARGV: room, user, connection, node, idle ttl ms
local R, U, conn, node, idle_ms = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
if not room_exists(R) then return { 'room' } end
if redis.call('SISMEMBER', rk(R, 'members'), U) == 0 then return { 'member' } end
local now = now_ms()
local was_online = is_online(R, U, now)
redis.call('ZREM', uk(R, U, 'conns'), conn)
redis.call('ZREM', rk(R, 'conns'), conn_entry(U, conn))
local latest = live_until(R, U, now)
if not latest then
  if was_online then return { 'ok', go_offline(R, node, U, now, idle_ms) } end
  redis.call('ZREM', rk(R, 'presence'), U)
  return { 'ok' }
end
redis.call('ZADD', rk(R, 'presence'), latest, U)
return { 'ok' }
