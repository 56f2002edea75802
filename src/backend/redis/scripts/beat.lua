-- The heartbeats of several connections of one room, in one call. The deadlines of the live
-- ones are read and moved with one command each way, and their members' presence scores raised
-- with one more; their sessions and connection indexes slide their expiry only when a new
-- period of a quarter of the session TTL (at most two minutes) began since the last heartbeat. A
-- connection that is not live (expired, closed, or its member gone) is touched (touch.lua).
-- A live connection's member is a member and online: leaving or removal drops the member's
-- connections, and the presence score is never below a live connection's deadline.
-- Returns the presence deadline, the room's last sequence number (so an instance notices a
-- message whose Pub/Sub copy it never got), then for each connection in order 1 (refreshed) or
-- 0 (not a member any more), then the events published.
-- ARGV: room, node, presence ttl ms, session ttl ms, then user and connection pairs
local R, node = ARGV[1], ARGV[2]
local ttl_ms, session_ttl_ms = tonumber(ARGV[3]), tonumber(ARGV[4])
local seq = redis.call('HGET', rk(R, 'info'), 'seq')
if not seq and not room_exists(R) then return { 'room' } end
local now = now_ms()
local deadline = now + ttl_ms
local out = { 'ok', deadline, seq or '0' }
-- Deadlines go to Redis as one string, formatted once (not once per argument).
local deadline_arg = int(deadline)
local entries, n = {}, 0
for i = 5, #ARGV - 1, 2 do
  n = n + 1
  entries[n] = conn_entry(ARGV[i], ARGV[i + 1])
end
if n == 0 then return out end
local period = math.max(1, math.min(120000, math.floor(session_ttl_ms / 4)))
local this_period = math.floor(now / period)
local before = redis.call('ZMSCORE', rk(R, 'conns'), unpack(entries))
local moved, raised, events, m = {}, {}, {}, 0
for k = 1, n do
  local U = ARGV[3 + 2 * k]
  local last = tonumber(before[k])
  if last and last > now then
    moved[m + 1], moved[m + 2] = deadline_arg, entries[k]
    raised[m + 1], raised[m + 2] = deadline_arg, U
    m = m + 2
    if math.floor((last - ttl_ms) / period) ~= this_period then
      redis.call('PEXPIRE', uk(R, U, 'conns'), session_ttl_ms)
      redis.call('PEXPIRE', uk(R, U, 'session'), session_ttl_ms)
    end
    out[3 + k] = 1
  else
    local name, event = touch_one(R, U, ARGV[4 + 2 * k], node, now, ttl_ms, session_ttl_ms)
    out[3 + k] = name and 1 or 0
    if event then table.insert(events, event) end
  end
end
if m > 0 then
  redis.call('ZADD', rk(R, 'conns'), unpack(moved))
  redis.call('ZADD', rk(R, 'presence'), 'GT', unpack(raised))
end
for _, e in ipairs(events) do table.insert(out, e) end
return out
