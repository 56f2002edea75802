-- The owner ends the room: every key of it goes, and its subscribers are told.
-- ARGV: room, user, node, the owner's allowance (tokens per ms, burst)
local R, U, node = ARGV[1], ARGV[2], ARGV[3]
local per_ms, burst = tonumber(ARGV[4]), tonumber(ARGV[5])
local now = now_ms()
local refusal = owner_refusal(R, U, now, per_ms, burst)
if refusal then return refusal end
for _, M in ipairs(redis.call('SMEMBERS', rk(R, 'members'))) do
  redis.call('DEL', uk(R, M, 'conns'), uk(R, M, 'session'), uk(R, M, 'tokens'))
end
for _, s in ipairs(ROOM_KEYS) do redis.call('DEL', rk(R, s)) end
return { 'ok', publish(R, node, { t = 'ended' }) }
