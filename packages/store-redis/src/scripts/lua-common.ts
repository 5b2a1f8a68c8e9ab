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

local function load_state(key)
  local flat = redis.call('HGETALL', key)
  local state = { status = 'active' }
  for field, default in pairs(NUMERIC) do state[field] = default end
  for index = 1, #flat, 2 do
    local field, value = flat[index], flat[index + 1]
    if NUMERIC[field] ~= nil or OPTIONAL_NUMERIC[field] or string.sub(field, 1, 8) == 'failure:' then
      state[field] = tonumber(value)
    else
      state[field] = value
    end
  end
  return state
end

local function flatten(state)
  local out = {}
  for field, value in pairs(state) do
    out[#out + 1] = field
    if type(value) == 'number' then out[#out + 1] = num(value) else out[#out + 1] = value end
  end
  return out
end

-- Idle state lives for STATE_TTL_MS after its last write, or after its cooldown ends; a disabled key much longer.
local function state_ttl(state)
  if state.status == 'disabled' then return DISABLED_TTL_MS end
  local ttl = STATE_TTL_MS
  if state.cooldownUntil > NOW then ttl = ttl + (state.cooldownUntil - NOW) end
  return math.ceil(ttl)
end

local function save_state(key, state)
  redis.call('DEL', key)
  redis.call('HSET', key, unpack(flatten(state)))
  redis.call('PEXPIRE', key, state_ttl(state))
end

local function publish(fingerprint, state)
  if CHANNEL ~= '' then
    redis.call('PUBLISH', CHANNEL, cjson.encode({ ORIGIN, fingerprint, flatten(state) }))
  end
end

-- A sliding window: a hash of slice number -> units, plus 'last' (the newest slice written, so a process whose clock
-- is a little behind counts into the current slice, never an old one). A unit counts until the whole slice it fell
-- in has left the window.
local function open_window(key, window_ms)
  local slice_ms = window_ms / SLICES
  local flat = redis.call('HGETALL', key)
  local counts = {}
  local last = -1
  for index = 1, #flat, 2 do
    if flat[index] == 'last' then last = tonumber(flat[index + 1])
    else counts[tonumber(flat[index])] = tonumber(flat[index + 1]) end
  end
  local current = math.floor(NOW / slice_ms)
  if current < last then current = last end
  local total = 0
  local stale = {}
  for slice, count in pairs(counts) do
    if slice <= current - SLOTS then stale[#stale + 1] = slice else total = total + count end
  end
  for _, slice in ipairs(stale) do counts[slice] = nil end
  return {
    key = key, window_ms = window_ms, slice_ms = slice_ms, counts = counts, current = current, total = total,
    stale = stale, dirty = {}, added = false,
  }
end

local function window_add(window, amount)
  local counted = window.counts[window.current] or 0
  local applied = amount
  -- A give-back can only return what was counted; a unit that already left the window is gone for good.
  if counted + amount < 0 then applied = -counted end
  window.counts[window.current] = counted + applied
  window.total = math.max(0, window.total + applied)
  window.dirty[window.current] = true
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
  window.dirty[slice] = true
  window.dirty[window.current] = true
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
  if #window.stale > 0 then
    local fields = {}
    for index, slice in ipairs(window.stale) do fields[index] = num(slice) end
    redis.call('HDEL', window.key, unpack(fields))
  end
  if window.added then
    local fields = { 'last', num(window.current) }
    for slice in pairs(window.dirty) do
      fields[#fields + 1] = num(slice)
      fields[#fields + 1] = num(window.counts[slice] or 0)
    end
    redis.call('HSET', window.key, unpack(fields))
    -- The window's units all leave it within one window and one slice; a second of grace covers clock steps.
    redis.call('PEXPIRE', window.key, math.ceil(window.window_ms + window.slice_ms) + 1000)
  end
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
