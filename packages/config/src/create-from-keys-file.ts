import { ConfigError, type KeyPool, TypedEmitter } from '@keypool/core';
import {
  createFallbackChain,
  createKeypool,
  type FallbackChain,
  type FallbackChainOptions,
  type Keypool,
  type KeypoolOptions,
} from '@keypool/fallback';
import {
  defaultVaultPath,
  type KeysFile,
  type KeystoreWarning,
  PROVIDER_IDS,
  type ProviderId,
  type ResolvedKeys,
  Vault,
} from '@keypool/keystore';
import { applyKeys, checkReload, type DisabledByFile } from './apply-keys';
import type { KeyChange, KeysFileEventName, KeysFileEvents } from './keys-file-events';
import { LastGoodSecrets } from './last-good-secrets';
import {
  defaultProviderFactory,
  type ProviderPoolFactory,
  type ProviderPoolInput,
  type ProviderSettings,
} from './provider-pool-factory';
import { type KeysFileInput, readKeysConfig, type SecretSourceOptions } from './read-keys-config';
import { restartNeeded } from './restart-needed';
import { type StopWatching, watchFiles } from './watch-files';

/** Options of `createFromKeysFile`. */
export interface CreateFromKeysFileOptions extends SecretSourceOptions {
  /** Builds a provider's pool; default: its Keypool package, loaded on first use (install the ones you use). */
  providers?: Partial<Record<ProviderId, ProviderPoolFactory>>;
  /** SDK client options per provider for the default factories (base URL, timeout, fetch, headers). */
  clientOptions?: Partial<Record<ProviderId, Record<string, unknown>>>;
  /** Key pool options for every pool, over the file's (a shared `store`, `now`, `windowMs`...). */
  pool?: Partial<Omit<ProviderPoolInput, 'keys'>>;
  /** Options of every chain (deadline, attempt timeout, policy). */
  chain?: FallbackChainOptions;
  /**
   * Reload when the file (or the vault its keys come from) changes: `true`, or `{ debounceMs, files }` (default 100
   * ms of quiet; `files` are more paths to watch). Only for a keys file given by its path.
   */
  watch?: boolean | { debounceMs?: number; files?: string[] };
  /**
   * Read every secret again this often, ms, and apply what changed in place (a secret rotated in an external store
   * reaches the running pool; the key keeps its id and state as for any secret update). Default: the shortest
   * `refreshMs` a given source declares (`toSecretSource` from `@keypool/secrets` declares its cache's TTL), else
   * never. A source that fails on a re-read keeps the key's last good secret and emits `secret.refresh_failed`.
   */
  refreshMs?: number;
}

/** The pools and chains a keys file describes, kept in step with the file. */
export interface KeysFileKeypool {
  /** One pool per provider that has keys in the file, by its id in the file (`groq`, `azure`...). */
  readonly pools: Partial<Record<ProviderId, KeyPool>>;
  /** The file's chains by name (`chain` is `default`). */
  readonly chains: Readonly<Record<string, FallbackChain>>;
  /** The default chain, when the file has one. */
  readonly chain: FallbackChain | undefined;
  /**
   * The registry over the pools and chains: one snapshot, status and event stream, by each pool's provider label
   * (a preset's name; Azure's pools say `azure-openai`).
   */
  readonly keypool: Keypool;
  /** What the first read of the file warned about (inline secrets, duplicates). */
  readonly warnings: readonly KeystoreWarning[];
  /** The pool of a provider; a `ConfigError` naming the provider when the file has none. */
  pool(provider: ProviderId): KeyPool;
  /**
   * Reads the file again and applies its keys to the running pools. Resolves with the changes; rejects with the
   * error (also emitted as `config.error`) when the file is bad, and then nothing changed.
   */
  reload(): Promise<KeyChange[]>;
  /** Listens to `config.reloaded`, `config.error`, `secret.refresh_failed` or `secret.recovered`. Returns the unsubscribe function. */
  on<K extends KeysFileEventName>(name: K, listener: (event: KeysFileEvents[K]) => void): () => void;
  /** Stops watching and closes every pool. */
  close(): Promise<void>;
}

function usesVault(data: KeysFile): boolean {
  return PROVIDER_IDS.some((provider) =>
    (data.providers?.[provider]?.keys ?? []).some((key) => key.from?.startsWith('vault:')),
  );
}

/** A provider's settings in the file: everything in its section besides its keys and pool options. */
function providerSettings(data: KeysFile, provider: ProviderId): ProviderSettings {
  const { keys: _keys, pool: _pool, ...settings } = data.providers?.[provider] ?? {};
  return settings;
}

function vaultPath(options: SecretSourceOptions): string {
  if (options.vault instanceof Vault) return options.vault.path;
  return options.vault?.path ?? defaultVaultPath(options.vault?.env);
}

/**
 * Builds every provider pool and fallback chain a keys file describes, in one call: `providers` with their keys and
 * `pool` options (over the file's global `pool` section), and the `chains` / `chain` sections. With `watch`, a change
 * to the file or to the vault its keys come from is applied to the running pools without losing their state: keys
 * are added, removed, disabled, re-enabled or updated (`config.reloaded`). A bad edit is reported (`config.error`)
 * and the pools keep the last good configuration.
 *
 * @throws {KeysFileError} or `SecretResolveError` when the file cannot be read, is invalid, or a secret cannot be
 *   resolved; a `ConfigError` when a chain names a provider without keys. Never with a secret in the message.
 */
export async function createFromKeysFile(
  input: KeysFileInput,
  options: CreateFromKeysFileOptions = {},
): Promise<KeysFileKeypool> {
  const vaultCache: { vault?: Vault } = {};
  const events = new TypedEmitter<KeysFileEvents>();
  const lastGood = new LastGoodSecrets(
    ({ message, ...report }) =>
      events.emit('secret.refresh_failed', {
        at: Date.now(),
        ...report,
        message: message ?? 'the source failed',
      }),
    ({ message: _message, ...report }) => events.emit('secret.recovered', { at: Date.now(), ...report }),
  );
  const refreshMs = refreshInterval(options);
  const first = await readKeysConfig(input, options, vaultCache, lastGood);
  const resolved = first.resolved;
  const pools: Partial<Record<ProviderId, KeyPool>> = {};
  try {
    for (const provider of PROVIDER_IDS) {
      const keys = resolved.keys[provider];
      if (keys.length === 0) continue;
      const factory =
        options.providers?.[provider] ??
        defaultProviderFactory(
          provider,
          options.clientOptions?.[provider],
          providerSettings(first.data, provider),
        );
      const pool = await factory({
        ...(resolved.pools[provider] ?? {}),
        ...options.pool,
        keys,
      } as ProviderPoolInput);
      pools[provider] = pool;
      const primary = resolved.primary[provider];
      if (primary !== undefined) pool.setPrimaryKey(primary);
      await pool.whenReady();
    }
    const disabledByFile: DisabledByFile = new Map();
    // A key the file disables is left out at start; one disabled later is disabled in place (its state kept).
    const chains = buildChains(resolved, pools, options.chain);
    // The registry holds each pool under its label (a preset's name; `azure-openai` for the `azure` section).
    const byLabel = Object.fromEntries(Object.values(pools).map((pool) => [pool.provider, pool]));
    const keypool = createKeypool({ ...byLabel, chains } as KeypoolOptions);
    return running(
      { events, lastGood, refreshMs },
      input,
      options,
      first.data,
      pools,
      chains,
      keypool,
      resolved.warnings,
      disabledByFile,
      vaultCache,
    );
  } catch (error) {
    await Promise.all(Object.values(pools).map((pool) => pool.close()));
    throw error;
  }
}

function buildChains(
  resolved: ResolvedKeys,
  pools: Partial<Record<ProviderId, KeyPool>>,
  options: FallbackChainOptions | undefined,
): Record<string, FallbackChain> {
  const chains: Record<string, FallbackChain> = {};
  for (const [name, steps] of Object.entries(resolved.chains)) {
    chains[name] = createFallbackChain(
      steps.map((step, index) => {
        const pool = pools[step.provider];
        if (!pool) {
          const where =
            name === 'default' && resolved.chains.default ? `chain[${index}]` : `chains.${name}[${index}]`;
          throw new ConfigError('keys file', [
            { path: `${where}.provider`, message: `"${step.provider}" has no keys in this file` },
          ]);
        }
        return {
          pool,
          model: step.model,
          ...(step.contextWindow === undefined ? {} : { contextWindow: step.contextWindow }),
          ...(step.maxTokens === undefined ? {} : { maxTokens: step.maxTokens }),
          ...(step.temperature === undefined ? {} : { temperature: step.temperature }),
        };
      }),
      options,
    );
  }
  return chains;
}

/** The refresh interval: the option, else the shortest one a given source declares, else none. */
function refreshInterval(options: CreateFromKeysFileOptions): number | undefined {
  const declared = (options.sources ?? []).flatMap((source) =>
    typeof source.refreshMs === 'number' && source.refreshMs > 0 ? [source.refreshMs] : [],
  );
  const interval = options.refreshMs ?? (declared.length > 0 ? Math.min(...declared) : undefined);
  if (interval !== undefined && !(Number.isFinite(interval) && interval > 0))
    throw new ConfigError('createFromKeysFile options', [
      { path: 'refreshMs', message: 'must be a positive number of ms' },
    ]);
  return interval;
}

function running(
  refresh: { events: TypedEmitter<KeysFileEvents>; lastGood: LastGoodSecrets; refreshMs: number | undefined },
  input: KeysFileInput,
  options: CreateFromKeysFileOptions,
  initialData: KeysFile,
  pools: Partial<Record<ProviderId, KeyPool>>,
  chains: Record<string, FallbackChain>,
  keypool: Keypool,
  warnings: KeystoreWarning[],
  disabledByFile: DisabledByFile,
  vaultCache: { vault?: Vault },
): KeysFileKeypool {
  const { events, lastGood } = refresh;
  let data = initialData;
  let queue: Promise<unknown> = Promise.resolve();
  let stop: StopWatching | undefined;
  let closed = false;

  const reloadOnce = async (): Promise<KeyChange[]> => {
    try {
      const next = await readKeysConfig(input, options, vaultCache, lastGood);
      checkReload(pools, next.resolved);
      const changes: KeyChange[] = [];
      for (const [provider, pool] of Object.entries(pools) as [ProviderId, KeyPool][])
        changes.push(...(await applyKeys(provider, pool, next.resolved, disabledByFile)));
      const needed = restartNeeded(data, next.data, Object.keys(pools) as ProviderId[]);
      data = next.data;
      events.emit('config.reloaded', {
        at: Date.now(),
        changes,
        warnings: next.resolved.warnings,
        restartNeeded: needed,
      });
      return changes;
    } catch (caught) {
      const error = caught instanceof Error ? caught : new Error(String(caught));
      events.emit('config.error', { at: Date.now(), error, message: error.message });
      throw error;
    }
  };
  const reload = (): Promise<KeyChange[]> => {
    const result = queue.then(reloadOnce);
    queue = result.catch(() => undefined);
    return result;
  };

  if (options.watch && typeof input === 'string') {
    const watchOptions = typeof options.watch === 'object' ? options.watch : {};
    const files = [input, ...(watchOptions.files ?? [])];
    if (options.sources === undefined && usesVault(initialData)) files.push(vaultPath(options));
    stop = watchFiles(files, watchOptions.debounceMs ?? 100, () => {
      if (!closed) reload().catch(() => undefined);
    });
  }

  // Secrets are read again on a schedule (the file too: a reload is one read of both); the timer never keeps Node alive.
  const timer =
    refresh.refreshMs === undefined
      ? undefined
      : setInterval(() => {
          if (!closed) reload().catch(() => undefined);
        }, refresh.refreshMs);
  timer?.unref?.();

  return {
    pools,
    chains,
    chain: chains.default,
    keypool,
    warnings,
    pool(provider) {
      const pool = pools[provider];
      if (!pool)
        throw new ConfigError('keys file', [
          { path: `providers.${provider}`, message: 'no keys for this provider' },
        ]);
      return pool;
    },
    reload,
    on: (name, listener) => events.on(name, listener),
    async close() {
      closed = true;
      stop?.();
      if (timer) clearInterval(timer);
      await queue;
      await keypool.close();
    },
  };
}
