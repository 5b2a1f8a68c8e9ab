import { headerUnsafe } from '@keypool/core';
import { envSource } from './env-source';
import type { FallbackChains } from './fallback-chain';
import { emptyProviderKeys, type KeyConfig, type KeyLimits, type ProviderKeys } from './key-config';
import type { KeysFile, KeysFileKey } from './keys-file-schema';
import { KeystoreError } from './keystore-error';
import type { KeystoreWarning } from './keystore-warning';
import type { LoadedKeysFile } from './parse-keys-file';
import type { PoolOptions } from './pool-options';
import { protectSecret } from './protect-secret';
import { PROVIDER_IDS, type ProviderId } from './provider-id';
import { SecretResolveError, type SecretResolveFailure } from './secret-resolve-error';
import { parseSecretRef, type SecretSource } from './secret-source';
import { vaultSource } from './vault-source';

/** Options of `resolveKeysFile`. */
export interface ResolveKeysFileOptions {
  /** The sources references are resolved from. Default: `envSource()` and `vaultSource()` (the default vault). */
  sources?: SecretSource[];
}

/** A keys file turned into what the pools take: key configs, pool options and chains, plus the warnings found. */
export interface ResolvedKeys {
  keys: ProviderKeys;
  /** Pool options per provider: the file's top-level `pool` section, overridden by the provider's own. */
  pools: Partial<Record<ProviderId, PoolOptions>>;
  /** Named chains; the top-level `chain` section is `default`. */
  chains: FallbackChains;
  /** Per provider, the id of the key marked `primary: true`, if any. */
  primary: Partial<Record<ProviderId, string>>;
  /** Per provider, the ids of the keys the file keeps but marks `disabled: true`. */
  disabled: Partial<Record<ProviderId, string[]>>;
  warnings: KeystoreWarning[];
}

function reasonOf(error: unknown): string {
  if (SecretResolveError.isInstance(error) && error.failures.length === 1) return error.failures[0]!.reason;
  if (KeystoreError.isInstance(error)) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : 'the source failed';
}

function toKeyConfig(key: KeysFileKey, secret: string): KeyConfig {
  const config: KeyConfig = { id: key.id, secret };
  if (key.weight !== undefined) config.weight = key.weight;
  const limits: KeyLimits = {};
  if (key.rpm !== undefined) limits.rpm = key.rpm;
  if (key.tpm !== undefined) limits.tpm = key.tpm;
  if (key.rpd !== undefined) limits.rpd = key.rpd;
  if (Object.keys(limits).length > 0) config.limits = limits;
  if (key.tags !== undefined) config.tags = [...key.tags];
  if (key.quotaGroup !== undefined) config.quotaGroup = key.quotaGroup;
  if (key.models !== undefined) config.models = [...key.models];
  if (key.priority !== undefined) config.priority = key.priority;
  return protectSecret(config, 'key');
}

function isLoaded(file: LoadedKeysFile | KeysFile): file is LoadedKeysFile {
  return 'data' in file && 'warnings' in file && 'file' in file;
}

/**
 * Turns a keys file into ready key configs per provider: every `from` reference is resolved through the source with
 * its scheme, inline secrets are taken as they are, disabled keys are left out, and a secret that appears twice in
 * one provider is kept once (with a `duplicate_secret` warning). Pool options and chains are passed through.
 *
 * @throws {SecretResolveError} listing every key that could not be resolved, by provider, key id and reference,
 *   never a secret.
 */
export async function resolveKeysFile(
  file: LoadedKeysFile | KeysFile,
  options: ResolveKeysFileOptions = {},
): Promise<ResolvedKeys> {
  const data = isLoaded(file) ? file.data : file;
  const fileName = isLoaded(file) ? file.file : undefined;
  const warnings = isLoaded(file) ? [...file.warnings] : [];
  const sources = new Map(
    (options.sources ?? [envSource(), vaultSource()]).map((source) => [source.scheme, source]),
  );
  const keys = emptyProviderKeys();
  const pools: Partial<Record<ProviderId, PoolOptions>> = {};
  const primary: Partial<Record<ProviderId, string>> = {};
  const disabled: Partial<Record<ProviderId, string[]>> = {};
  const failures: SecretResolveFailure[] = [];
  const causes: unknown[] = [];

  for (const provider of PROVIDER_IDS) {
    const section = data.providers?.[provider];
    if (!section) continue;
    if (section.pool || data.pool)
      pools[provider] = mergePoolOptions(
        data.pool as PoolOptions | undefined,
        section.pool as PoolOptions | undefined,
      );
    const seen = new Map<string, string>();
    for (const key of section.keys ?? []) {
      if (key.disabled) {
        disabled[provider] = [...(disabled[provider] ?? []), key.id];
        continue;
      }
      if (key.primary) primary[provider] = key.id;
      let secret: string;
      if (key.secret !== undefined) {
        secret = key.secret;
      } else {
        const ref = key.from ?? '';
        const parsed = parseSecretRef(ref);
        const source = parsed && sources.get(parsed.scheme);
        if (!parsed || !source) {
          failures.push({
            ref,
            provider,
            keyId: key.id,
            reason: `no secret source for scheme "${parsed?.scheme ?? ref}" (known: ${[...sources.keys()].join(', ') || 'none'})`,
          });
          continue;
        }
        try {
          secret = await source.resolve(parsed.reference, { provider, keyId: key.id });
        } catch (error) {
          failures.push({ ref, provider, keyId: key.id, reason: reasonOf(error) });
          causes.push(error);
          continue;
        }
        if (typeof secret !== 'string' || secret.trim() === '') {
          failures.push({ ref, provider, keyId: key.id, reason: 'the source returned an empty secret' });
          continue;
        }
        const unsafe = headerUnsafe(secret.trim());
        if (unsafe) {
          failures.push({
            ref,
            provider,
            keyId: key.id,
            reason: `the secret ${unsafe}; a secret is sent in an HTTP header, which cannot carry it`,
          });
          continue;
        }
      }
      const earlier = seen.get(secret);
      if (earlier !== undefined) {
        warnings.push({
          code: 'duplicate_secret',
          ...(fileName === undefined ? {} : { file: fileName }),
          provider,
          keyId: key.id,
          message: `${provider} key "${key.id}" has the same secret as key "${earlier}"; it is used once, as "${earlier}"`,
        });
        continue;
      }
      seen.set(secret, key.id);
      keys[provider].push(toKeyConfig(key, secret));
    }
  }
  if (failures.length > 0) {
    throw new SecretResolveError(failures, causes.length === 1 ? { cause: causes[0] } : {});
  }
  const chains: FallbackChains = structuredClone(data.chains ?? {});
  if (data.chain) chains.default = structuredClone(data.chain);
  return { keys, pools, chains, primary, disabled, warnings };
}

/** The pool options that are objects of fields: a provider's own fields override the global section's one by one. */
const NESTED_POOL_OPTIONS = ['cooldown', 'retryBackoff', 'continuation', 'policy', 'nativeStreams'] as const;

/** A provider's pool options over the file's global ones (object options such as cooldown merge field by field). */
function mergePoolOptions(global: PoolOptions | undefined, own: PoolOptions | undefined): PoolOptions {
  const merged: Record<string, unknown> = { ...structuredClone(global ?? {}), ...structuredClone(own ?? {}) };
  for (const name of NESTED_POOL_OPTIONS) {
    const outer = global?.[name];
    const inner = own?.[name];
    if (outer && inner) merged[name] = { ...structuredClone(outer), ...structuredClone(inner) };
  }
  return merged as PoolOptions;
}
