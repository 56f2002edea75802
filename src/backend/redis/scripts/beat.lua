-- The heartbeats of several live connections of one room, in one call: each is a touch
-- (touch.lua). Returns the presence deadline, then for each connection in order 1 (refreshed)
-- or 0 (not a member any more), then the events published.
-- ARGV: room, node, presence ttl ms, session ttl ms, then user and connection pairs
local R, node = ARGV[1], ARGV[2]
local ttl_ms, session_ttl_ms = tonumber(ARGV[3]), tonumber(ARGV[4])
if not room_exists(R) then return { 'room' } end
local now = now_ms()
local out = { 'ok', now + ttl_ms }
local events = {}
for i = 5, #ARGV - 1, 2 do
  local name, event = touch_one(R, ARGV[i], ARGV[i + 1], node, now, ttl_ms, session_ttl_ms)
  table.insert(out, name and 1 or 0)
  if event then table.insert(events, event) end
end
for _, e in ipairs(events) do table.insert(out, e) end
return out
