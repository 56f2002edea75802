-- ARGV: room, user, connection, node, presence ttl ms, session ttl ms
local R, U, conn, node = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local ttl_ms, session_ttl_ms = tonumber(ARGV[5]), tonumber(ARGV[6])
if not room_exists(R) then return { 'room' } end
local now = now_ms()
local name, event = touch_one(R, U, conn, node, now, ttl_ms, session_ttl_ms)
if not name then return { 'member' } end
if event then return { 'ok', now + ttl_ms, name, event } end
return { 'ok', now + ttl_ms, name }
