import type { HandOverMemoryStore } from '@keypool/core';
import type { LuaScript, RedisClient } from './lua-script';
import type { RedisKeyNames } from './redis-key-names';
import type { ScriptArgs } from './script-args';
import { withTimeout } from './with-timeout';

/** What the hand-over reads and writes. */
export interface HandOverParts {
  client: RedisClient;
  fallback: HandOverMemoryStore;
  /** The keys the pool registered (units of other keys stay local). */
  registered: ReadonlyMap<string, unknown>;
  names: RedisKeyNames;
  args: ScriptArgs;
  mergeWindows: LuaScript;
  timeoutMs: number;
}

/**
 * Gives Redis the window units this process counted locally during an outage (the merge-windows script), so the
 * processes' shared windows hold everything sent again: a restarted Redis is empty. On failure the units go back to
 * the fallback and the error is thrown (the rejoin is tried again later).
 */
export async function handOverWindowUnits(parts: HandOverParts): Promise<void> {
  const now = Date.now();
  const taken = parts.fallback.takeWindowUnits(now);
  const known = [...taken].filter(([fingerprint]) => parts.registered.has(fingerprint));
  if (known.length === 0) return;
  try {
    await withTimeout(
      parts.mergeWindows.run(
        parts.client,
        known.map(([fingerprint]) => parts.names.key(fingerprint)),
        [...parts.args.context(now), ...known.map(([, units]) => JSON.stringify(units))],
      ),
      parts.timeoutMs,
      'merge windows',
    );
  } catch (error) {
    parts.fallback.giveBackWindowUnits(taken, Date.now());
    throw error;
  }
}
