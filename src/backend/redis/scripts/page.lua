-- A page of history: the last `limit` entries numbered below `before`, of the last history_len
-- (the stream is trimmed approximately, so it may hold a few more). Returns: 1 if kept entries
-- come before the page (else 0), the first kept sequence number (0 if none), then the page's
-- entries as JSON, newest first.
-- ARGV: room, before, limit, history length
local R, before, limit, history_len = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if not room_exists(R) then return { 'room' } end
local messages = rk(R, 'messages')
local last, first_seq = kept_range(R, history_len)
local top = math.min(before, last + 1)
local out = { 'ok', 0, first_seq }
if top <= first_seq then return out end
local found = redis.call('XREVRANGE', messages, '(' .. top .. '-0', first_seq .. '-0', 'COUNT', limit + 1)
if #found > limit then
  out[2] = 1
  table.remove(found)
end
for _, entry in ipairs(found) do
  table.insert(out, entry_json(R, entry))
end
return out
