-- Shared helpers, prepended to every c2c script. All keys of a room carry the room id as a
-- hash tag ({R}), so one room lives in one Redis Cluster slot; scripts are routed by KEYS[1]
-- (the room's info hash) and derive the room's other keys from the room id.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function rk(R, suffix) return 'room:{' .. R .. '}:' .. suffix end

-- A whole number as a command argument or in a string. Redis's Lua formats a number it is
-- given with printf's %.14g or %.17g, about three times slower than %d (docs/performance.md,
-- "Fewer commands per post").
local function int(n) return string.format('%d', n) end

-- Takes one token of the bucket at `key`, a string '<micro-tokens> <at ms>' (its tokens, in
-- millionths, and when they were counted), refilled at `per_ms` tokens a millisecond up to
-- `burst`. Returns 0 when taken, else the milliseconds until one is there. One read and one
-- write (the expiry rides on the SET): the bucket expires once it would be full again, so
-- idle senders leave nothing behind.
local function take_token(key, now, per_ms, burst)
  local tokens, at = burst, now
  local b = redis.call('GET', key)
  if b then
    local t, a = string.match(b, '^(%d+) (%d+)$')
    if t then tokens, at = tonumber(t) / 1e6, tonumber(a) end
  end
  tokens = math.min(burst, tokens + math.max(0, now - at) * per_ms)
  if tokens < 1 then return math.ceil((1 - tokens) / per_ms) end
  local left = int(math.floor((tokens - 1) * 1e6))
  redis.call('SET', key, left .. ' ' .. int(now), 'PX', int(math.ceil(burst / per_ms) + 1000))
  return 0
end
local function uk(R, U, suffix) return 'user:{' .. R .. '}:' .. U .. ':' .. suffix end

-- The keys that make up a room; they share the idle-expiry TTL.
local ROOM_KEYS = { 'info', 'members', 'names', 'keys', 'order', 'taken', 'presence', 'conns', 'messages', 'cids', 'removed', 'state' }

local function room_exists(R) return redis.call('EXISTS', rk(R, 'info')) == 1 end

-- U's name in the room, or false when U is not a member: the 'names' hash holds exactly the
-- members (create and join add both, depart removes both), so one read answers both questions.
local function member_name(R, U) return redis.call('HGET', rk(R, 'names'), U) end

-- Someone is online: the room no longer expires.
local function persist(R)
  if redis.call('PTTL', rk(R, 'info')) >= 0 then
    for _, s in ipairs(ROOM_KEYS) do redis.call('PERSIST', rk(R, s)) end
  end
end

-- No one is online any more: start the idle-expiry clock once (not again on every check).
local function maybe_idle(R, now, idle_ms)
  if redis.call('ZCOUNT', rk(R, 'presence'), '(' .. now, '+inf') == 0
     and redis.call('PTTL', rk(R, 'info')) < 0 then
    for _, s in ipairs(ROOM_KEYS) do redis.call('PEXPIRE', rk(R, s), idle_ms) end
  end
end

-- Publishes an event on the room's channel in the versioned envelope; returns the payload.
local function publish(R, node, ev)
  ev.v = 1
  ev.node = node
  ev.room = R
  local payload = cjson.encode(ev)
  redis.call(PUBLISH, 'chan:{' .. R .. '}', payload)
  return payload
end

-- Adds an entry (a message, or a join/leave notice when k is set) to the room's history with
-- the room's next sequence number, publishes it and returns the payload. Approximate trimming
-- ('~') drops whole stream nodes instead of one entry per add, several times cheaper; readers
-- see only the last history_len entries (history.lua).
local function add_entry(R, node, history_len, e)
  local seq = redis.call('HINCRBY', rk(R, 'info'), 'seq', 1)
  local fields = { 'user', e.user, 'name', e.name, 'text', e.text, 'at', int(e.at), 'cid', e.cid }
  if e.k then table.insert(fields, 'k'); table.insert(fields, e.k) end
  if e.men and e.men ~= '' then table.insert(fields, 'men'); table.insert(fields, e.men) else e.men = nil end
  if e.x and e.x ~= '' then table.insert(fields, 'x'); table.insert(fields, e.x) else e.x = nil end
  redis.call('XADD', rk(R, 'messages'), 'MAXLEN', '~', int(history_len), int(seq) .. '-0', unpack(fields))
  e.t = 'msg'
  e.seq = seq
  return publish(R, node, e), seq
end

-- A membership or presence change: bumps the member-list version and publishes it.
local function presence_event(R, node, U, name, change, online)
  local ver = redis.call('HINCRBY', rk(R, 'info'), 'mver', 1)
  return publish(R, node, { t = 'presence', ver = ver, user = U, name = name, change = change, online = online })
end

-- Connections and their deadlines. `room:{R}:conns` holds every connection of the room as
-- `U|conn` → its deadline (ms, Redis clock): the connection is live until then. A heartbeat
-- moves deadlines of many connections with one command (beat.lua). `user:{R}:U:conns` lists
-- U's connections (connection → when it connected), written on connect and disconnect only.
-- U's presence score is never below the deadline of a live connection of U.
local function conn_entry(U, conn) return U .. '|' .. conn end

-- U's connections (from U's index) and their entries in the room's set.
local function member_conns(R, U)
  local conns = redis.call('ZRANGE', uk(R, U, 'conns'), 0, -1)
  local entries = {}
  for i, c in ipairs(conns) do entries[i] = conn_entry(U, c) end
  return conns, entries
end

-- The latest deadline of U's live connections (nil when none is live); drops the others.
local function live_until(R, U, now)
  local conns, entries = member_conns(R, U)
  if #conns == 0 then return nil end
  local deadlines = redis.call('ZMSCORE', rk(R, 'conns'), unpack(entries))
  local latest, dead, dead_entries = nil, {}, {}
  for i, d in ipairs(deadlines) do
    d = tonumber(d)
    if d and d > now then
      if not latest or d > latest then latest = d end
    else
      table.insert(dead, conns[i])
      table.insert(dead_entries, entries[i])
    end
  end
  if #dead > 0 then
    redis.call('ZREM', uk(R, U, 'conns'), unpack(dead))
    redis.call('ZREM', rk(R, 'conns'), unpack(dead_entries))
  end
  return latest
end

-- Forgets every connection of U.
local function drop_conns(R, U)
  local _, entries = member_conns(R, U)
  if #entries > 0 then redis.call('ZREM', rk(R, 'conns'), unpack(entries)) end
  redis.call('DEL', uk(R, U, 'conns'))
end

-- Marks connection `conn` of U live until now + ttl. U's index expires with the session, and
-- a heartbeat slides both at most every two minutes (beat.lua).
local function add_conn(R, U, conn, now, ttl_ms, session_ttl_ms)
  live_until(R, U, now)
  local index = uk(R, U, 'conns')
  redis.call('ZADD', index, now, conn)
  redis.call('PEXPIRE', index, session_ttl_ms)
  redis.call('ZADD', rk(R, 'conns'), now + ttl_ms, conn_entry(U, conn))
  redis.call('ZADD', rk(R, 'presence'), 'GT', now + ttl_ms, U)
  redis.call('HSET', uk(R, U, 'session'), 'room', R, 'seen_at', now)
  redis.call('PEXPIRE', uk(R, U, 'session'), session_ttl_ms)
end

-- U has no live connection left: off the presence set, name free, room told.
local function go_offline(R, node, U, now, idle_ms)
  redis.call('ZREM', rk(R, 'presence'), U)
  drop_conns(R, U)
  local key = redis.call('HGET', rk(R, 'keys'), U)
  if key and redis.call('HGET', rk(R, 'taken'), key) == U then
    redis.call('HDEL', rk(R, 'taken'), key)
  end
  local name = redis.call('HGET', rk(R, 'names'), U)
  local payload = presence_event(R, node, U, name, 'offline', false)
  maybe_idle(R, now, idle_ms)
  return payload
end

-- Whether U is online now.
local function is_online(R, U, now)
  local score = redis.call('ZSCORE', rk(R, 'presence'), U)
  return score ~= false and score ~= nil and tonumber(score) > now
end

-- Whether a present member other than U holds the name key.
local function name_taken(R, key, U, now)
  local holder = redis.call('HGET', rk(R, 'taken'), key)
  return holder and holder ~= U and is_online(R, holder, now)
end

-- Marks connection `conn` of member U live (connect or heartbeat). Returns false when U is not
-- a member; else U's name and, when U was offline, the published 'online' event. A member
-- coming back whose name a present member took meanwhile gets a numbered name.
local function touch_one(R, U, conn, node, now, ttl_ms, session_ttl_ms)
  local name = member_name(R, U)
  if not name then return false end
  local was_online = is_online(R, U, now)
  local event = nil
  if not was_online then
    local key = redis.call('HGET', rk(R, 'keys'), U)
    if name_taken(R, key, U, now) then
      local n = 2
      while name_taken(R, key .. ' ' .. n, U, now) do n = n + 1 end
      key = key .. ' ' .. n
      name = name .. ' ' .. n
      redis.call('HSET', rk(R, 'names'), U, name)
      redis.call('HSET', rk(R, 'keys'), U, key)
    end
    redis.call('HSET', rk(R, 'taken'), key, U)
    persist(R)
  end
  add_conn(R, U, conn, now, ttl_ms, session_ttl_ms)
  if not was_online then
    event = presence_event(R, node, U, name, 'online', true)
  end
  return name, event
end

-- Member U leaves the room (by themselves, or removed: kind 'left' or 'removed', text the
-- remover's name; kind nil for a quiet leave of a big room): the member list and the history say so, and when the owner leaves, the
-- longest-present member (the first in join order) takes over. Appends the payloads to out.
local function depart(R, node, U, now, history_len, kind, text, out)
  local name = redis.call('HGET', rk(R, 'names'), U)
  local key = redis.call('HGET', rk(R, 'keys'), U)
  if key and redis.call('HGET', rk(R, 'taken'), key) == U then redis.call('HDEL', rk(R, 'taken'), key) end
  redis.call('SREM', rk(R, 'members'), U)
  redis.call('HDEL', rk(R, 'names'), U)
  redis.call('HDEL', rk(R, 'keys'), U)
  redis.call('ZREM', rk(R, 'order'), U)
  redis.call('ZREM', rk(R, 'presence'), U)
  drop_conns(R, U)
  redis.call('DEL', uk(R, U, 'session'))
  local payload = presence_event(R, node, U, name, 'left', false)
  table.insert(out, payload)
  if kind then
    table.insert(out, (add_entry(R, node, history_len, { k = kind, user = U, name = name, text = text, at = now, cid = '' })))
  end
  if redis.call('HGET', rk(R, 'info'), 'owner') == U then
    -- The longest-present member (the first in join order) takes over.
    local heir = redis.call('ZRANGE', rk(R, 'order'), 0, 0)[1]
    if heir then
      redis.call('HSET', rk(R, 'info'), 'owner', heir)
      local heir_name = redis.call('HGET', rk(R, 'names'), heir)
      table.insert(out, (add_entry(R, node, history_len,
        { k = 'owner', user = heir, name = heir_name, text = '', at = now, cid = '' })))
    else
      redis.call('HDEL', rk(R, 'info'), 'owner')
    end
  end
end

-- U acts as the room's owner: nil if they are, else the reply refusing it (no room, not a
-- member, not the owner, out of allowance: every owner action is stored).
local function owner_refusal(R, U, now, per_ms, burst)
  if not room_exists(R) then return { 'room' } end
  if redis.call('SISMEMBER', rk(R, 'members'), U) == 0 then return { 'member' } end
  if redis.call('HGET', rk(R, 'info'), 'owner') ~= U then return { 'owner' } end
  local wait = take_token(uk(R, U, 'tokens'), now, per_ms, burst)
  if wait > 0 then return { 'limited', wait } end
  return nil
end

-- A message edited, deleted or reacted to has its current text, mentions and extra (JSON: the
-- answered message, edit time, deletion, reactions) in the room's 'state' hash, by sequence
-- number (docs/redis.md "Message actions"); the stream keeps what was posted. Applies it to m.
local function apply_state(R, m)
  if m.k then return m end
  local st = redis.call('HGET', rk(R, 'state'), m.seq)
  if st then
    local o = cjson.decode(st)
    m.text = o.text
    m.men = (o.men ~= '' and o.men) or nil
    m.x = (o.x ~= '' and o.x) or nil
  end
  return m
end

-- A history stream entry as the JSON of a published message (envelope version 1), in its
-- current state.
local function entry_json(R, entry)
  local m = { t = 'msg', v = 1, room = R, seq = tonumber(string.match(entry[1], '^(%d+)')) }
  local f = entry[2]
  for i = 1, #f, 2 do m[f[i]] = f[i + 1] end
  m.at = tonumber(m.at)
  return cjson.encode(apply_state(R, m))
end

-- The room's last sequence number and the first one readers see (0 if none): the stream is
-- trimmed approximately, so it may hold a few more than the last history_len.
local function kept_range(R, history_len)
  local last = tonumber(redis.call('HGET', rk(R, 'info'), 'seq') or '0')
  local first = redis.call('XRANGE', rk(R, 'messages'), '-', '+', 'COUNT', 1)
  if #first == 0 then return last, 0 end
  return last, math.max(tonumber(string.match(first[1][1], '^(%d+)')), last - history_len + 1)
end

-- Message `seq` as it is now (its fields, and its extra decoded), if the room still keeps it.
local function current(R, seq, history_len)
  local last, first = kept_range(R, history_len)
  if first == 0 or seq < first or seq > last then return nil end
  local found = redis.call('XRANGE', rk(R, 'messages'), seq .. '-0', seq .. '-0')
  if #found == 0 then return nil end
  local m = { seq = seq }
  local f = found[1][2]
  for i = 1, #f, 2 do m[f[i]] = f[i + 1] end
  apply_state(R, m)
  local x = {}
  if m.x and m.x ~= '' then x = cjson.decode(m.x) end
  return m, x
end

-- The start of a message a reply quotes: at most 200 bytes, cut between characters (a cut
-- through a character drops it), as domain/amend.rs quote_of does.
local function quote(text)
  if #text <= 200 then return text end
  local s = string.sub(text, 1, 200)
  local after = string.byte(text, 201)
  if after >= 128 and after < 192 then s = string.gsub(s, '[\192-\255][\128-\191]*$', '') end
  return s
end
