import { type KeyConfig, keyConfigSchema, toConfigIssues } from './config';
import { ConfigError } from './errors';
import { clearFailures } from './failure-threshold';
import type { PoolCore } from './pool-core';
import type { PoolKey } from './pool-key';

/** Re-enables a disabled key and clears its cooldowns and failure counts, at the key level and in every scope. */
export async function enableKey<T>(core: PoolCore<T>, id: string): Promise<void> {
  const key = requireKey(core, id);
  const now = core.now();
  key.view = await core.store.setStatus(key.storeKey, { enabled: true, reset: true }, now);
  for (const item of key.scopes.values()) {
    if (item.used) item.view = await core.store.setStatus(item.storeKey, { enabled: true, reset: true }, now);
    item.strikes = 0;
    item.faultStrikes = 0;
    item.penaltyUntil = 0;
    item.limitedAt = Number.NEGATIVE_INFINITY;
    clearFailures(item);
  }
  clearFailures(key);
  core.placeKey(key);
  core.emit('key.enabled', { ...key.ref(), provider: core.provider });
}

/** Disables a key until `enableKey`. */
export async function disableKey<T>(core: PoolCore<T>, id: string, reason: string): Promise<void> {
  const key = requireKey(core, id);
  // User-given text is scrubbed like provider text: a pasted key never reaches the store, a snapshot or an event.
  const scrubbed = core.scrub(reason, key);
  key.view = await core.store.setStatus(key.storeKey, { enabled: false, reason: scrubbed }, core.now());
  core.placeKey(key);
  core.emit('key.disabled', { ...key.ref(), provider: core.provider, category: 'manual', reason: scrubbed });
}

/** Adds a key at run time: O(1) plus O(log n) per model scope. Throws a `ConfigError` for a bad config or a duplicate. */
export async function addKey<T>(core: PoolCore<T>, config: KeyConfig): Promise<void> {
  const parsed = keyConfigSchema.safeParse(config);
  if (!parsed.success) throw new ConfigError('key', toConfigIssues(parsed.error, 'key'));
  if (core.keys.has(parsed.data.id)) {
    throw new ConfigError('key', [{ path: 'key.id', message: `duplicate key id "${parsed.data.id}"` }]);
  }
  const key = core.insertKey(parsed.data);
  await core.store.register([key.storeKey], core.settings.windows);
  const [view] = await core.store.read([key.storeKey], core.now());
  if (view) key.view = view;
  if (parsed.data.enabled === false)
    key.view = await core.store.setStatus(key.storeKey, { enabled: false }, core.now());
  core.placeKey(key);
  core.emit('key.added', { ...key.ref(), provider: core.provider });
}

/** Removes a key. Calls in flight on it finish; no new call uses it. */
export async function removeKey<T>(core: PoolCore<T>, id: string): Promise<void> {
  const key = requireKey(core, id);
  if (core.keys.size === 1) {
    throw new ConfigError('key', [
      { path: 'id', message: `cannot remove "${id}": a pool keeps at least one key` },
    ]);
  }
  core.deleteKey(key);
  await core.store.remove(key.storeKey);
  for (const item of key.scopes.values()) if (item.used) await core.store.remove(item.storeKey);
  core.emit('key.removed', { ...key.ref(), provider: core.provider });
}

/** The key with this id, or a `ConfigError` listing the ids there are. */
export function requireKey<T>(core: PoolCore<T>, id: string): PoolKey {
  const key = core.keys.get(id);
  if (!key) {
    const ids = [...core.keys.keys()];
    const shown =
      ids.length > 20 ? `${ids.slice(0, 20).join(', ')}, ... (${ids.length} keys)` : ids.join(', ');
    throw new ConfigError('key', [{ path: 'id', message: `no key with id "${id}" (have: ${shown})` }]);
  }
  return key;
}
