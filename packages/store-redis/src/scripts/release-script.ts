import { LUA_COMMON } from './lua-common';

/**
 * `release`: gives back the in-flight slot (and the probe) of a reservation whose answer came too late, after the
 * store had already served that call from its local fallback. The window units stay counted: the call did go out.
 *
 * KEYS: the key. ARGV (after the context): probe (1/0).
 */
export const RELEASE_SCRIPT = `${LUA_COMMON}
local state = load_state(KEYS[1])
if not ENTRIES[state].exists then return 0 end
state.inFlight = math.max(0, state.inFlight - 1)
if ARGV[8] == '1' then state.probeInFlight = 0 end
save_state(state)
return 1
`;
