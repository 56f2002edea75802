-- A page of history: the last `limit` messages and notices numbered below `before`, of the last
-- history_len entries (the stream is trimmed approximately, so it may hold a few more). Actions
-- on messages (edits, deletions, reactions) are left out: the messages show their final state.
-- Returns: 1 if kept messages or notices come before the page (else 0), the first kept
-- sequence number (0 if none), then the page's entries as JSON, newest first.
-- ARGV: room, before, limit, history length
local R, before, limit, history_len = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if not room_exists(R) then return { 'room' } end
local messages = rk(R, 'messages')
local last, first_seq = kept_range(R, history_len)
local top = math.min(before, last + 1)
local out = { 'ok', 0, first_seq }
if top <= first_seq then return out end
local actions = { edited = true, deleted = true, reacted = true }
local found = {}
local upper = '(' .. top .. '-0'
-- At most history_len entries are read, even when most of them are actions.
while #found <= limit do
  local chunk = redis.call('XREVRANGE', messages, upper, first_seq .. '-0', 'COUNT', limit + 1)
  if #chunk == 0 then break end
  for _, entry in ipairs(chunk) do
    local f, kind = entry[2], nil
    for i = 1, #f, 2 do if f[i] == 'k' then kind = f[i + 1] end end
    if not actions[kind] then
      table.insert(found, entry)
      if #found > limit then break end
    end
  end
  upper = '(' .. chunk[#chunk][1]
end
if #found > limit then
  out[2] = 1
  table.remove(found)
end
for _, entry in ipairs(found) do
  table.insert(out, entry_json(R, entry))
end
return out
