import {
  ConfigError,
  type ConfigIssue,
  type KeyPool,
  type KeySnapshot,
  type PoolEventName,
  type PoolEvents,
} from '@keypool/core';
import type { StepStatus } from './chain-call-state';
import type { FallbackChain } from './fallback-chain';
import type { FallbackEventName, FallbackEvents } from './fallback-events';

/**
 * The providers a registry holds a pool for, by their pools' provider label: the SDK families, then the
 * OpenAI-compatible presets of `@keypool/openai` and Azure OpenAI (`azure-openai`).
 */
export const KEYPOOL_PROVIDERS = [
  'openai',
  'anthropic',
  'gemini',
  'mistral',
  'deepseek',
  'groq',
  'openrouter',
  'together',
  'fireworks',
  'xai',
  'cerebras',
  'perplexity',
  'azure-openai',
] as const;
/** One of `KEYPOOL_PROVIDERS`. */
export type KeypoolProvider = (typeof KEYPOOL_PROVIDERS)[number];

/**
 * What `createKeypool` takes: a ready pool per provider (each optional, under its pool's provider label, e.g. `groq`
 * or `azure-openai`) and named fallback chains over them.
 */
// biome-ignore lint/suspicious/noExplicitAny: a pool of any SDK client.
export interface KeypoolOptions extends Partial<Record<KeypoolProvider, KeyPool<any>>> {
  chains?: Record<string, FallbackChain>;
}

/** One event of any pool or chain of the registry, with where it came from. */
export type KeypoolEvent =
  | {
      source: 'pool';
      provider: KeypoolProvider;
      type: PoolEventName;
      event: PoolEvents[PoolEventName];
    }
  | {
      source: 'chain';
      chain: string;
      /** The provider of the step the event is about (`to` for a move, `step` otherwise), if any. */
      provider: string | undefined;
      type: FallbackEventName;
      event: FallbackEvents[FallbackEventName];
    };

/** Every pool's key snapshots and every chain's step states, at one moment. */
export interface KeypoolSnapshot {
  at: number;
  providers: Partial<Record<KeypoolProvider, KeySnapshot[]>>;
  chains: Record<string, StepStatus[]>;
}

/** A provider's keys counted by status, with its call totals. */
export interface ProviderStatus {
  provider: KeypoolProvider;
  keys: number;
  active: number;
  cooling: number;
  limited: number;
  disabled: number;
  /** True when at least one key is active or half-open (may take a call now). */
  available: boolean;
  requests: number;
  successes: number;
  failures: number;
}

/** The registry at a glance: each provider's status and each chain's open breakers. */
export interface KeypoolStatus {
  /** True when every provider has a usable key. */
  ok: boolean;
  providers: ProviderStatus[];
  chains: { name: string; steps: number; openBreakers: number }[];
}

/**
 * One registry for every provider's pool and the fallback chains over them: a combined snapshot, one event stream,
 * a status across providers, and one `close()`. Build it with `createKeypool`.
 */
export class Keypool {
  // biome-ignore lint/suspicious/noExplicitAny: a pool of any SDK client.
  private readonly pools: Partial<Record<KeypoolProvider, KeyPool<any>>>;
  readonly chains: Readonly<Record<string, FallbackChain>>;
  private readonly listeners = new Set<(event: KeypoolEvent) => void>();
  private readonly unsubscribers: (() => void)[] = [];
  private closing: Promise<void> | undefined;

  constructor(options: KeypoolOptions) {
    validate(options);
    this.pools = {};
    for (const provider of KEYPOOL_PROVIDERS) {
      const pool = options[provider];
      if (pool === undefined) continue;
      this.pools[provider] = pool;
      this.unsubscribers.push(
        pool.onAny(({ type, ...event }) =>
          this.emit({ source: 'pool', provider, type, event: event as PoolEvents[PoolEventName] }),
        ),
      );
    }
    this.chains = { ...options.chains };
    for (const [name, chain] of Object.entries(this.chains)) {
      this.unsubscribers.push(
        chain.onAny(({ type, ...event }) =>
          this.emit({
            source: 'chain',
            chain: name,
            provider: stepProvider(event),
            type,
            event: event as FallbackEvents[FallbackEventName],
          }),
        ),
      );
    }
  }

  /** The providers the registry holds a pool for, in a fixed order. */
  providers(): KeypoolProvider[] {
    return KEYPOOL_PROVIDERS.filter((provider) => this.pools[provider] !== undefined);
  }

  /** The pool of `provider`; throws a ConfigError naming it when the registry has none. */
  // biome-ignore lint/suspicious/noExplicitAny: a pool of any SDK client.
  pool(provider: KeypoolProvider): KeyPool<any> {
    const pool = this.pools[provider];
    if (!pool) throw new ConfigError('keypool', [{ path: provider, message: 'no pool for this provider' }]);
    return pool;
  }

  /** Listens to every event of every pool and chain. Returns the unsubscribe function. */
  onAny(listener: (event: KeypoolEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every pool's key snapshots and every chain's step states. Holds no secret (snapshots are masked). */
  snapshot(): KeypoolSnapshot {
    const providers: KeypoolSnapshot['providers'] = {};
    for (const provider of this.providers()) providers[provider] = this.pool(provider).snapshot();
    const chains: KeypoolSnapshot['chains'] = {};
    for (const [name, chain] of Object.entries(this.chains)) chains[name] = chain.status();
    return { at: Date.now(), providers, chains };
  }

  /** Each provider's keys by status and call totals, and each chain's open breakers. */
  status(): KeypoolStatus {
    const providers = this.providers().map((provider) =>
      providerStatus(provider, this.pool(provider).snapshot()),
    );
    const chains = Object.entries(this.chains).map(([name, chain]) => {
      const steps = chain.status();
      return {
        name,
        steps: steps.length,
        openBreakers: steps.filter((step) => step.breaker === 'open').length,
      };
    });
    return { ok: providers.every((provider) => provider.available), providers, chains };
  }

  /** Stops listening and closes every pool (once; later calls return the same promise). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
      this.listeners.clear();
      await Promise.all(this.providers().map((provider) => this.pool(provider).close()));
    })();
    return this.closing;
  }

  private emit(event: KeypoolEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure must not break the pool or chain that emitted the event.
      }
    }
  }
}

/**
 * Builds the registry from ready pools (`createOpenAIPool`, `createAnthropicPool`, ...) and chains. Throws a
 * ConfigError naming the field when a value is not a pool, a pool sits under another provider's name, a chain is
 * not a chain, or an option is unknown.
 */
export function createKeypool(options: KeypoolOptions): Keypool {
  return new Keypool(options);
}

function providerStatus(provider: KeypoolProvider, keys: KeySnapshot[]): ProviderStatus {
  const count = (status: KeySnapshot['status']) => keys.filter((key) => key.status === status).length;
  const failures = keys.reduce(
    (sum, key) => sum + Object.values(key.counts.failures).reduce((a, b) => a + (b ?? 0), 0),
    0,
  );
  return {
    provider,
    keys: keys.length,
    active: count('active'),
    cooling: count('cooling'),
    limited: count('limited'),
    disabled: count('disabled'),
    available: keys.some((key) => key.status === 'active' || key.status === 'half_open'),
    requests: keys.reduce((sum, key) => sum + key.counts.requests, 0),
    successes: keys.reduce((sum, key) => sum + key.counts.successes, 0),
    failures,
  };
}

function stepProvider(event: object): string | undefined {
  const ref =
    (event as { to?: { provider?: unknown }; step?: { provider?: unknown } }).to ??
    (event as { step?: { provider?: unknown } }).step;
  return typeof ref?.provider === 'string' ? ref.provider : undefined;
}

function validate(options: KeypoolOptions): void {
  const issues: ConfigIssue[] = [];
  if (typeof options !== 'object' || options === null)
    throw new ConfigError('keypool', [{ path: '', message: 'expected an object of pools and chains' }]);
  const known = new Set<string>([...KEYPOOL_PROVIDERS, 'chains']);
  for (const field of Object.keys(options))
    if (!known.has(field))
      issues.push({ path: field, message: `unknown option (expected ${[...known].join(', ')})` });
  for (const provider of KEYPOOL_PROVIDERS) {
    const pool = options[provider] as unknown;
    if (pool === undefined) continue;
    if (!isPool(pool))
      issues.push({ path: provider, message: 'expected a key pool (e.g. from createOpenAIPool)' });
    else if (pool.provider !== provider)
      issues.push({ path: provider, message: `this is a ${String(pool.provider)} pool` });
  }
  const chains = options.chains as unknown;
  if (chains !== undefined && (typeof chains !== 'object' || chains === null))
    issues.push({ path: 'chains', message: 'expected an object of named fallback chains' });
  else if (chains)
    for (const [name, chain] of Object.entries(chains))
      if (!isChain(chain)) issues.push({ path: `chains.${name}`, message: 'expected a fallback chain' });
  if (issues.length > 0) throw new ConfigError('keypool', issues);
}

function isPool(value: unknown): value is { provider: unknown } {
  const pool = value as Record<string, unknown> | null;
  return (
    typeof pool === 'object' &&
    pool !== null &&
    ['onAny', 'snapshot', 'close'].every((method) => typeof pool[method] === 'function')
  );
}

function isChain(value: unknown): boolean {
  const chain = value as Record<string, unknown> | null;
  return (
    typeof chain === 'object' &&
    chain !== null &&
    ['onAny', 'status', 'chat'].every((method) => typeof chain[method] === 'function')
  );
}
