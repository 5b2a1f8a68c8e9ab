import { SecretCache } from './secret-cache';
import { parseSecretRef, pickSecret } from './secret-ref';
import type { SecretStore } from './secret-store';

/**
 * A secret source for `@keypool/keystore` keys files (its `SecretSource` shape): a key written
 * `from: "<scheme>:<name>#field"` is read from the store through a TTL cache.
 */
export function toSecretSource(
  store: SecretStore | SecretCache,
  scheme: string,
): { readonly scheme: string; resolve(ref: string): Promise<string> } {
  const cache = store instanceof SecretCache ? store : new SecretCache(store);
  return {
    scheme,
    async resolve(ref: string): Promise<string> {
      const parsed = parseSecretRef(ref);
      const read = await cache.get(parsed.name);
      return pickSecret(read.value, parsed, cache.store.kind);
    },
  };
}
