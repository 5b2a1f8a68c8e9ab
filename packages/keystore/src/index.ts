export { type EnvKeyIssue, EnvKeysError } from './env-keys-error';
export { envSource } from './env-source';
export type { FallbackChains, FallbackStep } from './fallback-chain';
export type { FileLockOptions } from './file-lock';
export { formatIssuePath } from './format-issue-path';
export { emptyProviderKeys, type KeyConfig, type KeyLimits, type ProviderKeys } from './key-config';
export { KeysFileError, type KeysFileIssue } from './keys-file-error';
export { KEYS_FILE_SCHEMA_ID, keysFileJsonSchema } from './keys-file-json-schema';
export {
  type KeysFile,
  type KeysFileAzure,
  type KeysFileKey,
  type KeysFileProvider,
  keysFileAzureSchema,
  keysFileChainStepSchema,
  keysFileKeySchema,
  keysFilePoolSchema,
  keysFileProviderSchema,
  keysFileSchema,
  SECRET_REF_PATTERN,
} from './keys-file-schema';
export { ENV_KEY_PREFIXES, ENV_PROVIDER_NAMES, keysFromEnv } from './keys-from-env';
export {
  type KeysJsonToKeysFileOptions,
  keysJsonToKeysFile,
  looksLikeKeysJson,
} from './keys-json-to-keys-file';
export { KeystoreError, type KeystoreErrorCode } from './keystore-error';
export type { KeystoreWarning, KeystoreWarningCode } from './keystore-warning';
export { findKeysFile, KEYS_FILE_NAMES, loadKeysFile } from './load-keys-file';
export {
  type KeysFileFormat,
  type LoadedKeysFile,
  type ParseKeysFileOptions,
  parseKeysFile,
} from './parse-keys-file';
export {
  KEYS_JSON_PROVIDER_NAMES,
  type KeysJsonEntry,
  type LoadedKeysJson,
  parseKeysJson,
} from './parse-keys-json';
export { type CooldownBounds, POOL_STRATEGIES, type PoolOptions, type PoolStrategy } from './pool-options';
export {
  AZURE_PROVIDER_ID,
  AZURE_PROVIDER_LABEL,
  isOpenAIPresetId,
  isProviderId,
  OPENAI_PRESET_IDS,
  type OpenAIPresetId,
  PROVIDER_FAMILIES,
  PROVIDER_IDS,
  type ProviderFamily,
  type ProviderId,
  providerFamily,
  providerLabel,
  suggestProviderId,
  unknownProviderMessage,
} from './provider-id';
export { type ResolvedKeys, type ResolveKeysFileOptions, resolveKeysFile } from './resolve-keys-file';
export { SecretResolveError, type SecretResolveFailure } from './secret-resolve-error';
export {
  type ParsedSecretRef,
  parseSecretRef,
  type SecretRefContext,
  type SecretSource,
} from './secret-source';
export { strategyFromEnv } from './strategy-from-env';
export { openVault, Vault } from './vault';
export { asVaultAccessError, VaultAccessError } from './vault-access-error';
export { DEFAULT_SCRYPT_PARAMS, type ScryptParams } from './vault-cipher';
export { VaultCorruptError } from './vault-corrupt-error';
export type { VaultEntry, VaultEntryInfo, VaultEntryInput } from './vault-entry';
export { VaultEntryError } from './vault-entry-error';
export {
  MACHINE_MODE_NOTICE,
  type MachineIdentitySource,
  type VaultFile,
  type VaultMode,
} from './vault-file-format';
export { VaultLockError } from './vault-lock-error';
export { VaultModeError } from './vault-mode-error';
export {
  defaultVaultPath,
  type VaultOptions,
  type VaultRekeyOptions,
  type VaultStatus,
} from './vault-options';
export { VaultPassphraseError } from './vault-passphrase-error';
export { vaultSource } from './vault-source';
