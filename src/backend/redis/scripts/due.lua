-- Rooms whose presence check is due (by Redis time), at most ARGV[1] of them. They stay
-- listed; the sweeper re-scores or removes each after sweeping it.
-- KEYS[1]: the sweep list
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
