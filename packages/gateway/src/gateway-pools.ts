import {
  CODE_ONLY_POOL_OPTIONS,
  type CodeOnlyPoolOption,
  ConfigError,
  type KeyConfig,
  type KeyPool,
  type KeyPoolOptions,
  type StateStore,
} from '@keypool/core';
import { createFallbackChain, type FallbackChain } from '@keypool/fallback';
import type { FallbackChains, PoolOptions, ProviderId } from '@keypool/keystore';
import { gatewayProviderMessage, isGatewayProvider } from './gateway-providers';
import type { RateLimitParser } from './upstream-request';

/** The provider pools and named chains a gateway serves. */
export interface GatewayPools {
  /** One key pool per provider that has keys. Each pool's client is the provider's SDK client. */
  pools: Partial<Record<ProviderId, KeyPool>>;
  /** Each pool's rate-limit header parser (from its provider package), for calls the gateway sends itself. */
  rateLimitParsers: Partial<Record<ProviderId, RateLimitParser>>;
  /** The keys file's chains, built over those pools. */
  chains: Record<string, FallbackChain>;
  /** Closes the pools and their stores. */
  close(): Promise<void>;
}

/** What `createGatewayPools` builds from. */
export interface GatewayPoolsOptions {
  /** Keys per provider (from `resolveKeysFile`). */
  keys: Partial<Record<ProviderId, readonly KeyConfig[]>>;
  /**
   * Pool options per provider from the keys file: every option a pool takes as plain data (strategy, cooldown,
   * maxAttempts, failureThreshold, retryBackoff, policy, ...). They override `deadlineMs` / `attemptTimeoutMs` below
   * for their provider; core's own schema checks them (a bad value is a `ConfigError` at `providers.<id>.pool.<path>`).
   */
  poolOptions?: Partial<Record<ProviderId, GatewayPoolOptions>>;
  /** Named chains from the keys file. */
  chains?: FallbackChains;
  /** Each provider's upstream base URL. */
  upstreams?: Partial<Record<ProviderId, string>>;
  /** A call's deadline and one attempt's timeout, ms. */
  deadlineMs?: number;
  attemptTimeoutMs?: number;
  /** Builds the state store of a provider's pool (e.g. on Redis); in memory when absent. */
  store?: (provider: ProviderId) => StateStore;
  /** Extra key-pool options for every pool (tests: `windowMs`, `now`). */
  pool?: Partial<Omit<KeyPoolOptions<unknown>, 'adapter' | 'keys'>>;
}

type CommonOptions = Omit<KeyPoolOptions<unknown>, 'adapter'>;

/** One provider's pool options from a keys file: the keystore's, and any other plain-data option the pool takes. */
export type GatewayPoolOptions = PoolOptions &
  Partial<Omit<KeyPoolOptions<unknown>, CodeOnlyPoolOption | keyof PoolOptions>>;

/** The pool options only code can give (objects and functions): never from a keys file. */
const CODE_ONLY: ReadonlySet<string> = new Set(CODE_ONLY_POOL_OPTIONS);

/**
 * The keys file's options for one pool: every plain-data option as given (options only code can give are left to the
 * gateway), the strategy by its name.
 */
function fileOptionsOf(options: GatewayPoolOptions | undefined): Partial<CommonOptions> {
  if (options === undefined) return {};
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    if (value !== undefined && !CODE_ONLY.has(name)) out[name] = value;
  }
  return out as Partial<CommonOptions>;
}

/** A pool options `ConfigError` from core, its paths placed under the provider's pool section of the keys file. */
function underProvider(provider: ProviderId, error: unknown): unknown {
  if (!ConfigError.isInstance(error) || !error.message.startsWith('Invalid pool options')) return error;
  return new ConfigError(
    'gateway pool options',
    error.issues.map((issue) => ({
      path: `providers.${provider}.pool${issue.path ? `.${issue.path}` : ''}`,
      message: issue.message,
    })),
    { cause: error },
  );
}

/**
 * Builds one provider's pool through its Keypool package, loaded on demand (so a gateway with only OpenAI keys never
 * loads the other SDKs), with the SDK pointed at `baseURL` by that SDK's own option.
 */
async function createPool(
  provider: ProviderId,
  common: CommonOptions,
  baseURL: string | undefined,
  parsers: Partial<Record<ProviderId, RateLimitParser>>,
): Promise<KeyPool> {
  switch (provider) {
    case 'openai': {
      const { createOpenAIPool, parseOpenAIRateLimitHeaders } = await import('@keypool/openai');
      parsers.openai = (headers) => parseOpenAIRateLimitHeaders(headers);
      return createOpenAIPool({ ...common, clientOptions: baseURL ? { baseURL } : {} }) as unknown as KeyPool;
    }
    case 'anthropic': {
      const { createAnthropicPool, parseAnthropicRateLimitHeaders } = await import('@keypool/anthropic');
      parsers.anthropic = parseAnthropicRateLimitHeaders;
      return createAnthropicPool({
        ...common,
        clientOptions: baseURL ? { baseURL } : {},
      }) as unknown as KeyPool;
    }
    case 'gemini': {
      const { createGeminiPool } = await import('@keypool/gemini');
      return createGeminiPool({
        ...common,
        clientOptions: { httpOptions: baseURL ? { baseUrl: baseURL } : {} },
      }) as unknown as KeyPool;
    }
    case 'mistral': {
      const { createMistralPool } = await import('@keypool/mistral');
      return createMistralPool({
        ...common,
        clientOptions: baseURL ? { serverURL: baseURL } : {},
      }) as unknown as KeyPool;
    }
    default:
      throw new ConfigError('gateway config', [
        { path: `providers.${provider}`, message: gatewayProviderMessage(provider) },
      ]);
  }
}

function remember(stores: StateStore[], store: StateStore): StateStore {
  stores.push(store);
  return store;
}

/**
 * Builds the gateway's pools (one per provider with keys) and its chains. A chain step whose provider has no keys is
 * a configuration error, reported with the chain and step.
 */
export async function createGatewayPools(options: GatewayPoolsOptions): Promise<GatewayPools> {
  const unsupported = (Object.keys(options.keys) as ProviderId[]).filter(
    (provider) => !isGatewayProvider(provider) && (options.keys[provider]?.length ?? 0) > 0,
  );
  if (unsupported.length > 0)
    throw new ConfigError(
      'gateway config',
      unsupported.map((provider) => ({
        path: `providers.${provider}`,
        message: gatewayProviderMessage(provider),
      })),
    );
  const pools: Partial<Record<ProviderId, KeyPool>> = {};
  const stores: StateStore[] = [];
  const rateLimitParsers: Partial<Record<ProviderId, RateLimitParser>> = {};
  for (const [provider, keys] of Object.entries(options.keys) as [ProviderId, readonly KeyConfig[]][]) {
    if (keys.length === 0) continue;
    const common: CommonOptions = {
      keys: [...keys],
      deadlineMs: options.deadlineMs ?? 60_000,
      attemptTimeoutMs: options.attemptTimeoutMs ?? 30_000,
      ...fileOptionsOf(options.poolOptions?.[provider]),
      ...(options.store ? { store: remember(stores, options.store(provider)) } : {}),
      ...options.pool,
    };
    try {
      pools[provider] = await createPool(provider, common, options.upstreams?.[provider], rateLimitParsers);
    } catch (error) {
      await Promise.all(Object.values(pools).map((pool) => pool.close()));
      await Promise.all(stores.map((store) => store.close?.()));
      throw underProvider(provider, error);
    }
  }
  const chains: Record<string, FallbackChain> = {};
  for (const [name, steps] of Object.entries(options.chains ?? {})) {
    chains[name] = createFallbackChain(
      steps.map((step, index) => {
        const pool = pools[step.provider];
        if (pool === undefined) {
          throw new ConfigError('gateway config', [
            { path: `chains.${name}[${index}].provider`, message: `"${step.provider}" has no keys` },
          ]);
        }
        return {
          pool,
          model: step.model,
          ...(step.contextWindow ? { contextWindow: step.contextWindow } : {}),
          ...(step.maxTokens ? { maxTokens: step.maxTokens } : {}),
          ...(step.temperature !== undefined ? { temperature: step.temperature } : {}),
        };
      }),
      { deadlineMs: options.deadlineMs ?? 60_000 },
    );
  }
  await Promise.all(Object.values(pools).map((pool) => pool.whenReady()));
  return {
    pools,
    rateLimitParsers,
    chains,
    close: async () => {
      await Promise.all(Object.values(pools).map((pool) => pool.close()));
      await Promise.all(stores.map((store) => store.close?.()));
    },
  };
}
