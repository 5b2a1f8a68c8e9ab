export { loadSecretKeys, type SecretKeyConfig } from './load-secret-keys';
export { type CachedSecret, SecretCache, type SecretCacheOptions } from './secret-cache';
export type { SecretEventBase, SecretEvents } from './secret-events';
export { parseSecretRef, pickSecret, type SecretRef } from './secret-ref';
export type { SecretStore, SecretValue } from './secret-store';
export {
  failureOfStatus,
  SecretStoreError,
  type SecretStoreFailure,
  toSecretStoreError,
} from './secret-store-error';
export { toSecretSource } from './to-secret-source';
export {
  type SecretBinding,
  type SecretRefreshSummary,
  type SecretTarget,
  type SecretWatcher,
  type WatchPoolSecretsOptions,
  watchPoolSecrets,
} from './watch-pool-secrets';
