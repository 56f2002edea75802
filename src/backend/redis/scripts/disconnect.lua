-- ARGV: room, user, connection, node, idle ttl ms
local R, U, conn, node, idle_ms = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
if not room_exists(R) then return { 'room' } end
if redis.call('SISMEMBER', rk(R, 'members'), U) == 0 then return { 'member' } end
local now = now_ms()
local conns = uk(R, U, 'conns')
local was_online = is_online(R, U, now)
redis.call('ZREM', conns, conn)
redis.call('ZREMRANGEBYSCORE', conns, '-inf', now)
local last = redis.call('ZRANGE', conns, -1, -1, 'WITHSCORES')
if #last == 0 then
  if was_online then return { 'ok', go_offline(R, node, U, now, idle_ms) } end
  redis.call('ZREM', rk(R, 'presence'), U)
  return { 'ok' }
end
redis.call('ZADD', rk(R, 'presence'), last[2], U)
return { 'ok' }
