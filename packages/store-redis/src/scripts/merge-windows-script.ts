import { LUA_COMMON } from './lua-common';

/**
 * `merge windows`: adds the window units a process counted locally while Redis was away to the keys' shared windows,
 * slice by slice, on its return. Each process adds only what it sent itself, so the shared windows again hold what
 * every process sent; a restarted (empty) Redis would otherwise let the processes send a whole window again.
 *
 * KEYS: the keys. ARGV (after the context): for each key, `{ requests?, tokens?, day? }` with `[slice, units]` pairs.
 * Returns how many keys took units.
 */
export const MERGE_WINDOWS_SCRIPT = `${LUA_COMMON}
local merged = 0
for index = 1, #KEYS do
  local state = load_state(KEYS[index])
  local windows = {}
  for name, units in pairs(cjson.decode(ARGV[7 + index])) do
    local window = open_window(ENTRIES[state].windows[name], name == 'day' and DAY_MS or MINUTE_MS)
    for _, unit in ipairs(units) do
      -- A slice ahead of Redis's clock counts in the current one; a slice that has left the window is gone.
      local slice = math.min(tonumber(unit[1]), window.current)
      if slice > window.current - SLOTS then
        window.counts[slice] = (window.counts[slice] or 0) + tonumber(unit[2])
        window.total = window.total + tonumber(unit[2])
        window.added = true
      end
    end
    windows[name] = window
  end
  save_state(state, windows)
  merged = merged + 1
end
return merged
`;
