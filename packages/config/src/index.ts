export { applyKeys, checkReload, type DisabledByFile } from './apply-keys';
export {
  type CreateFromKeysFileOptions,
  createFromKeysFile,
  type KeysFileKeypool,
} from './create-from-keys-file';
export type { KeyChange, KeysFileEventName, KeysFileEvents } from './keys-file-events';
export { LastGoodSecrets, type SecretRefreshReport } from './last-good-secrets';
export {
  defaultProviderFactory,
  PROVIDER_PACKAGES,
  type ProviderPoolFactory,
  type ProviderPoolInput,
  type ProviderSettings,
} from './provider-pool-factory';
export {
  type KeysConfig,
  type KeysFileInput,
  readKeysConfig,
  type SecretSourceOptions,
} from './read-keys-config';
export { restartNeeded } from './restart-needed';
