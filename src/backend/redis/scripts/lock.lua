-- The owner locks or unlocks the room: while it is locked, joins are refused.
-- ARGV: room, user, '1' to lock or '0' to unlock, node, history length, the member's allowance
-- (tokens per ms, burst)
local R, U, locked, node = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local history_len, per_ms, burst = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local now = now_ms()
local refusal = owner_refusal(R, U, now, per_ms, burst)
if refusal then return refusal end
redis.call('HSET', rk(R, 'info'), 'locked', locked)
local who = redis.call('HGET', rk(R, 'names'), U)
local kind = locked == '1' and 'locked' or 'unlocked'
return { 'ok', (add_entry(R, node, history_len, { k = kind, user = U, name = who, text = '', at = now, cid = '' })) }
