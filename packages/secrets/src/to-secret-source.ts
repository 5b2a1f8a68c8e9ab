import { SecretCache } from './secret-cache';
import { parseSecretRef, pickSecret } from './secret-ref';
import type { SecretStore } from './secret-store';

/**
 * A secret source for `@keypool/keystore` keys files (its `SecretSource` shape): a key written
 * `from: "<scheme>:<name>#field"` is read from the store through a TTL cache. Its `refreshMs` is the cache's TTL, so
 * `createFromKeysFile` reads it again on that schedule; on such a re-read (`context.refresh`) a store that fails is
 * reported as the `SecretStoreError` (never with a value) instead of the cache's last value.
 */
export function toSecretSource(
  store: SecretStore | SecretCache,
  scheme: string,
): {
  readonly scheme: string;
  readonly refreshMs: number;
  resolve(ref: string, context?: { refresh?: boolean }): Promise<string>;
} {
  const cache = store instanceof SecretCache ? store : new SecretCache(store);
  return {
    scheme,
    refreshMs: cache.ttlMs,
    async resolve(ref: string, context?: { refresh?: boolean }): Promise<string> {
      const parsed = parseSecretRef(ref);
      const read = await cache.get(parsed.name);
      if (context?.refresh && read.stale && read.error) throw read.error;
      return pickSecret(read.value, parsed, cache.store.kind);
    },
  };
}
