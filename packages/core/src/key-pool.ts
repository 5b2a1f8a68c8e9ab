import type { AttemptContext, ProviderAdapter } from './adapter';
import { addKey, disableKey, enableKey, removeKey, setPrimaryKey, updateKey } from './admin';
import type { ProviderName } from './categories';
import { type ChatRequest, type ChatResult, type ChatStreamEvent, estimateRequestTokens } from './chat';
import type { KeyConfig } from './config';
import { ProviderError } from './errors';
import type { PoolEventName, PoolEvents, TypedEmitter } from './events';
import { execute, executeStream } from './execute';
import { DEFAULT_HISTORY_SIZE } from './key-history';
import { type AcquireOptions, acquireLease, type KeyLease } from './key-lease';
import type { KeySnapshot } from './key-snapshot';
import { MemoryStateStore } from './memory-store';
import { PoolCore } from './pool-core';
import { PoolHistory } from './pool-history';
import type { AttemptKey, CallOptions, KeyPoolOptions, PoolState, StreamCallOptions } from './pool-options';
import { poolSettingsOf, validatePoolOptions } from './pool-settings';
import { applyRemoteView, poolStateOf, refreshState, restoreState, snapshotKeys } from './pool-state';
import {
  continuingPoolStream,
  type EngineStreamOptions,
  type PoolStreamContext,
  type PoolStreamEvent,
  type PoolStreamOptions,
  poolStreamContext,
} from './pool-stream';
import { createSelector } from './selectors';
import type { StateStore } from './state-store';
import { type KeySecretUpdate, updateKeySecret } from './update-key-secret';

export type {
  AttemptKey,
  AttemptOutcome,
  CallOptions,
  KeyPoolOptions,
  PoolState,
  StreamCallOptions,
} from './pool-options';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * The rotation engine for one provider: holds the keys, picks one per attempt, classifies failures through the
 * adapter, applies the policy table, and retries on another key at once. Build it with `createKeyPool`.
 *
 * The work is split by concern: `lease.ts` selects and reserves, `execute.ts` runs the retry loop and deadlines,
 * `settle.ts` turns an outcome into state through the policy table, `admin.ts` adds, removes, enables and disables
 * keys, `pool-state.ts` snapshots, saves and restores. `pool-core.ts` holds what they share.
 */
export class KeyPool<TClient = unknown> {
  readonly provider: ProviderName;
  readonly adapter: ProviderAdapter<TClient>;
  readonly store: StateStore;
  private readonly core: PoolCore<TClient>;
  private readonly streams: PoolStreamContext;
  private readonly ready: Promise<void>;
  /** Each key's last failures (`historySize`, 0 for none). */
  private readonly history: PoolHistory<TClient> | undefined;
  private isReady = false;
  private unsubscribeStore: (() => void) | undefined;

  constructor(options: KeyPoolOptions<TClient>) {
    const keys = validatePoolOptions(options);
    this.adapter = options.adapter;
    this.provider = options.adapter.provider;
    this.store = options.store ?? new MemoryStateStore();
    this.core = new PoolCore(
      options.adapter,
      this.store,
      this.store instanceof MemoryStateStore ? this.store : undefined,
      typeof options.strategy === 'object' ? options.strategy : createSelector(options.strategy ?? 'health'),
      poolSettingsOf(options),
    );
    const open = (request: ChatRequest, callOptions: EngineStreamOptions) =>
      this.streamOnce(request, callOptions);
    this.streams = poolStreamContext(this.core, options, open, this);
    for (const config of keys) this.core.insertKey(config);
    const historySize = options.historySize ?? DEFAULT_HISTORY_SIZE;
    this.history = historySize > 0 ? new PoolHistory(this.core, historySize) : undefined;
    this.ready = this.start(options.initialState).then(() => {
      this.isReady = true;
    });
  }

  private async start(initialState: PoolState | undefined): Promise<void> {
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
    if (initialState) await restoreState(core, initialState);
    this.history?.restore(initialState);
    await this.history?.pull();
    await refreshState(core);
    if (this.store.subscribe) {
      this.unsubscribeStore = this.store.subscribe((fingerprint, view) =>
        applyRemoteView(core, fingerprint, view),
      );
    }
  }

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

  /**
   * Bring your own HTTP: a lease on a usable key for one call the app makes itself (its own `fetch`, a provider
   * without an SDK). The lease gives the key's id, its secret for this call only and an abort signal with the
   * deadline; settle it once with `lease.succeed(usage?, headers?)` or `lease.fail(errorOrStatus, headers?)` and the
   * engine applies its rules (cooldowns, disable on 401, learned limits, events). Throws `PoolExhaustedError` when no
   * key can serve within the deadline and `maxWaitMs`.
   */
  async acquire(options: AcquireOptions = {}): Promise<KeyLease> {
    if (!this.isReady) await this.ready;
    return acquireLease(this.core, options);
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
   * failure rotates keys; after it a break is continued on another key (`onInterrupt`, default `continue`): by prefill
   * where the model accepts one, else by a restart announced with a `restart` event (clear what you showed). The
   * result's `continued` says how it was produced and its usage counts every billed attempt; a stream that cannot go
   * on within the deadline ends with `StreamInterruptedError` carrying the partial text.
   */
  async *stream(
    request: ChatRequest,
    options: PoolStreamOptions = {},
  ): AsyncGenerator<PoolStreamEvent, void, undefined> {
    this.validate(request);
    yield* continuingPoolStream(this.streams, request, options);
  }

  /**
   * A feature the provider lacks (e.g. a seed on Anthropic) is refused before any key is reserved or any request sent,
   * as an `invalid_request` error naming the feature.
   */
  private validate(request: ChatRequest): void {
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

  private streamOnce(
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

  /** Adds a key at run time. Throws a `ConfigError` for a bad config or a duplicate id. */
  async addKey(config: KeyConfig): Promise<void> {
    await this.ready;
    await addKey(this.core, config);
  }

  /** Removes a key. Calls in flight on it finish; no new call uses it. */
  async removeKey(id: string): Promise<void> {
    await this.ready;
    await removeKey(this.core, id);
  }

  /**
   * Gives a key a new secret, keeping its id, place and settings (a secret rotated in a store). The new secret starts
   * with fresh state; a key disabled by the application stays disabled. `unchanged` when the secret is the same.
   */
  async updateKeySecret(id: string, secret: string): Promise<KeySecretUpdate> {
    await this.ready;
    return updateKeySecret(this.core, id, secret);
  }

  /**
   * Changes a key's settings (found by `config.id`) without losing its state: weight, limits, tags, quota group,
   * enabled, `models` and `priority`. A new secret makes it a new key whose state starts fresh. Returns the names of
   * the fields that changed and emits `key.updated`.
   */
  async updateKey(config: KeyConfig): Promise<string[]> {
    await this.ready;
    return updateKey(this.core, config);
  }

  /**
   * Makes a key the primary: with the `priority` strategy it takes every call while it is usable and gets them back
   * as soon as it recovers. Emits `key.primary`.
   */
  setPrimaryKey(id: string): void {
    setPrimaryKey(this.core, id);
  }

  /** The primary key's id (`setPrimaryKey`), if one is set. */
  primaryKey(): string | undefined {
    return this.core.bindings.primary;
  }

  // ---------------------------------------------------------------- state

  /** Reads every key's state from the store (useful with a shared store before `snapshot()`). */
  async refresh(): Promise<void> {
    await this.history?.pull();
    await refreshState(this.core);
  }

  /**
   * Every key's state now: status, reason, cooldown end, in-flight, window usage, counts, latency, when it was last
   * used, succeeded and failed, its last failures (`history`), and the same per model scope it served. No secrets.
   */
  snapshot(): KeySnapshot[] {
    const keys = snapshotKeys(this.core);
    return this.history ? this.history.addTo(keys) : keys;
  }

  /** The pool's state to save and restore later (`initialState` or `restore`). Keys by id and fingerprint only. */
  toJSON(): PoolState {
    const state = poolStateOf(this.core);
    return this.history ? this.history.addToState(state) : state;
  }

  /**
   * Restores state saved by `toJSON()`. A key is matched by id and fingerprint, so a key whose secret changed starts
   * fresh; keys not in the saved state are left alone.
   */
  async restore(state: PoolState): Promise<void> {
    await restoreState(this.core, state);
    this.history?.restore(state);
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

  [INSPECT](): string {
    const keys = [...this.core.keys.values()];
    const shown = keys.slice(0, 20).map((key) => `${key.id} ${key.masked}`);
    if (keys.length > 20) shown.push('...');
    return `KeyPool(${this.provider}, ${keys.length} keys: ${shown.join(', ')})`;
  }
}

/** Builds a key pool for one provider. Validates the options and throws a `ConfigError` naming each bad field. */
export function createKeyPool<TClient>(options: KeyPoolOptions<TClient>): KeyPool<TClient> {
  return new KeyPool(options);
}
