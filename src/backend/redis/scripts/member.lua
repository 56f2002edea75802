-- One member: name and online ('1'/'0'). ARGV: room, user
local R, U = ARGV[1], ARGV[2]
if not room_exists(R) then return { 'room' } end
if redis.call('SISMEMBER', rk(R, 'members'), U) == 0 then return { 'member' } end
return { 'ok', redis.call('HGET', rk(R, 'names'), U), is_online(R, U, now_ms()) and '1' or '0' }
