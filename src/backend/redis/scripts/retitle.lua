-- The owner renames the room or changes its topic; each change is a notice in the history.
-- ARGV: room, user, new name, new topic ('' for none), node, history length, the member's
-- allowance (tokens per ms, burst)
local R, U, new_name, new_topic, node = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local history_len, per_ms, burst = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local now = now_ms()
local refusal = owner_refusal(R, U, now, per_ms, burst)
if refusal then return refusal end
local info = redis.call('HMGET', rk(R, 'info'), 'owner', 'name', 'topic')
local who = redis.call('HGET', rk(R, 'names'), U)
local out = { 'ok' }
redis.call('HSET', rk(R, 'info'), 'name', new_name, 'topic', new_topic)
if (info[2] or '') ~= new_name then
  table.insert(out, (add_entry(R, node, history_len,
    { k = 'renamed', user = U, name = who, text = new_name, at = now, cid = '' })))
end
if (info[3] or '') ~= new_topic then
  table.insert(out, (add_entry(R, node, history_len,
    { k = 'topic', user = U, name = who, text = new_topic, at = now, cid = '' })))
end
return out
