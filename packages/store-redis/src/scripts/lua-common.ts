/**
 * Lua shared by every script: the key-state hash, the sliding windows and the usage/headroom refresh. It is a
 * line-for-line port of core's `MemoryStateStore` and `SlidingWindow`, so a key behaves the same in Redis as in memory.
 *
 * Every script receives the same first seven ARGV (see `CONTEXT_ARGS`), then its own.
 */
export const LUA_COMMON = `
local NOW = tonumber(ARGV[1])
local MINUTE_MS = tonumber(ARGV[2])
local DAY_MS = tonumber(ARGV[3])
local STATE_TTL_MS = tonumber(ARGV[4])
local DISABLED_TTL_MS = tonumber(ARGV[5])
local CHANNEL = ARGV[6]
local ORIGIN = ARGV[7]
local SLICES = 30
local SLOTS = SLICES + 1
local LATENCY_ALPHA = 0.2

local NUMERIC = {
  cooldownUntil = 0, consecutiveFailures = 0, halfOpen = 0, probeInFlight = 0, probeStartedAt = 0, inFlight = 0,
  blockedUntil = 0, requests = 0, successes = 0, usageRequests = 0, usageTokens = 0, usageDay = 0, headroom = 1,
}
local OPTIONAL_NUMERIC = {
  latencyEwmaMs = true, learnedRequestsLimit = true, learnedTokensLimit = true,
  budgetRequestsRemaining = true, budgetRequestsResetAt = true, budgetTokensRemaining = true, budgetTokensResetAt = true,
}

-- Numbers travel as text with 17 significant digits, so a double survives the trip to JavaScript exactly.
local function num(value)
  return string.format('%.17g', value)
end

local function optional_number(value)
  if value == nil or value == '' then return nil end
  return tonumber(value)
end

-- A key's state: reads and writes go through a proxy that remembers which fields changed, so saving writes (and
-- formats) only those. ENTRIES[state] holds the values, the stored text of each field, and the changed set.
local ENTRIES = {}

local function load_state(key)
  local flat = redis.call('HGETALL', key)
  local values = { status = 'active' }
  local raw = {}
  for field, default in pairs(NUMERIC) do values[field] = default end
  for index = 1, #flat, 2 do
    local field, value = flat[index], flat[index + 1]
    raw[field] = value
    if NUMERIC[field] ~= nil or OPTIONAL_NUMERIC[field] or string.sub(field, 1, 8) == 'failure:' then
      values[field] = tonumber(value)
    else
      values[field] = value
    end
  end
  local changed = {}
  local state = setmetatable({}, {
    __index = values,
    __newindex = function(_, field, value)
      if values[field] ~= value then
        values[field] = value
        changed[field] = true
      end
    end,
  })
  ENTRIES[state] = { values = values, raw = raw, changed = changed }
  return state
end

-- The state as the stored text of every field, changes included (what a script returns).
local function texts(state)
  local entry = ENTRIES[state]
  local out = {}
  for field, text in pairs(entry.raw) do out[field] = text end
  for field in pairs(entry.changed) do
    local value = entry.values[field]
    if value == nil then out[field] = nil
    elseif type(value) == 'number' then out[field] = num(value)
    else out[field] = value end
  end
  return out
end

-- The state as one JSON object of field -> text (a single bulk reply, parsed natively by the client).
local function encode(state)
  return cjson.encode(texts(state))
end

-- Idle state lives for STATE_TTL_MS after its last write, or after its cooldown ends; a disabled key much longer.
local function state_ttl(state)
  if state.status == 'disabled' then return DISABLED_TTL_MS end
  local ttl = STATE_TTL_MS
  if state.cooldownUntil > NOW then ttl = ttl + (state.cooldownUntil - NOW) end
  return math.ceil(ttl)
end

-- Writes only the fields that changed (and drops the ones that went away), refreshes the TTL, and returns the state
-- encoded (see encode).
local function save_state(key, state)
  local entry = ENTRIES[state]
  local set, removed = {}, {}
  for field in pairs(entry.changed) do
    local value = entry.values[field]
    if value == nil then
      if entry.raw[field] ~= nil then removed[#removed + 1] = field end
      entry.raw[field] = nil
    else
      local text = type(value) == 'number' and num(value) or value
      if entry.raw[field] ~= text then
        set[#set + 1] = field
        set[#set + 1] = text
      end
      entry.raw[field] = text
    end
    entry.changed[field] = nil
  end
  if #removed > 0 then redis.call('HDEL', key, unpack(removed)) end
  if #set > 0 then redis.call('HSET', key, unpack(set)) end
  if next(entry.raw) ~= nil then redis.call('PEXPIRE', key, state_ttl(entry.values)) end
  return cjson.encode(entry.raw)
end

local function publish(fingerprint, encoded)
  if CHANNEL ~= '' then
    redis.call('PUBLISH', CHANNEL, cjson.encode({ ORIGIN, fingerprint, cjson.decode(encoded) }))
  end
end

-- A sliding window: a string key holding a JSON array [last, slice, units, slice, units, ...], where last is the
-- newest slice written (so a process whose clock is a little behind counts into the current slice, never an old one).
-- A unit counts until the whole slice it fell in has left the window.
local function open_window(key, window_ms)
  local slice_ms = window_ms / SLICES
  local stored = redis.call('GET', key)
  local counts = {}
  local last = -1
  if stored then
    local packed = cjson.decode(stored)
    last = packed[1]
    for index = 2, #packed, 2 do counts[packed[index]] = packed[index + 1] end
  end
  local current = math.floor(NOW / slice_ms)
  if current < last then current = last end
  local total = 0
  for slice, count in pairs(counts) do
    if slice <= current - SLOTS then counts[slice] = nil else total = total + count end
  end
  return {
    key = key, window_ms = window_ms, slice_ms = slice_ms, counts = counts, current = current, total = total,
    added = false,
  }
end

local function window_add(window, amount)
  local counted = window.counts[window.current] or 0
  local applied = amount
  -- A give-back can only return what was counted; a unit that already left the window is gone for good.
  if counted + amount < 0 then applied = -counted end
  window.counts[window.current] = counted + applied
  window.total = math.max(0, window.total + applied)
  window.added = true
end

-- Moves units counted at time 'at' to the current slice (the total is unchanged), if their slice is still in the
-- window: they then count until one window after now.
local function window_move(window, at, amount)
  local slice = math.floor(at / window.slice_ms)
  if slice >= window.current or slice <= window.current - SLOTS then return end
  local counted = window.counts[slice] or 0
  if counted < amount then return end
  window.counts[slice] = counted - amount
  window.counts[window.current] = (window.counts[window.current] or 0) + amount
  window.added = true
end

local function window_free_at(window, cost, limit)
  if window.total + cost <= limit or window.total == 0 then return NOW end
  local excess = window.total + cost - math.max(limit, cost)
  for slice = window.current - SLOTS + 1, window.current do
    excess = excess - (window.counts[slice] or 0)
    if excess <= 0 then return (slice + SLOTS) * window.slice_ms end
  end
  return (window.current + SLOTS) * window.slice_ms
end

local function save_window(window)
  if not window.added then return end
  local packed = { window.current }
  for slice, count in pairs(window.counts) do
    if count ~= 0 then
      packed[#packed + 1] = slice
      packed[#packed + 1] = count
    end
  end
  -- The window's units all leave it within one window and one slice; a second of grace covers clock steps.
  redis.call('SET', window.key, cjson.encode(packed), 'PX', math.ceil(window.window_ms + window.slice_ms) + 1000)
end

-- The windows a key's limits call for (a window exists only for a limit that is set), from KEYS[base..base+2].
local function open_windows(base, rpm, tpm, rpd)
  local windows = {}
  if rpm ~= nil then windows.requests = open_window(KEYS[base], MINUTE_MS) end
  if tpm ~= nil then windows.tokens = open_window(KEYS[base + 1], MINUTE_MS) end
  if rpd ~= nil then windows.day = open_window(KEYS[base + 2], DAY_MS) end
  return windows
end

local function save_windows(windows)
  if windows.requests then save_window(windows.requests) end
  if windows.tokens then save_window(windows.tokens) end
  if windows.day then save_window(windows.day) end
end

local function refresh_usage(state, windows, rpm, tpm, rpd)
  local requests = windows.requests and windows.requests.total or 0
  local tokens = windows.tokens and windows.tokens.total or 0
  local day = windows.day and windows.day.total or 0
  state.usageRequests = requests
  state.usageTokens = tokens
  state.usageDay = day
  local headroom = 1
  if rpm ~= nil and rpm ~= 0 then headroom = math.min(headroom, 1 - requests / rpm) end
  if tpm ~= nil and tpm ~= 0 then headroom = math.min(headroom, 1 - tokens / tpm) end
  if rpd ~= nil and rpd ~= 0 then headroom = math.min(headroom, 1 - day / rpd) end
  local requests_limit = state.learnedRequestsLimit
  if requests_limit ~= nil and requests_limit ~= 0 and state.budgetRequestsRemaining ~= nil then
    headroom = math.min(headroom, state.budgetRequestsRemaining / requests_limit)
  end
  local tokens_limit = state.learnedTokensLimit
  if tokens_limit ~= nil and tokens_limit ~= 0 and state.budgetTokensRemaining ~= nil then
    headroom = math.min(headroom, state.budgetTokensRemaining / tokens_limit)
  end
  state.headroom = math.max(0, headroom)
end

local function cool(state, until_at, reason, category)
  if until_at > state.cooldownUntil then
    state.cooldownUntil = until_at
    state.reason = reason
    state.category = category
  end
  state.halfOpen = 0
end
`;

/** How many ARGV every script starts with: now, minuteMs, dayMs, stateTtlMs, disabledTtlMs, channel, origin. */
export const CONTEXT_ARGS = 7;
