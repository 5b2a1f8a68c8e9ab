import { LUA_COMMON } from './lua-common';

/**
 * `read`: many keys' state in one round trip, with window usage and headroom as of `now`. Writes nothing.
 *
 * KEYS: for each key, its state, requests window, tokens window and day window.
 * ARGV (after the context): for each key, rpm, tpm, rpd.
 * Returns one state per key, in order.
 */
export const READ_SCRIPT = `${LUA_COMMON}
local views = {}
for index = 1, #KEYS / 4 do
  local base = (index - 1) * 4
  local at = 8 + (index - 1) * 3
  local rpm, tpm, rpd = optional_number(ARGV[at]), optional_number(ARGV[at + 1]), optional_number(ARGV[at + 2])
  local state = load_state(KEYS[base + 1])
  refresh_usage(state, open_windows(base + 2, rpm, tpm, rpd), rpm, tpm, rpd)
  views[index] = encode(state)
end
return views
`;
