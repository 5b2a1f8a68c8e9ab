import { type AdaptiveLimiter, adaptiveLimiter } from './adaptive-limit';
import { addKey, removeKey, setPrimaryKey, updateKey } from './admin';
import { apiKeyAsKeys, type WithApiKey } from './api-key-option';
import type { ChatRequest } from './chat';
import type { KeyConfig, StrategyName } from './config';
import { DEFAULT_HISTORY_SIZE } from './key-history';
import { type AcquireOptions, acquireLease, type KeyLease } from './key-lease';
import type { KeySnapshot } from './key-snapshot';
import { PoolEngine, type PoolEngineOptions } from './pool-engine';
import { PoolHistory } from './pool-history';
import type { KeyPoolOptions, PoolState } from './pool-options';
import { validatePoolOptions } from './pool-settings';
import { poolStateOf, restoreState } from './pool-state';
import {
  continuingPoolStream,
  type EngineStreamOptions,
  type PoolStreamContext,
  type PoolStreamEvent,
  type PoolStreamOptions,
  poolStreamContext,
} from './pool-stream';
import { createSelector, type KeySelector } from './selectors';
import { type KeySecretUpdate, updateKeySecret } from './update-key-secret';

export type {
  AttemptKey,
  AttemptOutcome,
  CallOptions,
  KeyPoolOptions,
  PoolState,
  StreamCallOptions,
} from './pool-options';

/**
 * The rotation engine for one provider, with everything: the lean `PoolEngine` (rotation, limits, cooldowns, failover,
 * streams with failover until the first chunk) plus run-time key administration (`addKey`, `removeKey`, `updateKey`,
 * `updateKeySecret`, `setPrimaryKey`), leases for your own HTTP (`acquire`), saved state (`toJSON`, `restore`,
 * `initialState`), each key's failure history, and streams that survive a break (`stream`). Build it with
 * `createKeyPool`; edge apps that need only the engine import `createPoolEngine` from `@keypool/core/engine`.
 */
export class KeyPool<TClient = unknown> extends PoolEngine<TClient> {
  private readonly streams: PoolStreamContext;
  /** Each key's last failures (`historySize`, 0 for none). */
  private readonly history: PoolHistory<TClient> | undefined;
  private readonly initialState: PoolState | undefined;

  /** @param input The options; one key may be given as `apiKey` instead of `keys` (see {@link WithApiKey}). */
  constructor(input: WithApiKey<KeyPoolOptions<TClient>>) {
    const options = apiKeyAsKeys(input);
    // A strategy given by any name is resolved by `selectorNamed` below.
    super(options as PoolEngineOptions<TClient>);
    const open = (request: ChatRequest, callOptions: EngineStreamOptions) =>
      this.streamOnce(request, callOptions);
    this.streams = poolStreamContext(this.core, options, open, this);
    const historySize = options.historySize ?? DEFAULT_HISTORY_SIZE;
    this.history = historySize > 0 ? new PoolHistory(this.core, historySize) : undefined;
    this.initialState = options.initialState;
  }

  protected override checkOptions(options: KeyPoolOptions<TClient>): KeyConfig[] {
    return validatePoolOptions(options);
  }

  protected override selectorNamed(strategy: StrategyName): KeySelector {
    return createSelector(strategy);
  }

  /** `adaptiveLimits` is a flag here (default true): the built-in plug-in unless it is `false`. */
  protected override adaptiveLimiter(
    option: AdaptiveLimiter | boolean | undefined,
  ): AdaptiveLimiter | undefined {
    return option === false ? undefined : adaptiveLimiter();
  }

  protected override async afterRegister(): Promise<void> {
    if (this.initialState) await restoreState(this.core, this.initialState);
    this.history?.restore(this.initialState);
    await this.history?.pull();
  }

  protected override get kind(): string {
    return 'KeyPool';
  }

  // ---------------------------------------------------------------- calls

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

  /**
   * The unified streaming call: text deltas, then one `done` event with the whole result. Before the first chunk a
   * failure rotates keys; after it a break is continued on another key (`onInterrupt`, default `continue`): by prefill
   * where the model accepts one, else by a restart announced with a `restart` event (clear what you showed). The
   * result's `continued` says how it was produced and its usage counts every billed attempt; a stream that cannot go
   * on within the deadline ends with `StreamInterruptedError` carrying the partial text.
   */
  override async *stream(
    request: ChatRequest,
    options: PoolStreamOptions = {},
  ): AsyncGenerator<PoolStreamEvent, void, undefined> {
    this.validate(request);
    yield* continuingPoolStream(this.streams, request, options);
  }

  // ---------------------------------------------------------------- administration

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

  /** Reads every key's state (and shared failure history) from the store. */
  override async refresh(): Promise<void> {
    await this.history?.pull();
    await super.refresh();
  }

  /**
   * Every key's state now: status, reason, cooldown end, in-flight, window usage, counts, latency, when it was last
   * used, succeeded and failed, its last failures (`history`), and the same per model scope it served. No secrets.
   */
  override snapshot(): KeySnapshot[] {
    const keys = super.snapshot();
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
}

/** Builds a key pool for one provider. Validates the options and throws a `ConfigError` naming each bad field. */
export function createKeyPool<TClient>(options: WithApiKey<KeyPoolOptions<TClient>>): KeyPool<TClient> {
  return new KeyPool(options);
}
