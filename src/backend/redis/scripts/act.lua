-- A member edits, deletes or reacts to a message by the rules of src/domain/amend.rs: the
-- message's current state changes (the 'state' hash), and the action is a history entry of
-- its own, published like any other (docs/messages.md).
-- ARGV: room, user, action (edit, delete, react), target, new text or emoji, mentions of the
-- new text (JSON, '' for none), node, history length, edit window ms, the member's allowance
-- (tokens per ms, burst), most emoji per message, most reactions per message, session ttl ms
local R, U, action, target, arg, men, node = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6], ARGV[7]
local history_len, window, per_ms, burst = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
local max_emoji, max_reactions, session_ttl_ms = tonumber(ARGV[12]), tonumber(ARGV[13]), tonumber(ARGV[14])
local name = member_name(R, U)
if not name then
  if room_exists(R) then return { 'member' } end
  return { 'room' }
end
local m, x = current(R, target, history_len)
if not m or m.k or x.del then return { 'gone' } end
local now = now_ms()
local entry = { user = U, name = name, text = '', at = now, cid = '' }
local ex = { to = target }
if action == 'edit' then
  if m.user ~= U then return { 'author' } end
  if now - tonumber(m.at) > window then return { 'window', window } end
  m.text, m.men, x.ed = arg, men, now
  entry.k, entry.text, entry.men, ex.ed = 'edited', arg, men, now
elseif action == 'delete' then
  if m.user ~= U and redis.call('HGET', rk(R, 'info'), 'owner') ~= U then return { 'author' } end
  m.text, m.men, x.ed, x.del, x.rx = '', '', nil, true, nil
  entry.k, ex.del = 'deleted', true
elseif action == 'react' then
  local rx = x.rx or {}
  local found, taken_back = nil, false
  for i, r in ipairs(rx) do if r.e == arg then found = i end end
  if found then
    local by = rx[found].by
    for j, who in ipairs(by) do
      if who.u == U then table.remove(by, j); taken_back = true; break end
    end
    if taken_back and #by == 0 then table.remove(rx, found) end
  end
  if not taken_back then
    local total = 0
    for _, r in ipairs(rx) do total = total + #r.by end
    if total >= max_reactions or (not found and #rx >= max_emoji) then return { 'reactions' } end
    if found then table.insert(rx[found].by, { u = U, n = name })
    else table.insert(rx, { e = arg, by = { { u = U, n = name } } }) end
  end
  if #rx == 0 then x.rx = nil else x.rx = rx end
  entry.k, entry.text, ex.rx = 'reacted', arg, x.rx
else
  return { 'gone' }
end
local wait = take_token(uk(R, U, 'tokens'), now, per_ms, burst)
if wait > 0 then return { 'limited', wait } end
local xs = ''
if next(x) ~= nil then xs = cjson.encode(x) end
redis.call('HSET', rk(R, 'state'), target, cjson.encode({ text = m.text, men = m.men or '', x = xs }))
entry.x = cjson.encode(ex)
local payload = add_entry(R, node, history_len, entry)
-- The state of messages that fell out of history goes with them.
if redis.call('HLEN', rk(R, 'state')) > history_len then
  local _, first = kept_range(R, history_len)
  for _, k in ipairs(redis.call('HKEYS', rk(R, 'state'))) do
    if tonumber(k) < first then redis.call('HDEL', rk(R, 'state'), k) end
  end
end
redis.call('PEXPIRE', uk(R, U, 'session'), session_ttl_ms)
return { 'ok', payload }
