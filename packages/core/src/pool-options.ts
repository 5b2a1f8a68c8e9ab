import type { ProviderAdapter } from './adapter';
import type { ErrorCategory, ProviderName } from './categories';
import type { CooldownOptions, KeyConfig, RetryBackoffOptions, StrategyName } from './config';
import type { FailureRecord } from './failure-history';
import type { NativeInterruptMode } from './native-stream-restart';
import type { PolicyOverrides } from './policy';
import type { PoolContinuationOptions } from './pool-stream';
import type { RateLimitInfo } from './rate-limit-info';
import type { KeySelector } from './selectors';
import type { PersistedKeyState, StateStore } from './state-store';
import type { InterruptMode } from './stream-continuation';

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
  /**
   * Waiting in place: when no key can take the call now but one is known to be free within this bound (a
   * retry-after, a cooldown's end, a full window's next slot) and before the deadline, the call waits for it instead of
   * failing. Default 3 s. A fallback chain relies on it too: a short known wait beats serving from the fallback.
   */
  maxWaitMs?: number;
  /**
   * Longest wait for a stream's first chunk. A route silent that long is not retried on this pool: the call fails
   * with `timeout` so a chain moves on. A unified `chat` (no first byte before its answer is whole) is held to it too
   * when no `attemptTimeoutMs` is set: set one for longer non-stream answers. Also, an attempt that failed with a
   * network error after at least this long counts as `timeout` (a silent route that was closed, not a flaky
   * connection). Default 30 s.
   */
  firstByteTimeoutMs?: number;
  /**
   * What a model's rate limits are shared by: the provider package's rule by default (the model, or its model class),
   * overridable. Rate-limit state (cooldowns, windows, learned limits) is kept per key and model scope; a revoked key
   * or a spent quota acts on the whole key.
   */
  modelScope?: (model: string) => string;
  /**
   * With no limit configured and none sent in headers, learn each key's safe request rate from its 429s (additive
   * increase, multiplicative decrease). Default true.
   */
  adaptiveLimits?: boolean;
  /**
   * The most SDK clients the pool keeps (one per key, built on the key's first call). Past it, the least recently
   * used client is dropped and rebuilt when its key is called again. Default 10,000: a pool that calls more keys than
   * that in turn rebuilds clients often (tens of microseconds each); one where only some of many keys are busy keeps
   * its memory bounded.
   */
  maxClients?: number;
  /** The first retry delay for `retry` rows (overloaded, server, network). Default 250 ms. Same as `retryBackoff.baseMs`. */
  retryBaseMs?: number;
  /**
   * The wait before the n-th retry of a `retry` row when no other key can take it: min(baseMs * factor^(n-1), maxMs),
   * minus up to `jitter` of it. Default `{ baseMs: 250, factor: 2, maxMs: 5_000, jitter: 0.5 }`.
   */
  retryBackoff?: RetryBackoffOptions;
  /**
   * How many failures of a category in a row a key takes before its policy row's key effect (cooldown, quota,
   * disable) applies, for rows without their own `threshold`. Default 1: the first failure applies it.
   */
  failureThreshold?: number;
  /**
   * A key's failure counts (toward thresholds, and the escalation of its cooldowns and health penalties) start again
   * after this long without a failure, not only after a success. Default: only a success resets them.
   */
  failureResetMs?: number;
  /** For streams: the longest silence allowed between chunks before the stream counts as interrupted. */
  streamIdleTimeoutMs?: number;
  /**
   * `pool.stream` after output reached the caller, when the stream breaks (a cut, a stall, an error event, a missing
   * end): `continue` (default) goes on with the same answer on another key, by an assistant prefill where the model
   * accepts one, else by a restart announced with a `restart` event; `restart` always restarts; `fail` ends with
   * `StreamInterruptedError` carrying the partial text. Per call: `pool.stream(request, { onInterrupt })`. Native SDK
   * streams (`pool.client`) are continued only when `nativeStreams` opts in: their consumers read the SDK's chunks.
   */
  onInterrupt?: InterruptMode;
  /** How `pool.stream` continues: your capability rules, breaks survived per call (3), overlap words trimmed (4). */
  continuation?: PoolContinuationOptions;
  /**
   * Native SDK streams routed by `pool.client` (e.g. `chat.completions.create({ stream: true })`): `onInterrupt`
   * `fail` (default) ends a stream that breaks after its first chunk with the SDK's error, as always; `continue` goes
   * on with the same answer on another key and the consumer keeps reading SDK chunks with only new text; `restart`
   * restarts the answer. A restarted answer's first chunk carries `keypool.restart` (`{ reason, discardedText }`):
   * clear what you showed. Uses the pool's `continuation` settings.
   */
  nativeStreams?: { onInterrupt?: NativeInterruptMode };
  /** The length of a rate-limit "minute" (rpm, tpm). Default 60,000 ms; tests shorten it. */
  windowMs?: number;
  /** The length of a rate-limit "day" (rpd). Default 86,400,000 ms. */
  dayMs?: number;
  /**
   * Failures kept per key in its history (`snapshot()[i].history`, `toJSON()`, and a shared store's capped list):
   * time, category, status, provider code, model, scope and the scrubbed message. Default 20; 0 keeps none.
   */
  historySize?: number;
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
  /** The model the call uses: its model scope decides which rate-limit state applies. */
  model?: string;
  /** Keys to avoid when another is usable (e.g. the key a broken stream was on). */
  avoidKeyIds?: readonly string[];
  /** Tokens to reserve against tpm limits before the call is sent. */
  estimatedTokens?: number;
  /** Overrides the pool's deadline for this call. */
  deadlineMs?: number;
  /** Overrides the pool's attempt timeout for this call. */
  attemptTimeoutMs?: number;
  /**
   * The caller's own per-request timeout (an SDK's `timeout` / `timeoutMs` request option, read by `pool.client`):
   * caps each attempt's time, and a stream's wait for its first chunk, without lifting a shorter pool setting. The
   * engine's own timer enforces it, so it holds even where the SDK's timer can be lost.
   */
  requestTimeoutMs?: number;
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
  /**
   * Called once when the first chunk has arrived, before it reaches the caller, with the key that serves the stream
   * (id and masked form only): from then on there is no failover.
   */
  onFirstChunk?: (key: { keyId: string; masked: string }) => void;
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
  keys: {
    id: string;
    fingerprint: string;
    state: PersistedKeyState;
    /** Its rate-limit state per model scope. */
    scopes?: Record<string, PersistedKeyState>;
    /** Its last failures, oldest first (see `KeySnapshot.history`). */
    history?: FailureRecord[];
  }[];
}
