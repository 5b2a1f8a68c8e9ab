import { requireKey } from './admin';
import { type KeyConfig, keyConfigSchema, toConfigIssues } from './config';
import { ConfigError } from './errors';
import type { PoolCore } from './pool-core';
import { replaceKey } from './pool-key-changes';

/** What `updateKeySecret` did. */
export type KeySecretUpdate = 'updated' | 'unchanged';

/**
 * Gives a key a new secret while keeping its id, its place in the pool order, its weight, limits, tags and quota
 * group: the way a secret rotated in an external store reaches a running pool. The state of the old secret (cooldowns,
 * window counts, an auth failure) belongs to that credential and is dropped; the new secret starts fresh, except that
 * a key the application or its configuration disabled stays disabled. Calls in flight on the old secret finish on it.
 * Returns `unchanged` (and does nothing) when the secret is the one the key already has.
 *
 * @throws {ConfigError} for an unknown id or a secret that is empty or cannot travel in an HTTP header (the message
 *   never contains the secret).
 */
export async function updateKeySecret<T>(
  core: PoolCore<T>,
  id: string,
  secret: string,
): Promise<KeySecretUpdate> {
  const old = requireKey(core, id);
  const config: KeyConfig = {
    id: old.id,
    secret,
    weight: old.weight,
    limits: old.limits,
    tags: [...old.tags],
    ...(old.quotaGroup === undefined ? {} : { quotaGroup: old.quotaGroup }),
  };
  const parsed = keyConfigSchema.safeParse(config);
  if (!parsed.success) throw new ConfigError('key', toConfigIssues(parsed.error, 'key'));
  if (old.secret() === secret) return 'unchanged';
  // Disabled by something other than the provider (an auth or quota verdict is about the old credential).
  const keepDisabled = old.view.status === 'disabled' && old.view.category === undefined;
  const reason = old.view.reason;
  const key = replaceKey(core, old, parsed.data);
  await core.store.register([key.storeKey], core.settings.windows);
  const [view] = await core.store.read([key.storeKey], core.now());
  if (view) key.view = view;
  if (keepDisabled) {
    key.view = await core.store.setStatus(
      key.storeKey,
      { enabled: false, ...(reason === undefined ? {} : { reason }) },
      core.now(),
    );
  }
  core.placeKey(key);
  await core.store.remove(old.storeKey);
  for (const item of old.scopes.values()) if (item.used) await core.store.remove(item.storeKey);
  core.emit('key.secret_updated', {
    ...key.ref(),
    provider: core.provider,
    previousMasked: old.masked,
    enabled: key.view.status === 'active',
  });
  return 'updated';
}
