import { LUA_COMMON } from './lua-common';

/**
 * `read`: many keys' state in one round trip, with window usage and headroom as of `now`. Writes nothing.
 *
 * KEYS: the keys.
 * ARGV (after the context): for each key, rpm, tpm, rpd.
 * Returns one state per key, in order.
 */
export const READ_SCRIPT = `${LUA_COMMON}
local views = {}
for index = 1, #KEYS do
  local at = 8 + (index - 1) * 3
  local rpm, tpm, rpd = optional_number(ARGV[at]), optional_number(ARGV[at + 1]), optional_number(ARGV[at + 2])
  local state = load_state(KEYS[index])
  refresh_usage(state, open_windows(state, rpm, tpm, rpd), rpm, tpm, rpd)
  views[index] = encode(state)
end
return views
`;
