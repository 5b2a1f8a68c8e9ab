import { LUA_COMMON } from './lua-common';

/**
 * `record`, atomically: the reservation is reconciled (in-flight, probe, tokens), learned limits are kept, stats and
 * the latency EWMA are updated, and a cooldown (the later deadline wins), a disable or a quota group's cooling is
 * applied. A key that is cooled, disabled or recovered is published on the events channel.
 *
 * Mode `full` records an attempt reserved in Redis. Mode `status` applies only the attempt's cooldown or disable
 * (idempotent): used for attempts reserved in the local fallback during an outage, and when those are replayed.
 *
 * KEYS: the key, then each other quota-group member.
 * ARGV (after the context): fingerprint, rpm, tpm, rpd, mode, outcome, reserved tokens, actual tokens, latency ms,
 * category, cooldown until, disable (1/0), reason, probe (1/0), learned requests (JSON, limit, remaining, reset at),
 * learned tokens (the same four), learned info given (1/0), count until recorded (1/0), then the fingerprint of each group member.
 * Returns `{ recovered, state }`.
 */
export const RECORD_SCRIPT = `${LUA_COMMON}
local fingerprint = ARGV[8]
local rpm, tpm, rpd = optional_number(ARGV[9]), optional_number(ARGV[10]), optional_number(ARGV[11])
local mode, outcome = ARGV[12], ARGV[13]
local category = ARGV[17]
if category == '' then category = 'server' end
local cooldown_until = optional_number(ARGV[18])
local disable = ARGV[19] == '1'
local reason = ARGV[20]
if reason == '' then reason = nil end
local probe = ARGV[21] == '1'
local MEMBERS_ARGV = 32

local state = load_state(KEYS[1])
local windows = open_windows(state, rpm, tpm, rpd)
local announce = false
local recovered = 0

local function apply_failure_effects()
  if cooldown_until ~= nil then
    cool(state, cooldown_until, reason, category)
    announce = true
    for index = 2, #KEYS do
      local member = load_state(KEYS[index])
      cool(member, cooldown_until, 'quota group: ' .. (reason or category), category)
      publish(ARGV[MEMBERS_ARGV + index - 2], save_state(member))
    end
  end
  if disable then
    state.status = 'disabled'
    state.reason = reason
    state.category = category
    state.halfOpen = 0
    announce = true
  end
end

if mode == 'full' then
  state.inFlight = math.max(0, state.inFlight - 1)
  if probe then state.probeInFlight = 0 end
  if ARGV[MEMBERS_ARGV - 1] == '1' then
    -- The provider counted this request when it arrived, somewhere between its reservation (now - latency) and
    -- now: it counts in the request windows until one window after now, not after its reservation.
    local reserved_at = NOW - tonumber(ARGV[16])
    if windows.requests then window_move(windows.requests, reserved_at, 1) end
    if windows.day then window_move(windows.day, reserved_at, 1) end
  end
  local reserved, actual = tonumber(ARGV[14]), optional_number(ARGV[15])
  local correction = 0
  if actual ~= nil then correction = actual - reserved elseif outcome == 'failure' then correction = -reserved end
  if correction ~= 0 and windows.tokens then window_add(windows.tokens, correction) end

  if ARGV[30] == '1' then state.learned = '1' end
  if ARGV[22] ~= '' then
    state.learnedRequests = ARGV[22]
    state.learnedRequestsLimit = optional_number(ARGV[23])
  end
  if ARGV[26] ~= '' then
    state.learnedTokens = ARGV[26]
    state.learnedTokensLimit = optional_number(ARGV[27])
  end
  local requests_remaining = optional_number(ARGV[24])
  if requests_remaining ~= nil then
    -- Attempts reserved after the provider counted this one are not in its remaining yet.
    state.budgetRequestsRemaining = requests_remaining - math.max(0, state.inFlight)
    state.budgetRequestsResetAt = optional_number(ARGV[25]) or (NOW + MINUTE_MS)
  end
  local tokens_remaining = optional_number(ARGV[28])
  if tokens_remaining ~= nil then
    state.budgetTokensRemaining = tokens_remaining
    state.budgetTokensResetAt = optional_number(ARGV[29]) or (NOW + MINUTE_MS)
  end

  if outcome == 'success' then
    local latency = tonumber(ARGV[16])
    state.successes = state.successes + 1
    state.consecutiveFailures = 0
    if state.latencyEwmaMs == nil then state.latencyEwmaMs = latency
    else state.latencyEwmaMs = state.latencyEwmaMs + LATENCY_ALPHA * (latency - state.latencyEwmaMs) end
    if state.halfOpen == 1 then
      recovered = 1
      announce = true
      state.halfOpen = 0
      if state.status == 'active' then
        state.reason = nil
        state.category = nil
      end
    end
  else
    local field = 'failure:' .. category
    state[field] = (state[field] or 0) + 1
    if cooldown_until ~= nil or disable or probe then state.consecutiveFailures = state.consecutiveFailures + 1 end
    apply_failure_effects()
  end
elseif outcome == 'failure' then
  apply_failure_effects()
end

-- When the key was last used, succeeded and failed (the later time wins, so a replayed record changes nothing).
if mode == 'full' or outcome == 'failure' then
  state.lastUsedAt = math.max(state.lastUsedAt or 0, NOW)
  local last = outcome == 'success' and 'lastSuccessAt' or 'lastFailureAt'
  state[last] = math.max(state[last] or 0, NOW)
end

refresh_usage(state, windows, rpm, tpm, rpd)
local flat = save_state(state, windows)
if announce then publish(fingerprint, flat) end
return { recovered, flat }
`;
