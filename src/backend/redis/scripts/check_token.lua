-- A member's stored token secret ('' if none); a valid session is extended.
-- ARGV: room, user, session ttl ms
local R, U, session_ttl_ms = ARGV[1], ARGV[2], tonumber(ARGV[3])
if not room_exists(R) then return { 'room' } end
if redis.call('SISMEMBER', rk(R, 'members'), U) == 0 then return { 'member' } end
local secret = redis.call('HGET', uk(R, U, 'session'), 'token')
if not secret then return { 'ok', '' } end
redis.call('PEXPIRE', uk(R, U, 'session'), session_ttl_ms)
return { 'ok', secret }
