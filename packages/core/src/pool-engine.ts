import type { AttemptContext, ProviderAdapter } from './adapter';
import type { AdaptiveLimiter } from './adaptive-limit';
import { disableKey, enableKey } from './admin';
import type { ProviderName } from './categories';
import { type ChatRequest, type ChatResult, type ChatStreamEvent, estimateRequestTokens } from './chat';
import type { KeyConfig, StrategyName } from './config';
import { ProviderError } from './errors';
import type { PoolEventName, PoolEvents, TypedEmitter } from './events';
import { execute, executeStream } from './execute';
import type { KeySnapshot } from './key-snapshot';
import { MemoryStateStore } from './memory-store';
import { PoolCore } from './pool-core';
import { INSPECT } from './pool-key';
import type { AttemptKey, CallOptions, KeyPoolOptions, StreamCallOptions } from './pool-options';
import { type KEY_POOL_ONLY_OPTIONS, poolSettingsOf, validateEngineOptions } from './pool-settings';

export { KEY_POOL_ONLY_OPTIONS } from './pool-settings';

import { applyRemoteView, refreshState, snapshotKeys } from './pool-state';
import type { EngineStreamOptions, PoolStreamEvent } from './pool-stream';
import { healthSelector, type KeySelector } from './selectors';
import type { StateStore } from './state-store';

/**
 * Options of the lean engine: a key pool's options without saved state, history and stream continuation, and with the
 * strategy as a selector (`prioritySelector()`, `roundRobinSelector()`, ... or your own); by name only the default,
 * `health`, so that a bundle carries only the strategy it uses.
 */
export type PoolEngineOptions<TClient> = Omit<
  KeyPoolOptions<TClient>,
  (typeof KEY_POOL_ONLY_OPTIONS)[number] | 'strategy' | 'adaptiveLimits'
> & {
  /** The selection strategy: a selector (`prioritySelector()`, ...) or `health` (the default). */
  strategy?: 'health' | KeySelector;
  /**
   * Learn each key's request rate from its 429s when it has no configured limit and no rate-limit headers:
   * `adaptiveLimiter()` (a plug-in, so a bundle without it leaves the code out). Default: off (a 429 is a cooldown).
   */
  adaptiveLimits?: AdaptiveLimiter | false;
};

/**
 * The lean rotation engine for one provider (`@keypool/core/engine`, for edge bundles): holds the keys, picks one per
 * attempt (every strategy), enforces limits, classifies failures through the adapter, applies the policy table
 * (cooldowns, disable, quotas, thresholds) and fails over to another key, for calls and for streams until their first
 * chunk. `KeyPool` extends it with run-time key administration, leases, saved state, failure history and stream
 * continuation after a break.
 *
 * The work is split by concern: `lease.ts` selects and reserves, `execute.ts` runs the retry loop and deadlines,
 * `settle.ts` turns an outcome into state through the policy table, `admin.ts` adds, removes, enables and disables
 * keys, `pool-state.ts` snapshots, saves and restores. `pool-core.ts` holds what they share.
 */
export class PoolEngine<TClient = unknown> {
  readonly provider: ProviderName;
  readonly adapter: ProviderAdapter<TClient>;
  readonly store: StateStore;
  /** The state the engine's parts share (for `KeyPool`, which extends the engine). */
  protected readonly core: PoolCore<TClient>;
  /** Resolves once the store has registered the keys. */
  protected readonly ready: Promise<void>;
  protected isReady = false;
  private unsubscribeStore: (() => void) | undefined;

  constructor(options: PoolEngineOptions<TClient>) {
    const keys = this.checkOptions(options);
    this.adapter = options.adapter;
    this.provider = options.adapter.provider;
    this.store = options.store ?? new MemoryStateStore();
    this.core = new PoolCore(
      options.adapter,
      this.store,
      this.store instanceof MemoryStateStore ? this.store : undefined,
      typeof options.strategy === 'object'
        ? options.strategy
        : this.selectorNamed(options.strategy ?? 'health'),
      poolSettingsOf(options, this.adaptiveLimiter(options.adaptiveLimits)),
    );
    for (const config of keys) this.core.insertKey(config);
    this.ready = this.start().then(() => {
      this.isReady = true;
    });
  }

  /** Checks the options (a `ConfigError` naming each bad field) and returns the keys. `KeyPool` checks its own too. */
  protected checkOptions(options: PoolEngineOptions<TClient> | KeyPoolOptions<TClient>): KeyConfig[] {
    return validateEngineOptions(options);
  }

  private async start(): Promise<void> {
    const core = this.core;
    const keys = [...core.keys.values()];
    await this.store.register(
      keys.map((key) => key.storeKey),
      core.settings.windows,
    );
    const now = core.now();
    for (const key of keys) {
      if (key.startsDisabled)
        key.view = await this.store.setStatus(
          key.storeKey,
          { enabled: false, reason: 'disabled in the configuration' },
          now,
        );
    }
    await this.afterRegister();
    await refreshState(core);
    if (this.store.subscribe) {
      this.unsubscribeStore = this.store.subscribe((fingerprint, view) =>
        applyRemoteView(core, fingerprint, view),
      );
    }
  }

  /** The built-in strategy of a name: the engine knows `health` (checked by `checkOptions`); `KeyPool` knows all. */
  protected selectorNamed(_strategy: StrategyName): KeySelector {
    return healthSelector();
  }

  /** The adaptive-limit plug-in of the option: the engine takes one as a value (checked by `checkOptions`). */
  protected adaptiveLimiter(option: AdaptiveLimiter | boolean | undefined): AdaptiveLimiter | undefined {
    return typeof option === 'function' ? option : undefined;
  }

  /**
   * Runs once the store has registered the keys, before the first state refresh (`KeyPool` restores saved state and
   * history here). It runs after an `await`, so a subclass's constructor has finished and its fields are set.
   */
  protected async afterRegister(): Promise<void> {}

  // ---------------------------------------------------------------- events

  /** Listens to one event (`key.selected`, `key.cooldown`, `key.disabled`, ...). Returns the unsubscribe function. */
  on<K extends PoolEventName>(name: K, listener: (event: PoolEvents[K]) => void): () => void {
    return this.core.events.on(name, listener);
  }

  /** Listens to every event; each arrives with its name as `type`. Returns the unsubscribe function. */
  onAny(listener: Parameters<TypedEmitter<PoolEvents>['onAny']>[0]): () => void {
    return this.core.events.onAny(listener);
  }

  // ---------------------------------------------------------------- calls

  /**
   * Runs `operation` with rotation: each attempt gets the client of the key the engine picked, and a failure is
   * classified, applied to that key, and retried on another key as the policy says. The one retry owner.
   * Pass `options.model` so the call's model scope decides which rate-limit state applies.
   */
  async execute<T>(
    operation: (client: TClient, key: AttemptKey) => Promise<T>,
    options: CallOptions = {},
  ): Promise<T> {
    if (!this.isReady) await this.ready;
    return execute(this.core, operation, options);
  }

  /** Alias of `execute`, the name provider packages expose: `pool.run((client, key) => ...)`. */
  run<T>(operation: (client: TClient, key: AttemptKey) => Promise<T>, options?: CallOptions): Promise<T> {
    return this.execute(operation, options);
  }

  /**
   * Runs a streaming call with rotation. Until the first chunk reaches the caller, a failure rotates to another key
   * like any call; after it, a failure ends the stream with a `StreamInterruptedError` carrying the partial text. A
   * stream that ends without its terminal chunk (see `isTerminal`) or stalls past the idle timeout is interrupted too.
   */
  async *executeStream<TChunk>(
    open: (client: TClient, key: AttemptKey) => AsyncIterable<TChunk> | Promise<AsyncIterable<TChunk>>,
    options: StreamCallOptions<TChunk> = {},
  ): AsyncGenerator<TChunk, void, undefined> {
    if (!this.isReady) await this.ready;
    yield* executeStream(this.core, open, options);
  }

  /** The unified chat call (the fallback chain's entry point). */
  async chat(request: ChatRequest, options: Omit<CallOptions, 'signal'> = {}): Promise<ChatResult> {
    this.validate(request);
    return this.execute(
      async (client, key) => {
        const answer = await this.adapter.chat(
          client,
          { ...request, signal: key.signal },
          this.adapterContext(key),
        );
        key.reportUsage(answer.usage.totalTokens);
        return { ...answer, provider: this.provider, keyId: key.id };
      },
      {
        model: request.model,
        // A non-stream answer has no first byte before it is whole: with no attempt timeout set, the first-byte limit
        // bounds the attempt, so a silent route fails as `timeout` and a chain moves on before the deadline is spent.
        ...(this.core.settings.attemptTimeoutMs === undefined
          ? { attemptTimeoutMs: this.core.settings.firstByteTimeoutMs }
          : {}),
        ...options,
        signal: request.signal,
        estimatedTokens: options.estimatedTokens ?? this.estimate(request),
      },
    );
  }

  /**
   * The unified streaming call: text deltas, then one `done` event with the whole result. Before the first chunk a
   * failure rotates keys; a break after it ends the stream with `StreamInterruptedError` carrying the partial text
   * (`KeyPool.stream` continues it on another key instead). The result's `continued` is empty.
   */
  async *stream(
    request: ChatRequest,
    options: EngineStreamOptions = {},
  ): AsyncGenerator<PoolStreamEvent, void, undefined> {
    this.validate(request);
    for await (const event of this.streamOnce(request, options))
      yield event.type === 'done' ? { type: 'done', result: { ...event.result, continued: [] } } : event;
  }

  /**
   * A feature the provider lacks (e.g. a seed on Anthropic) is refused before any key is reserved or any request sent,
   * as an `invalid_request` error naming the feature.
   */
  protected validate(request: ChatRequest): void {
    try {
      this.adapter.validateRequest?.(request);
    } catch (cause) {
      throw new ProviderError(
        {
          category: 'invalid_request',
          message: cause instanceof Error ? cause.message : String(cause),
          provider: this.provider,
        },
        { cause },
      );
    }
  }

  /** One stream through the engine: failover until its first chunk, after it a `StreamInterruptedError`. */
  protected streamOnce(
    request: ChatRequest,
    options: EngineStreamOptions,
  ): AsyncGenerator<ChatStreamEvent, void, undefined> {
    const provider = this.provider;
    const adapter = this.adapter;
    const context = (key: AttemptKey) => this.adapterContext(key);
    return this.executeStream<ChatStreamEvent>(
      (client, key) =>
        (async function* () {
          let text = '';
          for await (const part of adapter.stream(client, { ...request, signal: key.signal }, context(key))) {
            if (part.type === 'delta') {
              text += part.text;
              yield part;
            } else {
              key.reportUsage(part.usage.totalTokens);
              const result: ChatResult = {
                text,
                finishReason: part.finishReason,
                usage: part.usage,
                provider,
                model: part.model ?? request.model,
                keyId: key.id,
                ...(part.requestId ? { requestId: part.requestId } : {}),
                ...(part.toolCalls && part.toolCalls.length > 0 ? { toolCalls: part.toolCalls } : {}),
              };
              yield { type: 'done', result };
            }
          }
        })(),
      {
        model: request.model,
        ...options,
        signal: request.signal,
        estimatedTokens: options.estimatedTokens ?? this.estimate(request),
        textOf: (event) => (event.type === 'delta' ? event.text : undefined),
        usageOf: (event) => (event.type === 'done' ? event.result.usage.totalTokens : undefined),
        isTerminal: (event) => event.type === 'done',
      },
    );
  }

  private estimate(request: ChatRequest): number {
    return this.adapter.estimateTokens?.(request) ?? estimateRequestTokens(request);
  }

  private adapterContext(key: AttemptKey): AttemptContext {
    return {
      signal: key.signal,
      keyId: key.id,
      reportRateLimit: key.reportRateLimit,
      reportUsage: key.reportUsage,
    };
  }

  // ---------------------------------------------------------------- administration

  /** The key ids, in pool order. */
  keyIds(): string[] {
    return [...this.core.keys.keys()];
  }

  /** Re-enables a disabled key (and clears its cooldowns and failure counts in every model scope). */
  async enableKey(id: string): Promise<void> {
    await this.ready;
    await enableKey(this.core, id);
  }

  /** Disables a key until `enableKey`. */
  async disableKey(id: string, reason = 'disabled by the application'): Promise<void> {
    await this.ready;
    await disableKey(this.core, id, reason);
  }

  // ---------------------------------------------------------------- state

  /** Reads every key's state from the store (useful with a shared store before `snapshot()`). */
  async refresh(): Promise<void> {
    await refreshState(this.core);
  }

  /**
   * Every key's state now: status, reason, cooldown end, in-flight, window usage, counts, latency, when it was last
   * used, succeeded and failed, and the same per model scope it served. No secrets.
   */
  snapshot(): KeySnapshot[] {
    return snapshotKeys(this.core);
  }

  /** Stops listening to the store. The pool should not be used afterwards. */
  async close(): Promise<void> {
    this.unsubscribeStore?.();
    await this.ready.catch(() => undefined);
  }

  /** A waitable that resolves once the store has registered the keys. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  /** The name `util.inspect` shows (`KeyPool` or `PoolEngine`). */
  protected get kind(): string {
    return 'PoolEngine';
  }

  [INSPECT](): string {
    const keys = [...this.core.keys.values()];
    const shown = keys.slice(0, 20).map((key) => `${key.id} ${key.masked}`);
    if (keys.length > 20) shown.push('...');
    return `${this.kind}(${this.provider}, ${keys.length} keys: ${shown.join(', ')})`;
  }
}

/**
 * Builds the lean engine for one provider (`@keypool/core/engine`). Validates the options and throws a `ConfigError`
 * naming each bad field; the options only `KeyPool` takes (`KEY_POOL_ONLY_OPTIONS`) are refused.
 */
export function createPoolEngine<TClient>(options: PoolEngineOptions<TClient>): PoolEngine<TClient> {
  return new PoolEngine(options);
}
