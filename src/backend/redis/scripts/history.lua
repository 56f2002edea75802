-- Messages after a sequence number, of the last history_len (the stream is trimmed
-- approximately, so it may hold a few more). Returns: the room's last sequence number, the
-- first kept sequence number (0 if none), then each message as JSON.
-- ARGV: room, after, history length
local R, after, history_len = ARGV[1], tonumber(ARGV[2]) or 0, tonumber(ARGV[3])
if not room_exists(R) then return { 'room' } end
local messages = rk(R, 'messages')
local last, first_seq = kept_range(R, history_len)
-- Never past the last message: a huge `after` (which Lua holds as a float, and would write as
-- 1e+14 in the range below) asks for nothing new.
local from = math.min(math.max(after, first_seq - 1), last)
local out = { 'ok', last, first_seq }
for _, entry in ipairs(redis.call('XRANGE', messages, '(' .. from .. '-0', '+')) do
  table.insert(out, entry_json(R, entry))
end
return out
