import type { KeyConfig } from '@keypool/core';
import { SecretCache } from './secret-cache';
import { parseSecretRef, pickSecret } from './secret-ref';
import type { SecretStore } from './secret-store';

/** A key's settings with a secret reference in place of its secret. */
export type SecretKeyConfig = Omit<KeyConfig, 'secret'> & { ref: string };

/**
 * Reads the secrets of a list of keys from a store and returns key configs for a pool
 * (`createOpenAIPool({ keys: await loadSecretKeys(store, [...]) })`). Each secret is read once even when several keys
 * take fields of it. Throws the first `SecretStoreError` (naming the secret, never a value) when one cannot be read.
 */
export async function loadSecretKeys(
  store: SecretStore | SecretCache,
  keys: readonly SecretKeyConfig[],
): Promise<KeyConfig[]> {
  const cache = store instanceof SecretCache ? store : new SecretCache(store);
  return Promise.all(
    keys.map(async ({ ref, ...rest }) => {
      const parsed = parseSecretRef(ref);
      const read = await cache.get(parsed.name);
      return { ...rest, secret: pickSecret(read.value, parsed, cache.store.kind) };
    }),
  );
}
