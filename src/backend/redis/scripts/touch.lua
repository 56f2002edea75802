-- ARGV: room, user, connection, node, presence ttl ms, session ttl ms
local R, U, conn, node = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local ttl_ms, session_ttl_ms = tonumber(ARGV[5]), tonumber(ARGV[6])
if not room_exists(R) then return { 'room' } end
if redis.call('SISMEMBER', rk(R, 'members'), U) == 0 then return { 'member' } end
local now = now_ms()
local was_online = is_online(R, U, now)
local name = redis.call('HGET', rk(R, 'names'), U)
if not was_online then
  -- Coming back: if a present member took the name meanwhile, number ours.
  local key = redis.call('HGET', rk(R, 'keys'), U)
  if name_taken(R, key, U, now) then
    local n = 2
    while name_taken(R, key .. ' ' .. n, U, now) do n = n + 1 end
    key = key .. ' ' .. n
    name = name .. ' ' .. n
    redis.call('HSET', rk(R, 'names'), U, name)
    redis.call('HSET', rk(R, 'keys'), U, key)
  end
  redis.call('HSET', rk(R, 'taken'), key, U)
  persist(R)
end
add_conn(R, U, conn, now, ttl_ms, session_ttl_ms)
if was_online then return { 'ok', now + ttl_ms, name } end
return { 'ok', now + ttl_ms, name, presence_event(R, node, U, name, 'online', true) }
