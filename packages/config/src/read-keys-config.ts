import {
  envSource,
  isProviderId,
  type KeysFile,
  type LoadedKeysFile,
  loadKeysFile,
  type ProviderId,
  parseKeysFile,
  type ResolvedKeys,
  resolveKeysFile,
  type SecretRefContext,
  type SecretSource,
  Vault,
  VaultEntryError,
  type VaultOptions,
} from '@keypool/keystore';
import type { LastGoodSecrets } from './last-good-secrets';

/**
 * A keys file: its path, or its content as an object (the same shape as `keypool.json`), or a keys.json list of entries
 * (`key_id`, `api_key`, `provider`, `model_name`, ...), which a path may hold too.
 */
export type KeysFileInput = string | KeysFile | readonly Record<string, unknown>[];

/** Where the secrets of `env:` and `vault:` references come from. */
export interface SecretSourceOptions {
  /** The sources to resolve references with. Default: the environment and the vault (`vault`). */
  sources?: SecretSource[];
  /** The vault for `vault:` references (a `Vault` or the options to open one). Default: the default vault. */
  vault?: Vault | VaultOptions;
}

/** A keys file read, validated and resolved: what the pools take, with the vault's primary and disabled keys applied. */
export interface KeysConfig {
  resolved: ResolvedKeys;
  data: KeysFile;
}

function isVault(value: Vault | VaultOptions | undefined): value is Vault {
  return value instanceof Vault;
}

/** A stand-in secret for a key whose vault entry is disabled: it never reaches a pool (the key is left out). */
function placeholder(provider: ProviderId | undefined, keyId: string | undefined): string {
  return `keypool-vault-disabled-${provider ?? 'any'}-${(keyId ?? 'key').replace(/\s/g, '_')}`;
}

/**
 * Reads a keys file (or takes its content), validates it and resolves every secret. A key whose vault entry is
 * disabled (`keypool keys disable`) is reported as disabled, not as an error, and the vault's primary key of a
 * provider (`keypool keys switch`) is its primary unless the file names one. With `lastGood`, a source that fails
 * for a key it served before keeps that key's last good secret (see `LastGoodSecrets`).
 */
export async function readKeysConfig(
  input: KeysFileInput,
  options: SecretSourceOptions = {},
  vaultCache?: { vault?: Vault },
  lastGood?: LastGoodSecrets,
): Promise<KeysConfig> {
  const loaded: LoadedKeysFile =
    typeof input === 'string'
      ? await loadKeysFile(input)
      : parseKeysFile(JSON.stringify(input), { file: '(keys file object)', format: 'json' });
  const disabledInVault = new Set<string>();
  const vaultPrimaries = new Map<ProviderId, string>();
  const vault = (): Vault => {
    if (vaultCache?.vault) return vaultCache.vault;
    const opened = isVault(options.vault) ? options.vault : new Vault(options.vault ?? {});
    if (vaultCache) vaultCache.vault = opened;
    return opened;
  };
  const ownVault: SecretSource = {
    scheme: 'vault',
    async resolve(ref: string, context?: SecretRefContext): Promise<string> {
      const slash = ref.indexOf('/');
      const prefix = slash > 0 ? ref.slice(0, slash) : undefined;
      const named = isProviderId(prefix);
      const entry = await vault().get(
        named ? (prefix as ProviderId) : context?.provider,
        named ? ref.slice(slash + 1) : ref,
      );
      if (entry.disabled) {
        disabledInVault.add(`${context?.provider}/${context?.keyId}`);
        return placeholder(context?.provider, context?.keyId);
      }
      if (entry.primary && context?.provider && context.keyId)
        vaultPrimaries.set(context.provider, context.keyId);
      return vault().getSecret(entry.provider, entry.id);
    },
  };
  const given = options.sources ?? [envSource(), ownVault];
  // A caller's own vault source reports a disabled entry as an error: read it as a disabled key too.
  const checked = given.map(
    (source): SecretSource => ({
      scheme: source.scheme,
      ...(source.refreshMs === undefined ? {} : { refreshMs: source.refreshMs }),
      async resolve(ref, context) {
        try {
          return await source.resolve(ref, context);
        } catch (error) {
          if (!VaultEntryError.isInstance(error) || error.code !== 'vault_entry_disabled') throw error;
          disabledInVault.add(`${context?.provider}/${context?.keyId}`);
          return placeholder(context?.provider, context?.keyId);
        }
      },
    }),
  );
  // Outermost, the last good secrets: a source that fails on a re-read keeps its key's secret (and is reported).
  const sources = lastGood ? lastGood.wrap(checked) : checked;
  const resolved = await resolveKeysFile(loaded, { sources });
  lastGood?.forgetUnread();
  for (const provider of Object.keys(resolved.keys) as ProviderId[]) {
    const keys = resolved.keys[provider];
    const off = keys.filter((key) => disabledInVault.has(`${provider}/${key.id}`)).map((key) => key.id);
    if (off.length === 0) continue;
    resolved.keys[provider] = keys.filter((key) => !off.includes(key.id));
    resolved.disabled[provider] = [...(resolved.disabled[provider] ?? []), ...off];
  }
  for (const [provider, keyId] of vaultPrimaries) resolved.primary[provider] ??= keyId;
  return { resolved, data: loaded.data };
}
