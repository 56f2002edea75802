-- The owner removes a member: the membership ends at once and the room remembers the removal.
-- ARGV: room, owner, member removed, until (ms), node, history length, idle ttl ms, the owner's
-- allowance (tokens per ms, burst)
local R, U, T, until_ms, node = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local history_len, idle_ms = tonumber(ARGV[6]), tonumber(ARGV[7])
local per_ms, burst = tonumber(ARGV[8]), tonumber(ARGV[9])
local now = now_ms()
if T == U or redis.call('SISMEMBER', rk(R, 'members'), T) == 0 then
  if room_exists(R) then return { 'member' } end
  return { 'room' }
end
local refusal = owner_refusal(R, U, now, per_ms, burst)
if refusal then return refusal end
local out = { 'ok' }
depart(R, node, T, now, history_len, 'removed', redis.call('HGET', rk(R, 'names'), U), out)
redis.call('HSET', rk(R, 'removed'), T, until_ms)
maybe_idle(R, now, idle_ms)
return out
