import { type KeyConfig, keyConfigSchema, toConfigIssues } from './config';
import { ConfigError } from './errors';
import { clearFailures } from './failure-threshold';
import type { KeyScope } from './key-scope';
import type { PoolCore } from './pool-core';
import type { PoolKey } from './pool-key';
import { deleteKey } from './pool-key-changes';

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
  deleteKey(core, key);
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

/**
 * Changes a key's settings in place, keeping its place in the pool's order. Priority and models change at once. A
 * new weight, limits, tags, quota group or enabled flag keep the key's state (cooldowns, windows, counts, learned
 * limits): the state lives under the secret's fingerprint. A new secret is a new key for the provider: its state
 * starts fresh. Returns the names of the fields that changed (empty when nothing did).
 */
export async function updateKey<T>(core: PoolCore<T>, config: KeyConfig): Promise<string[]> {
  const parsed = keyConfigSchema.safeParse(config);
  if (!parsed.success) throw new ConfigError('key', toConfigIssues(parsed.error, 'key'));
  const next = parsed.data;
  const old = requireKey(core, next.id);
  const bindings = core.bindings;
  const changed = changedFields(core, old, next);
  if (changed.length === 0) return changed;
  if (changed.every((field) => field === 'models' || field === 'priority')) {
    bindings.set(old, next);
    rebind(core, old);
  } else {
    const wasPrimary = bindings.primary === old.id;
    const sameSecret = !changed.includes('secret');
    deleteKey(core, old);
    const key = core.insertKey(next, old.order);
    if (wasPrimary) bindings.primary = key.id;
    if (sameSecret) {
      key.view = old.view;
      for (const [name, before] of old.scopes) carryScope(before, key.scope(name));
    } else {
      await core.store.remove(old.storeKey);
      for (const item of old.scopes.values()) if (item.used) await core.store.remove(item.storeKey);
    }
    await core.store.register([key.storeKey], core.settings.windows);
    const [view] = await core.store.read([key.storeKey], core.now());
    if (view) key.view = view;
    if (changed.includes('enabled'))
      key.view = await core.store.setStatus(
        key.storeKey,
        next.enabled === false
          ? { enabled: false, reason: 'disabled in the configuration' }
          : { enabled: true, reset: true },
        core.now(),
      );
    rebind(core, key);
  }
  const key = requireKey(core, next.id);
  core.emit('key.updated', { ...key.ref(), provider: core.provider, changed });
  return changed;
}

/**
 * Makes a key the pool's primary: the `priority` strategy sends every call to it while it is usable, and back to it
 * as soon as it recovers (other strategies ignore it). Only one key is primary.
 */
export function setPrimaryKey<T>(core: PoolCore<T>, id: string): void {
  const key = requireKey(core, id);
  const previous = core.bindings.primary;
  if (previous === id) return;
  core.bindings.primary = id;
  core.emit('key.primary', {
    ...key.ref(),
    provider: core.provider,
    ...(previous === undefined ? {} : { previousKeyId: previous }),
  });
}

/** The fields of a key's config that differ from the running key. */
function changedFields<T>(core: PoolCore<T>, key: PoolKey, next: KeyConfig): string[] {
  const changed: string[] = [];
  if (key.secret() !== next.secret) changed.push('secret');
  if (key.weight !== (next.weight ?? 1)) changed.push('weight');
  if (!sameJson(key.limits, next.limits ?? {})) changed.push('limits');
  if (!sameJson(key.tags, next.tags ?? [])) changed.push('tags');
  if (key.quotaGroup !== next.quotaGroup) changed.push('quotaGroup');
  if (key.startsDisabled !== (next.enabled === false)) changed.push('enabled');
  if (!sameJson(core.bindings.modelsOf(key) ?? null, next.models ?? null)) changed.push('models');
  if (core.bindings.priorityOf(key.id) !== next.priority) changed.push('priority');
  return changed;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Puts a key in the indexes that now allow it and takes it out of those that no longer do. */
function rebind<T>(core: PoolCore<T>, key: PoolKey): void {
  const now = core.now();
  for (const index of core.indices.values()) {
    if (core.bindings.allows(key, index.scope)) index.place(key.scope(index.scope), now);
    else {
      const item = key.scopes.get(index.scope);
      if (item) index.drop(item);
    }
  }
}

/** Carries the engine-local state of a key's scope to its replacement (the store keeps the rest). */
function carryScope(from: KeyScope, to: KeyScope): void {
  to.view = from.view;
  to.registered = from.registered;
  to.limitedAt = from.limitedAt;
  to.retryAt = from.retryAt;
  to.strikes = from.strikes;
  to.faultStrikes = from.faultStrikes;
  to.penaltyUntil = from.penaltyUntil;
  to.probeGate = from.probeGate;
  to.adaptive = from.adaptive;
}
