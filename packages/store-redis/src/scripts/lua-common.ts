/**
 * Lua shared by every script: a key's stored state and sliding windows, and the usage/headroom refresh. It is a
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
  lastUsedAt = true, lastSuccessAt = true, lastFailureAt = true,
}

-- Numbers travel as text with 17 significant digits, so a double survives the trip to JavaScript exactly.
local function num(value)
  return string.format('%.17g', value)
end

local function optional_number(value)
  if value == nil or value == '' then return nil end
  return tonumber(value)
end

-- A key lives in ONE string key: JSON { s = state fields, w = { requests = window, tokens = ..., day = ... } }, so a
-- script reads it with one GET and writes it with one SET (each redis.call from Lua has a real cost). Integers are
-- JSON numbers; other numbers are text with 17 digits (cjson keeps only 14), so doubles survive exactly.
local ENTRIES = {}

local function is_numeric(field)
  return NUMERIC[field] ~= nil or OPTIONAL_NUMERIC[field] or string.sub(field, 1, 8) == 'failure:'
end

local function load_state(key)
  local stored = redis.call('GET', key)
  local doc = stored and cjson.decode(stored) or {}
  local values = { status = 'active' }
  for field, default in pairs(NUMERIC) do values[field] = default end
  for field, value in pairs(doc.s or {}) do
    if type(value) == 'string' and is_numeric(field) then values[field] = tonumber(value) else values[field] = value end
  end
  local state = setmetatable({}, {
    __index = values,
    __newindex = function(_, field, value) values[field] = value end,
  })
  ENTRIES[state] = { key = key, values = values, windows = doc.w or {}, exists = stored ~= false and stored ~= nil }
  return state
end

-- The state's fields without their defaults, numbers as JSON numbers when exact, else as text.
local function fields_of(state)
  local out = {}
  for field, value in pairs(ENTRIES[state].values) do
    if type(value) == 'number' then
      if NUMERIC[field] ~= value then
        if value == math.floor(value) and math.abs(value) < 1e14 then out[field] = value else out[field] = num(value) end
      end
    elseif not (field == 'status' and value == 'active') then
      out[field] = value
    end
  end
  return out
end

-- The state as one JSON object (a single bulk reply, parsed natively by the client).
local function encode(state)
  return cjson.encode(fields_of(state))
end

-- Idle state lives for STATE_TTL_MS after its last write, or after its cooldown ends; a disabled key much longer.
local function state_ttl(values)
  if values.status == 'disabled' then return DISABLED_TTL_MS end
  local ttl = STATE_TTL_MS
  if values.cooldownUntil > NOW then ttl = ttl + (values.cooldownUntil - NOW) end
  return math.ceil(ttl)
end

local function publish(fingerprint, encoded)
  if CHANNEL ~= '' then
    redis.call('PUBLISH', CHANNEL, cjson.encode({ ORIGIN, fingerprint, cjson.decode(encoded) }))
  end
end

-- A sliding window, kept in the key as [last, slice, units, slice, units, ...], where last is the newest slice
-- written (so a process whose clock is a little behind counts into the current slice, never an old one). A unit
-- counts until the whole slice it fell in has left the window.
local function open_window(packed, window_ms)
  local slice_ms = window_ms / SLICES
  local counts = {}
  local last = -1
  if packed and #packed > 0 then
    last = tonumber(packed[1])
    for index = 2, #packed, 2 do counts[tonumber(packed[index])] = tonumber(packed[index + 1]) end
  end
  local current = math.floor(NOW / slice_ms)
  if current < last then current = last end
  local total = 0
  for slice, count in pairs(counts) do
    if slice <= current - SLOTS then counts[slice] = nil else total = total + count end
  end
  return {
    window_ms = window_ms, slice_ms = slice_ms, counts = counts, current = current, total = total, added = false,
  }
end

-- The windows a key's limits call for: a window exists only for a limit that is set.
local function open_windows(state, rpm, tpm, rpd)
  local stored = ENTRIES[state].windows
  local windows = {}
  if rpm ~= nil then windows.requests = open_window(stored.requests, MINUTE_MS) end
  if tpm ~= nil then windows.tokens = open_window(stored.tokens, MINUTE_MS) end
  if rpd ~= nil then windows.day = open_window(stored.day, DAY_MS) end
  return windows
end

local function pack_window(window)
  local packed = { window.current }
  for slice, count in pairs(window.counts) do
    if count ~= 0 then
      packed[#packed + 1] = slice
      packed[#packed + 1] = count
    end
  end
  return packed
end

-- Writes the key (state and any window that took units) with one SET, and returns the state encoded. The key lives
-- as long as its state needs (state_ttl), and at least as long as its windows' units count (one window and one
-- slice, plus a second of grace for clock steps).
local function save_state(state, windows)
  local entry = ENTRIES[state]
  local ttl = state_ttl(entry.values)
  for name, window in pairs(windows or {}) do
    if window.added then
      entry.windows[name] = pack_window(window)
      ttl = math.max(ttl, math.ceil(window.window_ms + window.slice_ms) + 1000)
    end
  end
  local fields = fields_of(state)
  local doc = { s = fields }
  if next(entry.windows) ~= nil then doc.w = entry.windows end
  redis.call('SET', entry.key, cjson.encode(doc), 'PX', ttl)
  return cjson.encode(fields)
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
