import { attemptSignal, raceSignal, sleep } from './abort';
import type { AttemptContext, ClientHooks, ProviderAdapter } from './adapter';
import { type CooldownBounds, cooldownDuration, DEFAULT_COOLDOWN, retryDelay } from './backoff';
import type { ErrorCategory, ProviderName } from './categories';
import { type ChatRequest, type ChatResult, type ChatStreamEvent, estimateRequestTokens } from './chat';
import type { ClassifiedError } from './classified-error';
import {
  type CooldownOptions,
  type KeyConfig,
  keyConfigSchema,
  parseKeys,
  poolNumericOptionsSchema,
  STRATEGY_NAMES,
  type StrategyName,
  toConfigIssues,
} from './config';
import { ConfigError, PoolExhaustedError, ProviderError, StreamInterruptedError } from './errors';
import { type KeyRef, type PoolEventName, type PoolEvents, TypedEmitter } from './events';
import type { KeySnapshot } from './key-snapshot';
import { MemoryStateStore } from './memory-store';
import { type PolicyOverrides, type PolicyRow, type PolicyTable, resolvePolicy } from './policy';
import type { RateLimitInfo } from './rate-limit-info';
import { scrubbedError } from './scrubbed-error';
import { fingerprintSecret, maskSecret } from './secret';
import { scrubberFor } from './secret-scrubber';
import { createSelector, type KeySelector, type SelectableKey, type SelectionContext } from './selectors';
import {
  type AttemptRecord,
  initialKeyState,
  type KeyStateView,
  type PersistedKeyState,
  type ReserveResult,
  type StateStore,
  type StoreKey,
  type WindowLengths,
} from './state-store';

/** Options of a key pool. Only `adapter` and `keys` are required. */
export interface KeyPoolOptions<TClient> {
  /** The provider adapter (from a provider package, or your own). */
  adapter: ProviderAdapter<TClient>;
  /** The keys, at least one; ids unique. */
  keys: readonly KeyConfig[];
  /** A built-in strategy name (default `health`) or your own selector. */
  strategy?: StrategyName | KeySelector;
  /** Overrides of the policy table, per category. */
  policy?: PolicyOverrides;
  /** Cooldown bounds (base step, cap, spent-quota cooldown, jitter). */
  cooldown?: CooldownOptions;
  /** Attempts per call, across keys and retries. Default: number of keys + 2, at most 10. */
  maxAttempts?: number;
  /** One attempt's timeout (for streams: until the first chunk). Default: the deadline. */
  attemptTimeoutMs?: number;
  /** A whole call's deadline, every attempt and wait included. Default 60 s. */
  deadlineMs?: number;
  /** When every key is unavailable, wait for the earliest one if it frees within this bound. Default 1 s. */
  maxWaitMs?: number;
  /** The first retry delay for `retry` rows (overloaded, server, network). Default 250 ms. */
  retryBaseMs?: number;
  /** For streams: the longest silence allowed between chunks before the stream counts as interrupted. */
  streamIdleTimeoutMs?: number;
  /** The length of a rate-limit "minute" (rpm, tpm). Default 60,000 ms; tests shorten it. */
  windowMs?: number;
  /** The length of a rate-limit "day" (rpd). Default 86,400,000 ms. */
  dayMs?: number;
  /** Where key state lives. Default: in this process's memory. */
  store?: StateStore;
  /** State saved by `toJSON()` to start from. */
  initialState?: PoolState;
  /** The clock (epoch ms). Default `Date.now`. */
  now?: () => number;
  /** Randomness for jitter and random strategies, in [0, 1). Default `Math.random`. */
  random?: () => number;
}

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Tokens to reserve against tpm limits before the call is sent. */
  estimatedTokens?: number;
  /** Overrides the pool's deadline for this call. */
  deadlineMs?: number;
  /** Overrides the pool's attempt timeout for this call. */
  attemptTimeoutMs?: number;
  /** Overrides the pool's attempt budget for this call. */
  maxAttempts?: number;
  /**
   * Called when each attempt of this call ends, with the key it used and its outcome. Unlike the pool's events it
   * belongs to this call only, so a caller (e.g. a fallback chain) can list its own attempts exactly under concurrency.
   */
  onAttempt?: (attempt: AttemptOutcome) => void;
  /**
   * Keeps calls with the same value (e.g. a conversation id) on the same key while it is usable: prompt caches are
   * per key or organisation. When that key is not usable the call goes to whichever key the strategy picks.
   */
  affinity?: string;
}

/** How one attempt of a call ended (see `CallOptions.onAttempt`). */
export interface AttemptOutcome {
  keyId: string;
  masked: string;
  /** The attempt's number in its call, from 1. */
  attempt: number;
  outcome: 'success' | 'failure';
  /** The failure's category (for a stream stopped early by its consumer: `aborted`). */
  category?: ErrorCategory;
  startedAt: number;
  durationMs: number;
}

/** Options of a streamed call. */
export interface StreamCallOptions<TChunk> extends CallOptions {
  /** The text a chunk carries (kept as the partial text if the stream breaks). */
  textOf?: (chunk: TChunk) => string | undefined;
  /** Tokens used, when a chunk reports them (usually the last). */
  usageOf?: (chunk: TChunk) => number | undefined;
  /** True for a chunk that ends the answer properly. A stream that ends without one is interrupted. */
  isTerminal?: (chunk: TChunk) => boolean;
  /** Longest silence between chunks. Overrides the pool's `streamIdleTimeoutMs`. */
  idleTimeoutMs?: number;
  /** Longest wait for the first chunk. Overrides the attempt timeout. */
  firstChunkTimeoutMs?: number;
}

/** What a native call sees of the key it runs on. */
export interface AttemptKey {
  id: string;
  masked: string;
  /** The attempt's number in this call, from 1. */
  attempt: number;
  /** Aborts on the caller's signal, the attempt timeout or the deadline. */
  signal: AbortSignal;
  /** This attempt's time limit in ms (its timeout or what is left of the deadline, whichever is shorter). */
  timeoutMs: number;
  reportRateLimit(info: RateLimitInfo): void;
  reportUsage(totalTokens: number): void;
}

/** A pool's state for `toJSON()` and restoring: keyed by id and fingerprint, never holding a secret. */
export interface PoolState {
  version: 1;
  provider: ProviderName;
  savedAt: number;
  keys: { id: string; fingerprint: string; state: PersistedKeyState }[];
}

/** What one call keeps across its attempts. */
interface CallState {
  deadline: number;
  maxAttempts: number;
  cost: { requests: number; tokens: number };
  errors: ProviderError[];
  retriesUsed: Partial<Record<ErrorCategory, number>>;
}

interface Lease {
  key: PoolKey;
  probe: boolean;
  reservedTokens: number;
  attempt: number;
  startedAt: number;
  learned: RateLimitInfo | undefined;
  usedTokens: number | undefined;
  onAttempt: ((attempt: AttemptOutcome) => void) | undefined;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');
const PROBE_POLL_MS = 25;

/** One key inside a pool. The secret and the client live in private fields: inspect and JSON never show them. */
class PoolKey implements SelectableKey {
  readonly id: string;
  index: number;
  readonly weight: number;
  readonly masked: string;
  readonly fingerprint: string;
  readonly storeKey: StoreKey;
  readonly tags: readonly string[];
  readonly quotaGroup: string | undefined;
  readonly startsDisabled: boolean;
  view: KeyStateView;
  /** Rate-limit info the key's client reported since its last recorded attempt. */
  pendingLearned: RateLimitInfo | undefined;
  readonly #secret: string;
  #client: unknown;

  constructor(config: KeyConfig, index: number, view: KeyStateView) {
    this.id = config.id;
    this.index = index;
    this.weight = config.weight ?? 1;
    this.#secret = config.secret;
    this.masked = maskSecret(config.secret);
    this.fingerprint = fingerprintSecret(config.secret);
    this.storeKey = { fingerprint: this.fingerprint, limits: config.limits ?? {} };
    this.tags = config.tags ?? [];
    this.quotaGroup = config.quotaGroup;
    this.startsDisabled = config.enabled === false;
    this.view = view;
  }

  secret(): string {
    return this.#secret;
  }

  client<T>(create: (secret: string, hooks: ClientHooks) => T, onLearned: (key: PoolKey) => void): T {
    if (this.#client === undefined) {
      this.#client = create(this.#secret, {
        reportRateLimit: (info) => {
          this.pendingLearned = { ...this.pendingLearned, ...info };
          onLearned(this);
        },
      });
    }
    return this.#client as T;
  }

  ref(): KeyRef {
    return { keyId: this.id, masked: this.masked };
  }

  toJSON(): Record<string, unknown> {
    return { id: this.id, masked: this.masked, fingerprint: this.fingerprint };
  }

  [INSPECT](): string {
    return `PoolKey(${this.id} ${this.masked})`;
  }
}

/**
 * The rotation engine for one provider: holds the keys, picks one per attempt, classifies failures through the
 * adapter, applies the policy table, and retries on another key at once. Build it with `createKeyPool`.
 */
export class KeyPool<TClient = unknown> {
  readonly provider: ProviderName;
  readonly adapter: ProviderAdapter<TClient>;
  readonly store: StateStore;
  private readonly events = new TypedEmitter<PoolEvents>();
  private keys: PoolKey[] = [];
  private readonly byId = new Map<string, PoolKey>();
  private readonly selector: KeySelector;
  private readonly policy: PolicyTable;
  private readonly cooldown: CooldownBounds;
  private readonly windows: WindowLengths;
  private readonly maxAttemptsOption: number | undefined;
  private readonly attemptTimeoutMs: number | undefined;
  private readonly deadlineMs: number;
  private readonly maxWaitMs: number;
  private readonly retryBaseMs: number;
  private readonly streamIdleTimeoutMs: number | undefined;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly memoryStore: MemoryStateStore | undefined;
  private ready: Promise<void>;
  private isReady = false;
  private readonly selection: SelectionContext;
  private unsubscribeStore: (() => void) | undefined;

  constructor(options: KeyPoolOptions<TClient>) {
    if (!options || typeof options !== 'object')
      throw new ConfigError('pool options', [{ path: '', message: 'options must be an object' }]);
    if (!options.adapter)
      throw new ConfigError('pool options', [{ path: 'adapter', message: 'adapter is required' }]);
    const numeric = poolNumericOptionsSchema.safeParse(options);
    if (!numeric.success) throw new ConfigError('pool options', toConfigIssues(numeric.error));
    const keys = parseKeys(options.keys);
    if (
      typeof options.strategy === 'string' &&
      !(STRATEGY_NAMES as readonly string[]).includes(options.strategy)
    ) {
      throw new ConfigError('pool options', [
        {
          path: 'strategy',
          message: `unknown strategy "${options.strategy}" (one of ${STRATEGY_NAMES.join(', ')})`,
        },
      ]);
    }
    this.adapter = options.adapter;
    this.provider = options.adapter.provider;
    this.selector =
      typeof options.strategy === 'object' ? options.strategy : createSelector(options.strategy ?? 'health');
    this.policy = resolvePolicy(options.policy);
    this.cooldown = { ...DEFAULT_COOLDOWN, ...stripUndefined(options.cooldown ?? {}) };
    this.windows = { minuteMs: options.windowMs ?? 60_000, dayMs: options.dayMs ?? 86_400_000 };
    this.maxAttemptsOption = options.maxAttempts;
    this.attemptTimeoutMs = options.attemptTimeoutMs;
    this.deadlineMs = options.deadlineMs ?? 60_000;
    this.maxWaitMs = options.maxWaitMs ?? 1_000;
    this.retryBaseMs = options.retryBaseMs ?? 250;
    this.streamIdleTimeoutMs = options.streamIdleTimeoutMs;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.store = options.store ?? new MemoryStateStore();
    this.memoryStore = this.store instanceof MemoryStateStore ? this.store : undefined;
    this.selection = {
      now: 0,
      random: this.random,
      usable: (key) => isUsable((key as PoolKey).view, this.selection.now),
    };
    for (const config of keys) this.insertKey(config);
    this.ready = this.start(options.initialState).then(() => {
      this.isReady = true;
    });
  }

  private async start(initialState: PoolState | undefined): Promise<void> {
    await this.store.register(
      this.keys.map((key) => key.storeKey),
      this.windows,
    );
    const now = this.now();
    for (const key of this.keys) {
      if (key.startsDisabled)
        key.view = await this.store.setStatus(
          key.storeKey,
          { enabled: false, reason: 'disabled in the configuration' },
          now,
        );
    }
    if (initialState) await this.restore(initialState);
    await this.refresh();
    if (this.store.subscribe) {
      this.unsubscribeStore = this.store.subscribe((fingerprint, view) => {
        for (const key of this.keys) if (key.fingerprint === fingerprint) key.view = view;
      });
    }
  }

  private insertKey(config: KeyConfig): PoolKey {
    const key = new PoolKey(config, this.keys.length, initialKeyState());
    this.keys = [...this.keys, key];
    this.byId.set(key.id, key);
    return key;
  }

  // ---------------------------------------------------------------- events

  /** Listens to one event (`key.selected`, `key.cooldown`, `key.disabled`, ...). Returns the unsubscribe function. */
  on<K extends PoolEventName>(name: K, listener: (event: PoolEvents[K]) => void): () => void {
    return this.events.on(name, listener);
  }

  /** Listens to every event; each arrives with its name as `type`. Returns the unsubscribe function. */
  onAny(listener: Parameters<TypedEmitter<PoolEvents>['onAny']>[0]): () => void {
    return this.events.onAny(listener);
  }

  private emit<K extends PoolEventName>(name: K, event: PoolEvents[K]): void {
    if (this.events.hasListeners(name)) this.events.emit(name, event);
  }

  // ---------------------------------------------------------------- calls

  /**
   * Runs `operation` with rotation: each attempt gets the client of the key the engine picked, and a failure is
   * classified, applied to that key, and retried on another key as the policy says. The one retry owner.
   */
  async execute<T>(
    operation: (client: TClient, key: AttemptKey) => Promise<T>,
    options: CallOptions = {},
  ): Promise<T> {
    if (!this.isReady) await this.ready;
    const call = this.beginCall(options);
    const { deadline, errors, retriesUsed } = call;
    for (let attempt = 1; ; attempt++) {
      const next = this.nextLease(call, options, attempt);
      const lease = next instanceof Promise ? await next : next;
      const timeout = Math.min(
        options.attemptTimeoutMs ?? this.attemptTimeoutMs ?? Infinity,
        deadline - this.now(),
      );
      const guard = attemptSignal(options.signal, timeout);
      try {
        const client = this.clientOf(lease.key);
        const result = await raceSignal(
          operation(client, this.attemptKey(lease, guard.signal, timeout)),
          guard.signal,
        );
        guard.dispose();
        this.settleSuccess(lease);
        return result;
      } catch (raw) {
        guard.dispose();
        const { error, row } = this.settleFailure(lease, raw, guard.timedOut(), options.signal);
        errors.push(error);
        await this.afterFailure(error, row, retriesUsed, deadline, options.signal, lease);
      }
    }
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
    const call = this.beginCall(options);
    const { deadline, errors, retriesUsed } = call;
    const idleTimeoutMs = options.idleTimeoutMs ?? this.streamIdleTimeoutMs ?? Infinity;
    for (let attempt = 1; ; attempt++) {
      const next = this.nextLease(call, options, attempt);
      const lease = next instanceof Promise ? await next : next;
      const firstChunkTimeout = Math.min(
        options.firstChunkTimeoutMs ?? options.attemptTimeoutMs ?? this.attemptTimeoutMs ?? Infinity,
        deadline - this.now(),
      );
      const guard = attemptSignal(options.signal, firstChunkTimeout);
      let iterator: AsyncIterator<TChunk> | undefined;
      let first: IteratorResult<TChunk>;
      try {
        const client = this.clientOf(lease.key);
        const iterable = await raceSignal(
          Promise.resolve(open(client, this.attemptKey(lease, guard.signal, firstChunkTimeout))),
          guard.signal,
        );
        iterator = iterable[Symbol.asyncIterator]();
        first = await raceSignal(iterator.next(), guard.signal);
        if (first.done) throw new EmptyStreamError();
      } catch (raw) {
        guard.dispose();
        void iterator?.return?.().catch(() => undefined);
        const { error, row } = this.settleFailure(lease, raw, guard.timedOut(), options.signal);
        errors.push(error);
        await this.afterFailure(error, row, retriesUsed, deadline, options.signal, lease);
        continue;
      }

      // The first chunk is here: from now on there is no failover, only success or a typed interruption.
      let partial = '';
      let sawTerminal = false;
      let finished = false;
      let current: IteratorResult<TChunk> = first;
      try {
        while (!current.done) {
          const chunk = current.value;
          partial += options.textOf?.(chunk) ?? '';
          const used = options.usageOf?.(chunk);
          if (used !== undefined) lease.usedTokens = used;
          if (options.isTerminal?.(chunk)) sawTerminal = true;
          guard.restartTimer(Math.min(idleTimeoutMs, deadline - this.now()));
          yield chunk;
          current = await raceSignal(iterator.next(), guard.signal);
        }
        if (options.isTerminal && !sawTerminal) throw new MissingTerminatorError();
        finished = true;
        guard.dispose();
        this.settleSuccess(lease);
      } catch (raw) {
        guard.dispose();
        void iterator.return?.().catch(() => undefined);
        finished = true;
        const { error } = this.settleFailure(lease, raw, guard.timedOut(), options.signal);
        if (error.category === 'aborted') throw error;
        throw new StreamInterruptedError(
          {
            category: error.category,
            message: `stream interrupted after ${partial.length} characters: ${error.message}`,
            provider: this.provider,
            keyId: lease.key.id,
            status: error.status,
            requestId: error.requestId,
          },
          partial,
          { cause: error },
        );
      } finally {
        if (!finished) {
          // The consumer stopped early: cancel the upstream request and release the key without blame.
          guard.abort(new DOMException('The stream consumer stopped.', 'AbortError'));
          guard.dispose();
          void iterator.return?.().catch(() => undefined);
          this.record(lease, { outcome: 'failure', category: 'aborted' });
        }
      }
      return;
    }
  }

  /** The unified chat call (the fallback chain's entry point). */
  async chat(request: ChatRequest, options: Omit<CallOptions, 'signal'> = {}): Promise<ChatResult> {
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
        ...options,
        signal: request.signal,
        estimatedTokens: options.estimatedTokens ?? this.estimate(request),
      },
    );
  }

  /** The unified streaming call: text deltas, then one `done` event with the whole result. */
  stream(
    request: ChatRequest,
    options: Omit<StreamCallOptions<ChatStreamEvent>, 'signal' | 'textOf' | 'usageOf' | 'isTerminal'> = {},
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
              };
              yield { type: 'done', result };
            }
          }
        })(),
      {
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

  private defaultMaxAttempts(): number {
    return this.maxAttemptsOption ?? Math.min(this.keys.length + 2, 10);
  }

  private clientOf(key: PoolKey): TClient {
    return key.client(
      (secret, hooks) => this.adapter.createClient(secret, hooks),
      (learnedKey) => {
        const info = learnedKey.pendingLearned;
        this.emit('limits.learned', {
          ...learnedKey.ref(),
          provider: this.provider,
          requestsRemaining: info?.requests?.remaining,
          tokensRemaining: info?.tokens?.remaining,
        });
      },
    );
  }

  private attemptKey(lease: Lease, signal: AbortSignal, timeoutMs: number): AttemptKey {
    return {
      id: lease.key.id,
      masked: lease.key.masked,
      attempt: lease.attempt,
      signal,
      timeoutMs,
      reportRateLimit: (info) => {
        lease.learned = { ...lease.learned, ...info };
        this.emit('limits.learned', {
          ...lease.key.ref(),
          provider: this.provider,
          requestsRemaining: info.requests?.remaining,
          tokensRemaining: info.tokens?.remaining,
        });
      },
      reportUsage: (totalTokens) => {
        lease.usedTokens = totalTokens;
      },
    };
  }

  // ---------------------------------------------------------------- selection and reservation

  private beginCall(options: CallOptions): CallState {
    return {
      deadline: this.now() + (options.deadlineMs ?? this.deadlineMs),
      maxAttempts: options.maxAttempts ?? this.defaultMaxAttempts(),
      cost: { requests: 1, tokens: options.estimatedTokens ?? 0 },
      errors: [],
      retriesUsed: {},
    };
  }

  /**
   * The lease for a call's next attempt: synchronous when the in-memory store has a key free now (no await on the hot
   * path), else a promise that waits for a key or throws `PoolExhaustedError`.
   */
  private nextLease(call: CallState, options: CallOptions, attempt: number): Lease | Promise<Lease> {
    this.throwIfAborted(options.signal, call.errors);
    if (attempt > call.maxAttempts) throw this.exhausted('attempts_exhausted', call.errors);
    const ready = this.acquireNow(call.cost, attempt, options.affinity);
    if (ready) {
      ready.onAttempt = options.onAttempt;
      return ready;
    }
    return this.acquire(
      call.cost,
      call.deadline,
      options.signal,
      call.errors,
      attempt,
      options.affinity,
    ).then((lease) => {
      lease.onAttempt = options.onAttempt;
      return lease;
    });
  }

  /** The synchronous fast path for the in-memory store: a lease now, or undefined (then `acquire` waits or throws). */
  private acquireNow(
    cost: { requests: number; tokens: number },
    attempt: number,
    affinity: string | undefined,
  ): Lease | undefined {
    const store = this.memoryStore;
    if (!store) return undefined;
    for (let tries = 0; tries <= this.keys.length; tries++) {
      const now = this.now();
      const key = this.pick(now, tries === 0 ? affinity : undefined);
      if (!key || !isUsable(key.view, now)) return undefined;
      const reserved = store.reserveNow(key.storeKey, cost, now);
      key.view = reserved.view;
      if (reserved.ok) return this.lease(key, reserved.probe, cost, attempt, now);
    }
    return undefined;
  }

  /** The key for the next reservation: the affinity's key when it is usable, else the strategy's choice. */
  private pick(now: number, affinity: string | undefined): PoolKey | undefined {
    this.selection.now = now;
    if (affinity !== undefined && this.keys.length > 0) {
      const preferred = this.keys[fnv1a(affinity) % this.keys.length]!;
      if (isUsable(preferred.view, now)) return preferred;
    }
    return this.selector.select(this.keys, this.selection) as PoolKey | undefined;
  }

  private lease(key: PoolKey, probe: boolean, cost: { tokens: number }, attempt: number, now: number): Lease {
    if (this.events.hasListeners('key.selected')) {
      this.events.emit('key.selected', { ...key.ref(), provider: this.provider, attempt, probe });
    }
    return {
      key,
      probe,
      reservedTokens: cost.tokens,
      attempt,
      startedAt: now,
      learned: undefined,
      usedTokens: undefined,
      onAttempt: undefined,
    };
  }

  private async acquire(
    cost: { requests: number; tokens: number },
    deadline: number,
    signal: AbortSignal | undefined,
    errors: ProviderError[],
    attempt: number,
    affinity: string | undefined,
  ): Promise<Lease> {
    // A lost reservation race (another process took the capacity) makes that key unusable in our view, so one pass
    // over the keys is enough; then wait for the earliest key like any other shortage, and start a fresh pass.
    let tries = 0;
    for (;;) {
      const now = this.now();
      const key = tries <= this.keys.length ? this.pick(now, tries === 0 ? affinity : undefined) : undefined;
      if (key && isUsable(key.view, now)) {
        tries++;
        const reserved = await this.reserve(key, cost, now);
        key.view = reserved.view;
        if (!reserved.ok) continue;
        return this.lease(key, reserved.probe, cost, attempt, now);
      }
      const freeAt = Math.max(this.earliestAvailable(now), now);
      const waitMs = freeAt - now;
      if (Number.isFinite(freeAt) && waitMs <= this.maxWaitMs && freeAt < deadline) {
        this.emit('request.wait', { provider: this.provider, waitMs });
        try {
          await sleep(Math.max(waitMs, 1), signal);
        } catch {
          this.throwIfAborted(signal, errors);
        }
        tries = 0;
        continue;
      }
      throw this.exhausted(
        freeAt >= deadline && Number.isFinite(freeAt) ? 'deadline' : 'no_usable_key',
        errors,
        freeAt,
      );
    }
  }

  private reserve(
    key: PoolKey,
    cost: { requests: number; tokens: number },
    now: number,
  ): Promise<ReserveResult> | ReserveResult {
    if (this.memoryStore) return this.memoryStore.reserveNow(key.storeKey, cost, now);
    return this.store.reserve(key.storeKey, cost, now).catch((error: unknown) => {
      this.emit('store.error', { provider: this.provider, operation: 'reserve', message: messageOf(error) });
      throw error;
    });
  }

  private earliestAvailable(now: number): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (const key of this.keys) {
      const at = availableAt(key.view, now);
      if (at < earliest) earliest = at;
    }
    return earliest;
  }

  // ---------------------------------------------------------------- outcomes

  private settleSuccess(lease: Lease): void {
    const now = this.now();
    const result = this.record(lease, { outcome: 'success' });
    if (result?.recovered) this.emit('key.recovered', { ...lease.key.ref(), provider: this.provider });
    this.emit('request.success', {
      ...lease.key.ref(),
      provider: this.provider,
      attempts: lease.attempt,
      latencyMs: now - lease.startedAt,
    });
  }

  private settleFailure(
    lease: Lease,
    raw: unknown,
    timedOut: boolean,
    callerSignal: AbortSignal | undefined,
  ): { error: ProviderError; row: PolicyRow } {
    const classified = this.classify(raw, timedOut, callerSignal);
    if (classified.rateLimit) lease.learned = { ...lease.learned, ...classified.rateLimit };
    const error = new ProviderError(
      {
        ...classified,
        message: scrubberFor(
          this.keys.map((key) => key.secret()),
          lease.key.secret(),
        )(classified.message),
        provider: this.provider,
        keyId: lease.key.id,
      },
      {
        cause: scrubbedError(
          raw,
          scrubberFor(
            this.keys.map((key) => key.secret()),
            lease.key.secret(),
          ),
        ),
      },
    );
    const row = this.policy[classified.category];
    const now = this.now();
    let cooldownUntil: number | undefined;
    let disable = false;
    const reason = error.message.slice(0, 300);
    if (row.key === 'cooldown') {
      const duration = cooldownDuration(
        lease.key.view.consecutiveFailures + 1,
        classified.retryAfterMs ?? (classified.resetAt ? classified.resetAt - now : undefined),
        this.cooldown,
        this.random,
      );
      cooldownUntil = now + duration;
    } else if (row.key === 'quota') {
      const hint = classified.resetAt ? classified.resetAt - now : classified.retryAfterMs;
      cooldownUntil = now + (hint !== undefined && hint > 0 ? hint : this.cooldown.quotaMs);
    } else if (row.key === 'disable') {
      disable = true;
    }
    const group =
      cooldownUntil !== undefined && lease.key.quotaGroup !== undefined
        ? this.keys.filter((key) => key.quotaGroup === lease.key.quotaGroup).map((key) => key.storeKey)
        : undefined;
    this.record(lease, {
      outcome: 'failure',
      category: classified.category,
      ...(cooldownUntil !== undefined ? { cooldownUntil } : {}),
      disable,
      reason,
      group,
    });
    this.emit('request.failure', {
      ...lease.key.ref(),
      provider: this.provider,
      attempt: lease.attempt,
      category: classified.category,
      ...(classified.status !== undefined ? { status: classified.status } : {}),
      message: error.message,
    });
    if (cooldownUntil !== undefined) {
      this.emit('key.cooldown', {
        ...lease.key.ref(),
        provider: this.provider,
        category: classified.category,
        until: cooldownUntil,
        durationMs: cooldownUntil - now,
        reason,
      });
      for (const member of this.keys) {
        if (
          member === lease.key ||
          member.quotaGroup === undefined ||
          member.quotaGroup !== lease.key.quotaGroup
        )
          continue;
        this.emit('key.cooldown', {
          ...member.ref(),
          provider: this.provider,
          category: classified.category,
          until: cooldownUntil,
          durationMs: cooldownUntil - now,
          reason: `quota group ${member.quotaGroup}: ${reason}`,
        });
      }
    }
    if (disable)
      this.emit('key.disabled', {
        ...lease.key.ref(),
        provider: this.provider,
        category: classified.category,
        reason,
      });
    return { error, row };
  }

  private record(
    lease: Lease,
    outcome: {
      outcome: 'success' | 'failure';
      category?: ErrorCategory;
      cooldownUntil?: number;
      disable?: boolean;
      reason?: string;
      group?: StoreKey[] | undefined;
    },
  ): { recovered: boolean } | undefined {
    const now = this.now();
    if (lease.onAttempt) {
      const ended: AttemptOutcome = {
        keyId: lease.key.id,
        masked: lease.key.masked,
        attempt: lease.attempt,
        outcome: outcome.outcome,
        startedAt: lease.startedAt,
        durationMs: now - lease.startedAt,
      };
      if (outcome.category) ended.category = outcome.category;
      try {
        lease.onAttempt(ended);
      } catch {
        // A caller's hook must not break the call.
      }
    }
    const learned =
      lease.key.pendingLearned || lease.learned
        ? { ...lease.key.pendingLearned, ...lease.learned }
        : undefined;
    lease.key.pendingLearned = undefined;
    const attempt: AttemptRecord = {
      now,
      outcome: outcome.outcome,
      reservedTokens: lease.reservedTokens,
      latencyMs: now - lease.startedAt,
      probe: lease.probe,
    };
    if (lease.usedTokens !== undefined) attempt.actualTokens = lease.usedTokens;
    if (outcome.category) attempt.category = outcome.category;
    if (outcome.cooldownUntil !== undefined) attempt.cooldownUntil = outcome.cooldownUntil;
    if (outcome.disable) attempt.disable = true;
    if (outcome.reason) attempt.reason = outcome.reason;
    if (learned) attempt.learned = learned;
    if (outcome.group) attempt.group = outcome.group;
    if (this.memoryStore) {
      const result = this.memoryStore.recordNow(lease.key.storeKey, attempt);
      lease.key.view = result.view;
      return result;
    }
    // A networked store: apply locally at once (so this process never reuses a key it just cooled) and write through.
    const local = lease.key.view;
    local.inFlight = Math.max(0, local.inFlight - 1);
    if (attempt.cooldownUntil !== undefined && attempt.cooldownUntil > local.cooldownUntil)
      local.cooldownUntil = attempt.cooldownUntil;
    if (attempt.disable) local.status = 'disabled';
    this.store.record(lease.key.storeKey, attempt).then(
      (result) => {
        lease.key.view = result.view;
        if (result.recovered) this.emit('key.recovered', { ...lease.key.ref(), provider: this.provider });
      },
      (error: unknown) =>
        this.emit('store.error', { provider: this.provider, operation: 'record', message: messageOf(error) }),
    );
    return undefined;
  }

  private classify(raw: unknown, timedOut: boolean, callerSignal: AbortSignal | undefined): ClassifiedError {
    if (callerSignal?.aborted) return { category: 'aborted', message: 'the caller aborted the call' };
    if (timedOut) return { category: 'timeout', message: 'the attempt timed out' };
    if (raw instanceof EmptyStreamError) return { category: 'server', message: raw.message };
    if (raw instanceof MissingTerminatorError)
      return { category: 'stream_interrupted', message: raw.message };
    if (ProviderError.isInstance(raw)) return classifiedFrom(raw);
    try {
      return this.adapter.classifyError(raw);
    } catch {
      return { category: 'server', message: 'the adapter could not classify the error' };
    }
  }

  private async afterFailure(
    error: ProviderError,
    row: PolicyRow,
    retriesUsed: Partial<Record<ErrorCategory, number>>,
    deadline: number,
    signal: AbortSignal | undefined,
    lease: Lease,
  ): Promise<void> {
    if (error.category === 'aborted') throw error;
    if (row.request === 'fail') throw error;
    if (row.request === 'next_key') return;
    const used = (retriesUsed[error.category] ?? 0) + 1;
    retriesUsed[error.category] = used;
    if (used > (row.retries ?? 1)) throw error;
    const delayMs = Math.max(
      retryDelay(used, this.retryBaseMs, 5_000, this.random),
      error.retryAfterMs !== undefined ? Math.min(error.retryAfterMs, this.cooldown.maxMs) : 0,
    );
    if (this.now() + delayMs >= deadline) throw error;
    this.emit('request.retry', {
      provider: this.provider,
      attempt: lease.attempt,
      category: error.category,
      delayMs,
      fromKeyId: lease.key.id,
    });
    try {
      await sleep(delayMs, signal);
    } catch {
      this.throwIfAborted(signal, [error]);
    }
  }

  private throwIfAborted(signal: AbortSignal | undefined, errors: ProviderError[]): void {
    if (!signal?.aborted) return;
    const error = new ProviderError({
      category: 'aborted',
      message: 'the caller aborted the call',
      provider: this.provider,
    });
    errors.push(error);
    throw error;
  }

  private exhausted(
    reason: PoolExhaustedError['reason'],
    errors: ProviderError[],
    freeAt?: number,
  ): PoolExhaustedError {
    const now = this.now();
    const earliest = freeAt ?? this.earliestAvailable(now);
    const retryAfterMs = Number.isFinite(earliest) ? Math.max(0, Math.ceil(earliest - now)) : undefined;
    this.emit('pool.exhausted', { provider: this.provider, retryAfterMs, reason });
    return new PoolExhaustedError({
      provider: this.provider,
      retryAfterMs,
      keys: this.snapshot(),
      errors,
      reason,
    });
  }

  // ---------------------------------------------------------------- administration

  /** The key ids, in pool order. */
  keyIds(): string[] {
    return this.keys.map((key) => key.id);
  }

  /** Re-enables a disabled key (and clears its cooldown and failure count). */
  async enableKey(id: string): Promise<void> {
    const key = this.requireKey(id);
    await this.ready;
    key.view = await this.store.setStatus(key.storeKey, { enabled: true, reset: true }, this.now());
    this.emit('key.enabled', { ...key.ref(), provider: this.provider });
  }

  /** Disables a key until `enableKey`. */
  async disableKey(id: string, reason = 'disabled by the application'): Promise<void> {
    const key = this.requireKey(id);
    await this.ready;
    const scrubbed = scrubberFor(
      this.keys.map((other) => other.secret()),
      key.secret(),
    )(reason);
    key.view = await this.store.setStatus(key.storeKey, { enabled: false, reason: scrubbed }, this.now());
    this.emit('key.disabled', {
      ...key.ref(),
      provider: this.provider,
      category: 'manual',
      reason: scrubbed,
    });
  }

  /** Adds a key at run time. Throws a `ConfigError` for a bad config or a duplicate id. */
  async addKey(config: KeyConfig): Promise<void> {
    const parsed = keyConfigSchema.safeParse(config);
    if (!parsed.success) throw new ConfigError('key', toConfigIssues(parsed.error, 'key'));
    if (this.byId.has(parsed.data.id)) {
      throw new ConfigError('key', [{ path: 'key.id', message: `duplicate key id "${parsed.data.id}"` }]);
    }
    await this.ready;
    const key = this.insertKey(parsed.data);
    await this.store.register([key.storeKey], this.windows);
    const [view] = await this.store.read([key.storeKey], this.now());
    if (view) key.view = view;
    if (parsed.data.enabled === false)
      key.view = await this.store.setStatus(key.storeKey, { enabled: false }, this.now());
    this.emit('key.added', { ...key.ref(), provider: this.provider });
  }

  /** Removes a key. Calls in flight on it finish; no new call uses it. */
  async removeKey(id: string): Promise<void> {
    const key = this.requireKey(id);
    if (this.keys.length === 1) {
      throw new ConfigError('key', [
        { path: 'id', message: `cannot remove "${id}": a pool keeps at least one key` },
      ]);
    }
    await this.ready;
    this.keys = this.keys.filter((other) => other !== key);
    this.keys.forEach((other, index) => {
      other.index = index;
    });
    this.byId.delete(id);
    await this.store.remove(key.storeKey);
    this.emit('key.removed', { ...key.ref(), provider: this.provider });
  }

  private requireKey(id: string): PoolKey {
    const key = this.byId.get(id);
    if (!key)
      throw new ConfigError('key', [
        { path: 'id', message: `no key with id "${id}" (have: ${this.keyIds().join(', ')})` },
      ]);
    return key;
  }

  // ---------------------------------------------------------------- state

  /** Reads every key's state from the store (useful with a shared store before `snapshot()`). */
  async refresh(): Promise<void> {
    const views = await this.store.read(
      this.keys.map((key) => key.storeKey),
      this.now(),
    );
    views.forEach((view, index) => {
      const key = this.keys[index];
      if (key) key.view = view;
    });
  }

  /** Every key's state now: status, reason, cooldown end, in-flight, window usage, counts, latency. No secrets. */
  snapshot(): KeySnapshot[] {
    const now = this.now();
    return this.keys.map((key) => {
      const view = key.view;
      const snapshot: KeySnapshot = {
        id: key.id,
        masked: key.masked,
        fingerprint: key.fingerprint,
        status: statusOf(view, now),
        inFlight: view.inFlight,
        weight: key.weight,
        limits: key.storeKey.limits,
        tags: key.tags,
        usage: { ...view.usage },
        counts: { requests: view.requests, successes: view.successes, failures: { ...view.failures } },
        consecutiveFailures: view.consecutiveFailures,
      };
      if (view.reason) snapshot.reason = view.reason;
      if (view.category) snapshot.category = view.category;
      if (view.cooldownUntil > now) {
        snapshot.cooldownUntil = view.cooldownUntil;
        snapshot.cooldownRemainingMs = view.cooldownUntil - now;
      }
      if (view.blockedUntil > now) snapshot.blockedUntil = view.blockedUntil;
      if (key.quotaGroup) snapshot.quotaGroup = key.quotaGroup;
      if (view.latencyEwmaMs !== undefined)
        snapshot.latencyEwmaMs = Math.round(view.latencyEwmaMs * 100) / 100;
      if (view.learned) snapshot.learned = view.learned;
      return snapshot;
    });
  }

  /** The pool's state to save and restore later (`initialState` or `restore`). Keys by id and fingerprint only. */
  toJSON(): PoolState {
    return {
      version: 1,
      provider: this.provider,
      savedAt: this.now(),
      keys: this.keys.map((key) => ({
        id: key.id,
        fingerprint: key.fingerprint,
        state: {
          status: key.view.status,
          cooldownUntil: key.view.cooldownUntil,
          ...(key.view.reason ? { reason: key.view.reason } : {}),
          ...(key.view.category ? { category: key.view.category } : {}),
          consecutiveFailures: key.view.consecutiveFailures,
          requests: key.view.requests,
          successes: key.view.successes,
          failures: { ...key.view.failures },
          ...(key.view.latencyEwmaMs !== undefined ? { latencyEwmaMs: key.view.latencyEwmaMs } : {}),
        },
      })),
    };
  }

  /**
   * Restores state saved by `toJSON()`. A key is matched by id and fingerprint, so a key whose secret changed starts
   * fresh; keys not in the saved state are left alone.
   */
  async restore(state: PoolState): Promise<void> {
    if (state?.version !== 1 || !Array.isArray(state.keys)) {
      throw new ConfigError('pool state', [
        { path: 'version', message: 'expected a state saved by toJSON() (version 1)' },
      ]);
    }
    const matched = new Map<string, PersistedKeyState>();
    for (const saved of state.keys) {
      const key = this.byId.get(saved.id);
      if (key && key.fingerprint === saved.fingerprint) matched.set(key.fingerprint, saved.state);
    }
    await this.store.restore(matched, this.now());
    await this.refresh();
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
    return `KeyPool(${this.provider}, ${this.keys.length} keys: ${this.keys.map((key) => `${key.id} ${key.masked}`).join(', ')})`;
  }
}

/** Builds a key pool for one provider. Validates the options and throws a `ConfigError` naming each bad field. */
export function createKeyPool<TClient>(options: KeyPoolOptions<TClient>): KeyPool<TClient> {
  return new KeyPool(options);
}

class EmptyStreamError extends Error {
  constructor() {
    super('the stream ended before its first chunk');
  }
}

class MissingTerminatorError extends Error {
  constructor() {
    super('the stream ended without its terminator');
  }
}

/** A ProviderError thrown by an adapter keeps every hint it carries. */
function classifiedFrom(error: ProviderError): ClassifiedError {
  const classified: ClassifiedError = { category: error.category, message: error.message };
  if (error.status !== undefined) classified.status = error.status;
  if (error.providerCode !== undefined) classified.code = error.providerCode;
  if (error.retryAfterMs !== undefined) classified.retryAfterMs = error.retryAfterMs;
  if (error.resetAt !== undefined) classified.resetAt = error.resetAt;
  if (error.quotaScope !== undefined) classified.quotaScope = error.quotaScope;
  if (error.requestId !== undefined) classified.requestId = error.requestId;
  if (error.modelNotFound) classified.modelNotFound = true;
  if (error.filterReason !== undefined) classified.filterReason = error.filterReason;
  return classified;
}

/** FNV-1a, 32 bits: a cheap, stable spread of affinity values over the keys. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function isUsable(view: KeyStateView, now: number): boolean {
  return (
    view.status === 'active' &&
    view.cooldownUntil <= now &&
    view.blockedUntil <= now &&
    !(view.halfOpen && view.probeInFlight)
  );
}

function availableAt(view: KeyStateView, now: number): number {
  if (view.status === 'disabled') return Number.POSITIVE_INFINITY;
  let at = Math.max(now, view.cooldownUntil, view.blockedUntil);
  if (view.halfOpen && view.probeInFlight) at = Math.max(at, now + PROBE_POLL_MS);
  return at;
}

function statusOf(view: KeyStateView, now: number): KeySnapshot['status'] {
  if (view.status === 'disabled') return 'disabled';
  if (view.cooldownUntil > now) return 'cooling';
  if (view.halfOpen || view.cooldownUntil !== 0) return 'half_open';
  if (view.blockedUntil > now) return 'limited';
  return 'active';
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
