"""Lua scripts that run the breaker's state machine inside Redis, atomically.

Each circuit is one hash. Scalars: ``st`` state, ``gen`` generation, ``since``
time of the last transition, ``opened`` time the circuit opened, ``cf``
consecutive failures, ``ha``/``hs`` half-open trials admitted/succeeded, and the
window's ``wk`` kind, ``wn`` size, ``wc``/``wf``/``ws`` totals. A COUNT window
keeps one field ``r<i>`` per slot of a ring (code: 1 failed + 2 slow) with the
cursor in ``wcur``; a TIME window keeps one field ``b<i>`` per second,
``"second:calls:failures:slow"``, with the newest second in ``wlast``. So a
hash never holds more than ``window_size`` slots plus a dozen scalars.

Every script takes ARGV[1] now, ARGV[2] window kind, ARGV[3] window size.
These rules mirror :mod:`pipeline.resilience.breaker_machine`.
"""

_PRELUDE = """
local key = KEYS[1]
local now = tonumber(ARGV[1])

local function load()
  local v = redis.call('HMGET', key, 'st', 'gen', 'since', 'ha', 'hs')
  return v[1] or 'closed', tonumber(v[2]) or 0, tonumber(v[3]) or now,
         tonumber(v[4]) or 0, tonumber(v[5]) or 0
end

local function clear_window()
  local n = tonumber(redis.call('HGET', key, 'wn')) or 0
  local fields = {'wc', 'wf', 'ws', 'wcur', 'wlast', 'cf'}
  for i = 0, n - 1 do
    fields[#fields + 1] = 'r' .. i
    fields[#fields + 1] = 'b' .. i
  end
  redis.call('HDEL', key, unpack(fields))
  redis.call('HSET', key, 'wk', ARGV[2], 'wn', ARGV[3])
end

local function move(to)
  clear_window()
  local gen = redis.call('HINCRBY', key, 'gen', 1)
  redis.call('HSET', key, 'st', to, 'since', ARGV[1], 'ha', 0, 'hs', 0)
  if to == 'open' or to == 'forced_open' then
    redis.call('HSET', key, 'opened', ARGV[1])
  elseif to ~= 'half_open' then
    redis.call('HDEL', key, 'opened')
  end
  return gen
end
"""

ACQUIRE = (
    _PRELUDE
    + """
-- ARGV[4] recovery_timeout, ARGV[5] half_open_max_calls, ARGV[6] trial timeout
local st, gen, since, ha = load()
if st == 'closed' or st == 'disabled' then return {1, st, gen, '', ''} end
if st == 'forced_open' then return {0, st, gen, '', ''} end
if st == 'open' then
  local wait = since + tonumber(ARGV[4]) - now
  if wait > 0 then return {0, st, gen, tostring(wait), ''} end
  gen = move('half_open')
  redis.call('HSET', key, 'ha', 1)
  return {1, 'half_open', gen, '', 'open'}
end
if now - since >= tonumber(ARGV[6]) then
  gen = move('half_open')
  redis.call('HSET', key, 'ha', 1)
  return {1, st, gen, '', ''}
end
if ha < tonumber(ARGV[5]) then
  redis.call('HINCRBY', key, 'ha', 1)
  return {1, st, gen, '', ''}
end
return {0, st, gen, '', ''}
"""
)

_WINDOWS = """
local function add_count(failed, slow)
  local size = tonumber(ARGV[3])
  local v = redis.call('HMGET', key, 'wcur', 'wc', 'wf', 'ws')
  local cur, c, f, s = tonumber(v[1]) or 0, tonumber(v[2]) or 0, tonumber(v[3]) or 0,
                       tonumber(v[4]) or 0
  local old = tonumber(redis.call('HGET', key, 'r' .. cur))
  if old then
    f = f - old % 2
    s = s - math.floor(old / 2)
  else
    c = c + 1
  end
  f = f + failed
  s = s + slow
  redis.call('HSET', key, 'r' .. cur, failed + 2 * slow, 'wcur', (cur + 1) % size,
             'wc', c, 'wf', f, 'ws', s)
  return c, f, s
end

local function add_time(failed, slow)
  local size = tonumber(ARGV[3])
  local sec = math.floor(now)
  local v = redis.call('HMGET', key, 'wlast', 'wc', 'wf', 'ws')
  local last, c, f, s = tonumber(v[1]) or sec, tonumber(v[2]) or 0, tonumber(v[3]) or 0,
                        tonumber(v[4]) or 0
  if sec < last then sec = last end
  for k = 1, math.min(sec - last, size) do
    local field = 'b' .. ((last + k) % size)
    local old = redis.call('HGET', key, field)
    if old then
      local _, oc, of, os = string.match(old, '(-?%d+):(%d+):(%d+):(%d+)')
      c, f, s = c - tonumber(oc), f - tonumber(of), s - tonumber(os)
      redis.call('HDEL', key, field)
    end
  end
  local field = 'b' .. (sec % size)
  local bc, bf, bs = 0, 0, 0
  local cell = redis.call('HGET', key, field)
  if cell then
    local _, oc, of, os = string.match(cell, '(-?%d+):(%d+):(%d+):(%d+)')
    bc, bf, bs = tonumber(oc), tonumber(of), tonumber(os)
  end
  c, f, s = c + 1, f + failed, s + slow
  redis.call('HSET', key, field, string.format('%d:%d:%d:%d', sec, bc + 1, bf + failed, bs + slow),
             'wlast', sec, 'wc', c, 'wf', f, 'ws', s)
  return c, f, s
end

local function trips(cf, c, f, s)
  if cf >= tonumber(ARGV[7]) then return true end
  if c < tonumber(ARGV[8]) then return false end
  if ARGV[9] ~= '' and f / c >= tonumber(ARGV[9]) then return true end
  return ARGV[10] ~= '' and s / c >= tonumber(ARGV[10])
end
"""

RECORD = (
    _PRELUDE
    + _WINDOWS
    + """
-- ARGV[4] generation, ARGV[5] outcome, ARGV[6] slow (0/1), ARGV[7] failure_threshold,
-- ARGV[8] minimum_calls, ARGV[9] failure rate, ARGV[10] slow rate ('' = off),
-- ARGV[11] half_open_max_calls
local st, gen, since, ha, hs = load()
local outcome, slow = ARGV[5], tonumber(ARGV[6])
if tonumber(ARGV[4]) ~= gen or outcome == 'ignored' and st ~= 'half_open' then
  return {st, gen, ''}
end
if st == 'closed' then
  if redis.call('HGET', key, 'wk') ~= ARGV[2] or redis.call('HGET', key, 'wn') ~= ARGV[3] then
    clear_window()
  end
  local failed = outcome == 'failure' and 1 or 0
  local cf = 0
  if failed == 1 then cf = redis.call('HINCRBY', key, 'cf', 1)
  else redis.call('HSET', key, 'cf', 0) end
  local c, f, s
  if ARGV[2] == 'time' then c, f, s = add_time(failed, slow)
  else c, f, s = add_count(failed, slow) end
  if trips(cf, c, f, s) then return {'open', move('open'), 'closed'} end
  return {st, gen, ''}
end
if st ~= 'half_open' then return {st, gen, ''} end
if outcome == 'ignored' then
  if ha > 0 then redis.call('HINCRBY', key, 'ha', -1) end
  return {st, gen, ''}
end
if outcome == 'failure' or slow == 1 then return {'open', move('open'), 'half_open'} end
if redis.call('HINCRBY', key, 'hs', 1) >= tonumber(ARGV[11]) then
  return {'closed', move('closed'), 'half_open'}
end
return {st, gen, ''}
"""
)

FORCE = (
    _PRELUDE
    + """
-- ARGV[4] target state
local st = load()
return {move(ARGV[4]), st}
"""
)
