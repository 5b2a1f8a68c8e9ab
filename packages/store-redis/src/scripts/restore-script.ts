import { LUA_COMMON } from './lua-common';

/**
 * `restore`: writes saved state (a pool's `toJSON()`) for keys Redis holds nothing for. Redis's shared state wins
 * over a snapshot: a process restarting with an old file must not undo what the others did since.
 *
 * KEYS: the keys. ARGV (after the context): for each key, its saved state as JSON.
 * Returns how many keys were restored.
 */
export const RESTORE_SCRIPT = `${LUA_COMMON}
local restored = 0
for index = 1, #KEYS do
  local state = load_state(KEYS[index])
  if not ENTRIES[state].exists then
    local saved = cjson.decode(ARGV[7 + index])
    local cooldown = tonumber(saved.cooldownUntil) or 0
    state.status = saved.status == 'disabled' and 'disabled' or 'active'
    state.cooldownUntil = cooldown > NOW and cooldown or 0
    state.halfOpen = (cooldown > 0 and cooldown <= NOW) and 1 or 0
    if type(saved.reason) == 'string' then state.reason = saved.reason end
    if type(saved.category) == 'string' then state.category = saved.category end
    state.consecutiveFailures = tonumber(saved.consecutiveFailures) or 0
    state.requests = tonumber(saved.requests) or 0
    state.successes = tonumber(saved.successes) or 0
    if type(saved.failures) == 'table' then
      for category, count in pairs(saved.failures) do state['failure:' .. category] = tonumber(count) end
    end
    if type(saved.latencyEwmaMs) == 'number' then state.latencyEwmaMs = saved.latencyEwmaMs end
    for _, field in ipairs({ 'lastUsedAt', 'lastSuccessAt', 'lastFailureAt' }) do
      if type(saved[field]) == 'number' then state[field] = saved[field] end
    end
    save_state(state)
    restored = restored + 1
  end
end
return restored
`;
