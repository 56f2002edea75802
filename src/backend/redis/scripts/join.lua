-- ARGV: room, new user id, name, name key, node, presence ttl ms, session ttl ms, history length,
-- member page (a join that makes the room bigger writes no notice: docs/rooms.md, "Big rooms")
local R, U, name, key, node = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local ttl_ms, session_ttl_ms, history_len = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local page = tonumber(ARGV[9])
if not room_exists(R) then return { 'room' } end
if redis.call('HGET', rk(R, 'info'), 'locked') == '1' then return { 'locked' } end
local now = now_ms()
if name_taken(R, key, U, now) then return { 'taken' } end
local order = redis.call('HINCRBY', rk(R, 'info'), 'joins', 1)
redis.call('SADD', rk(R, 'members'), U)
redis.call('HSET', rk(R, 'names'), U, name)
redis.call('HSET', rk(R, 'keys'), U, key)
redis.call('ZADD', rk(R, 'order'), order, U)
redis.call('HSET', rk(R, 'taken'), key, U)
persist(R)
add_conn(R, U, 'page', now, ttl_ms, session_ttl_ms)
redis.call('HSET', uk(R, U, 'session'), 'joined_at', now)
local presence = presence_event(R, node, U, name, 'joined', true)
if redis.call('SCARD', rk(R, 'members')) > page then return { 'ok', now + ttl_ms, presence } end
local notice = add_entry(R, node, history_len, { k = 'joined', user = U, name = name, text = '', at = now, cid = '' })
return { 'ok', now + ttl_ms, presence, notice }
