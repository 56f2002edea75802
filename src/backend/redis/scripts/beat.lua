-- The heartbeats of several live connections of one room, in one call: a connection still
-- live only moves its deadline (refresh_live), any other is touched (touch.lua). Returns the
-- presence deadline, then for each connection in order 1 (refreshed) or 0 (not a member any
-- more), then the events published.
-- ARGV: room, node, presence ttl ms, session ttl ms, then user and connection pairs
local R, node = ARGV[1], ARGV[2]
local ttl_ms, session_ttl_ms = tonumber(ARGV[3]), tonumber(ARGV[4])
if not room_exists(R) then return { 'room' } end
local now = now_ms()
local deadline = now + ttl_ms
local out = { 'ok', deadline }
local events = {}
-- Members refreshed by deadline alone, as score and member pairs for one ZADD.
local live = {}
for i = 5, #ARGV - 1, 2 do
  local U, conn = ARGV[i], ARGV[i + 1]
  if refresh_live(R, U, conn, now, ttl_ms, session_ttl_ms) then
    table.insert(live, deadline)
    table.insert(live, U)
    table.insert(out, 1)
  else
    local name, event = touch_one(R, U, conn, node, now, ttl_ms, session_ttl_ms)
    table.insert(out, name and 1 or 0)
    if event then table.insert(events, event) end
  end
end
if #live > 0 then redis.call('ZADD', rk(R, 'presence'), 'GT', unpack(live)) end
for _, e in ipairs(events) do table.insert(out, e) end
return out
