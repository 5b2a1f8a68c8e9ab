import { LUA_COMMON } from './lua-common';

/**
 * `setStatus`: enables or disables a key (optionally clearing its cooldown and failure count) and publishes it.
 *
 * KEYS: the key.
 * ARGV (after the context): fingerprint, rpm, tpm, rpd, enabled (1/0), reason, reset (1/0).
 * Returns the key's state.
 */
export const SET_STATUS_SCRIPT = `${LUA_COMMON}
local fingerprint = ARGV[8]
local rpm, tpm, rpd = optional_number(ARGV[9]), optional_number(ARGV[10]), optional_number(ARGV[11])
local state = load_state(KEYS[1])
if ARGV[12] == '1' then
  state.status = 'active'
  state.reason = nil
  state.category = nil
else
  state.status = 'disabled'
  state.reason = ARGV[13]
  if state.reason == '' then state.reason = 'disabled by the application' end
end
if ARGV[14] == '1' then
  state.cooldownUntil = 0
  state.consecutiveFailures = 0
  state.halfOpen = 0
  state.blockedUntil = 0
end
refresh_usage(state, open_windows(state, rpm, tpm, rpd), rpm, tpm, rpd)
local flat = save_state(state)
publish(fingerprint, flat)
return flat
`;
