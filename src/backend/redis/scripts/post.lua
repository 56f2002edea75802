-- ARGV: room, user, text, client id ('' for none), node, history length, session ttl ms,
-- the member's allowance (tokens per ms, burst), mentions (JSON, '' for none), the message it
-- answers (0 for none)
local R, U, text, cid, node = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local history_len = tonumber(ARGV[6])
-- ARGV[7], the session TTL, goes to PEXPIRE as given (no number to format).
local per_ms, burst, men, reply_to = tonumber(ARGV[8]), tonumber(ARGV[9]), ARGV[10], tonumber(ARGV[11]) or 0
local name = member_name(R, U)
if not name then
  if room_exists(R) then return { 'member' } end
  return { 'room' }
end
local messages = rk(R, 'messages')
if cid ~= '' then
  local earlier = redis.call('ZSCORE', rk(R, 'cids'), U .. '|' .. cid)
  if earlier then
    local id = earlier .. '-0'
    local found = redis.call('XRANGE', messages, id, id)
    if #found > 0 then return { 'dup', entry_json(R, found[1]) } end
  end
end
local x = ''
if reply_to > 0 then
  local answered, ax = current(R, reply_to, history_len)
  if not answered or answered.k or ax.del then return { 'gone' } end
  x = cjson.encode({ re = { s = reply_to, n = answered.name, q = quote(answered.text) } })
end
local now = now_ms()
-- One allowance per member, whatever socket, form or instance the message came through.
local wait = take_token(uk(R, U, 'tokens'), now, per_ms, burst)
if wait > 0 then return { 'limited', wait } end
local payload, seq = add_entry(R, node, history_len,
  { user = U, name = name, text = text, at = now, cid = cid, men = men, x = x })
if cid ~= '' then
  redis.call('ZADD', rk(R, 'cids'), seq, U .. '|' .. cid)
  redis.call('ZREMRANGEBYRANK', rk(R, 'cids'), 0, -(history_len + 1))
end
redis.call('PEXPIRE', uk(R, U, 'session'), ARGV[7])
return { 'ok', payload }
