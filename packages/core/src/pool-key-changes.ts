import type { KeyConfig } from './config';
import type { PoolCore } from './pool-core';
import { PoolKey } from './pool-key';

// Changes to a running pool's keys that only `KeyPool`'s administration makes (`removeKey`, `updateKey`,
// `updateKeySecret`): functions rather than `PoolCore` methods, so the lean engine's bundle leaves them out.

/** Takes a key out of every map and index of `core`. Calls in flight on it finish. */
export function deleteKey<T>(core: PoolCore<T>, key: PoolKey): void {
  key.removed = true;
  // Forgets its models and priority, and its place as the primary key.
  core.bindings.set(key, {});
  if (core.bindings.primary === key.id) core.bindings.primary = undefined;
  core.clients.removed(key);
  core.secretsChanged();
  core.keys.delete(key.id);
  const last = core.slots.pop()!;
  if (last !== key) {
    core.slots[key.slot] = last;
    last.slot = key.slot;
  }
  core.byFingerprint.delete(key.fingerprint);
  if (key.quotaGroup !== undefined) {
    const members = core.groups.get(key.quotaGroup)?.filter((member) => member !== key) ?? [];
    if (members.length > 0) core.groups.set(key.quotaGroup, members);
    else core.groups.delete(key.quotaGroup);
  }
  for (const index of core.indices.values()) {
    const item = key.scopes.get(index.scope);
    if (item) index.drop(item);
  }
}

/**
 * Puts a new `PoolKey` (a new secret) in the place of `old`: same id, affinity slot and pool order, so strategies
 * that follow pool order keep it where it was. `old` is marked removed: calls in flight on it finish.
 * (Used by `updateKeySecret`, `update-key-secret.ts`.) `config` keeps `old`'s quota group.
 */
export function replaceKey<T>(core: PoolCore<T>, old: PoolKey, config: KeyConfig): PoolKey {
  const key = new PoolKey(config, old.slot, old.order);
  old.removed = true;
  core.clients.removed(old);
  core.secretsChanged();
  core.keys.set(key.id, key);
  core.slots[old.slot] = key;
  core.byFingerprint.delete(old.fingerprint);
  core.byFingerprint.set(key.fingerprint, key);
  // The new key keeps the old one's quota group (its config is the old one's with a new secret).
  const members = old.quotaGroup === undefined ? undefined : core.groups.get(old.quotaGroup);
  if (members) members[members.indexOf(old)] = key;
  for (const index of core.indices.values()) {
    const item = old.scopes.get(index.scope);
    if (item) index.drop(item);
  }
  core.placeKey(key);
  return key;
}
