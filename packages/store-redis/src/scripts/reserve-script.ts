import { LUA_COMMON } from './lua-common';

/**
 * `reserve`, atomically: status, cooldown (turning an ended one into half-open), the half-open probe, the request,
 * token and day windows and the learned budgets are checked, and the attempt is counted, in one script.
 *
 * KEYS: the key.
 * ARGV (after the context): fingerprint, rpm, tpm, rpd ('' when unset), cost requests, cost tokens, probe lease ms.
 * Returns `{ ok, why, retryAt, probe, state }` with `retryAt` as text (`inf` for a disabled key).
 */
export const RESERVE_SCRIPT = `${LUA_COMMON}
local rpm, tpm, rpd = optional_number(ARGV[9]), optional_number(ARGV[10]), optional_number(ARGV[11])
local cost_requests, cost_tokens = tonumber(ARGV[12]), tonumber(ARGV[13])
local probe_lease_ms = tonumber(ARGV[14])
local state = load_state(KEYS[1])

if state.status == 'disabled' then return { 0, 'disabled', 'inf', 0, encode(state) } end
if state.cooldownUntil > NOW then return { 0, 'cooling', num(state.cooldownUntil), 0, encode(state) } end
if state.cooldownUntil ~= 0 then
  -- The cooldown is over: the key is half-open until one probe succeeds.
  state.cooldownUntil = 0
  state.halfOpen = 1
end
if state.halfOpen == 1 and state.probeInFlight == 1 then
  if probe_lease_ms > 0 and NOW - state.probeStartedAt >= probe_lease_ms then
    -- The process that took the probe never recorded it (it died, or lost Redis): this attempt probes instead.
    state.probeInFlight = 0
    state.inFlight = math.max(0, state.inFlight - 1)
  else
    return { 0, 'probing', num(NOW), 0, save_state(state) }
  end
end

local function learned_free_at(remaining, reset_at, cost)
  if remaining == nil or reset_at <= NOW then return NOW end
  if remaining >= cost or cost == 0 then return NOW end
  return reset_at
end

-- A learned budget whose reset has passed starts a new window at its known limit, rather than being forgotten (which
-- would let every waiting call through at once).
local function roll_over(remaining_field, reset_field, limit)
  local reset_at = state[reset_field]
  if state[remaining_field] ~= nil and reset_at ~= nil and reset_at <= NOW and limit ~= nil and limit > 0 then
    state[remaining_field] = limit
    state[reset_field] = NOW + MINUTE_MS
  end
end
roll_over('budgetRequestsRemaining', 'budgetRequestsResetAt', state.learnedRequestsLimit)
roll_over('budgetTokensRemaining', 'budgetTokensResetAt', state.learnedTokensLimit)

local windows = open_windows(state, rpm, tpm, rpd)
local free_at = NOW
if windows.requests then free_at = math.max(free_at, window_free_at(windows.requests, cost_requests, rpm)) end
if windows.tokens then free_at = math.max(free_at, window_free_at(windows.tokens, cost_tokens, tpm)) end
if windows.day then free_at = math.max(free_at, window_free_at(windows.day, cost_requests, rpd)) end
free_at = math.max(free_at, learned_free_at(state.budgetRequestsRemaining, state.budgetRequestsResetAt, cost_requests))
free_at = math.max(free_at, learned_free_at(state.budgetTokensRemaining, state.budgetTokensResetAt, cost_tokens))
if free_at > NOW then
  state.blockedUntil = free_at
  return { 0, 'capacity', num(free_at), 0, save_state(state, windows) }
end
state.blockedUntil = 0

if windows.requests then window_add(windows.requests, cost_requests) end
if windows.tokens then window_add(windows.tokens, cost_tokens) end
if windows.day then window_add(windows.day, cost_requests) end
if state.budgetRequestsRemaining ~= nil then state.budgetRequestsRemaining = state.budgetRequestsRemaining - cost_requests end
if state.budgetTokensRemaining ~= nil then state.budgetTokensRemaining = state.budgetTokensRemaining - cost_tokens end
state.inFlight = state.inFlight + 1
state.requests = state.requests + 1
local probe = state.halfOpen
if probe == 1 then
  state.probeInFlight = 1
  state.probeStartedAt = NOW
end
refresh_usage(state, windows, rpm, tpm, rpd)
return { 1, '', num(NOW), probe, save_state(state, windows) }
`;
