-- Stores a member's API token secret in their live session. ARGV: room, user, secret, session ttl ms
local R, U, secret, session_ttl_ms = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
if not room_exists(R) then return { 'room' } end
if redis.call('SISMEMBER', rk(R, 'members'), U) == 0 then return { 'member' } end
redis.call('HSET', uk(R, U, 'session'), 'token', secret, 'room', R)
redis.call('PEXPIRE', uk(R, U, 'session'), session_ttl_ms)
return { 'ok' }
