-- ARGV: room, user, name, name key, presence ttl ms, session ttl ms, room name, room topic
-- ('' for none)
local R, U, name, key = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local ttl_ms, session_ttl_ms = tonumber(ARGV[5]), tonumber(ARGV[6])
local now = now_ms()
if redis.call('HSETNX', rk(R, 'info'), 'created', now) == 0 then return { 'exists' } end
redis.call('HSET', rk(R, 'info'), 'seq', 0, 'mver', 1, 'joins', 1, 'name', ARGV[7], 'topic', ARGV[8],
  'owner', U, 'creator', name)
redis.call('SADD', rk(R, 'members'), U)
redis.call('HSET', rk(R, 'names'), U, name)
redis.call('HSET', rk(R, 'keys'), U, key)
redis.call('ZADD', rk(R, 'order'), 1, U)
redis.call('HSET', rk(R, 'taken'), key, U)
add_conn(R, U, 'page', now, ttl_ms, session_ttl_ms)
redis.call('HSET', uk(R, U, 'session'), 'joined_at', now)
return { 'ok', now + ttl_ms }
