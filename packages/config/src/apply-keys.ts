import { ConfigError, type KeyConfig, type KeyPool, parseKeys } from '@keypool/core';
import type { ProviderId, ResolvedKeys } from '@keypool/keystore';
import type { KeyChange } from './keys-file-events';

/** What the keys file disabled in one running pool (so a reload can tell its own disables from a revoked key). */
export type DisabledByFile = Map<ProviderId, Set<string>>;

/**
 * Checks a resolved keys file against the running pools before anything changes, so a bad edit changes nothing:
 * every provider keeps at least one key, and each provider's key list is valid for a pool (ids and secrets unique).
 *
 * @throws {ConfigError} naming the provider's path in the file.
 */
export function checkReload(pools: Partial<Record<ProviderId, KeyPool>>, resolved: ResolvedKeys): void {
  for (const [provider, pool] of Object.entries(pools) as [ProviderId, KeyPool][]) {
    const keys = resolved.keys[provider];
    const disabled = resolved.disabled[provider] ?? [];
    const kept = pool.keyIds().filter((id) => disabled.includes(id));
    if (keys.length === 0 && kept.length === 0) {
      throw new ConfigError('keys file', [
        {
          path: `providers.${provider}.keys`,
          message:
            'a running pool keeps at least one key: mark keys "disabled: true" instead of removing them all',
        },
      ]);
    }
    if (keys.length > 0) {
      try {
        parseKeys(keys);
      } catch (error) {
        if (!ConfigError.isInstance(error)) throw error;
        throw new ConfigError(
          'keys file',
          error.issues.map((issue) => ({
            path: `providers.${provider}.${issue.path}`,
            message: issue.message,
          })),
        );
      }
    }
  }
}

/**
 * Brings one running pool to the file's keys without losing state: new keys are added, keys gone from the file are
 * removed, keys the file (or the vault) disables are disabled and enabled again when it no longer does, changed keys
 * are updated in place (`updateKey`), and the primary follows the file. Adds come first, so a pool never runs dry.
 */
export async function applyKeys(
  provider: ProviderId,
  pool: KeyPool,
  resolved: ResolvedKeys,
  disabledByFile: DisabledByFile,
): Promise<KeyChange[]> {
  const changes: KeyChange[] = [];
  const wanted = new Map<string, KeyConfig>(resolved.keys[provider].map((key) => [key.id, key]));
  const disabled = new Set(resolved.disabled[provider] ?? []);
  const ours = disabledByFile.get(provider) ?? new Set<string>();
  disabledByFile.set(provider, ours);
  const running = new Set(pool.keyIds());
  for (const [id, config] of wanted) {
    if (running.has(id)) continue;
    await pool.addKey(config);
    changes.push({ provider, keyId: id, action: 'added' });
  }
  for (const [id, config] of wanted) {
    if (!running.has(id)) continue;
    const fields = await pool.updateKey(config);
    if (fields.length > 0) changes.push({ provider, keyId: id, action: 'updated', fields });
    if (ours.delete(id)) {
      await pool.enableKey(id);
      changes.push({ provider, keyId: id, action: 'enabled' });
    }
  }
  for (const id of running) {
    if (wanted.has(id)) continue;
    if (disabled.has(id)) {
      if (ours.has(id)) continue;
      await pool.disableKey(id, 'disabled in the keys file');
      ours.add(id);
      changes.push({ provider, keyId: id, action: 'disabled' });
    } else {
      await pool.removeKey(id);
      ours.delete(id);
      changes.push({ provider, keyId: id, action: 'removed' });
    }
  }
  const primary = resolved.primary[provider];
  if (primary !== undefined && primary !== pool.primaryKey() && wanted.has(primary)) {
    pool.setPrimaryKey(primary);
    changes.push({ provider, keyId: primary, action: 'primary' });
  }
  return changes;
}
