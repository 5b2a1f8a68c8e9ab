/** How a pool picks the next key. */
export const POOL_STRATEGIES = [
  'round-robin',
  'least-used',
  'weighted',
  'random',
  'latency',
  'health',
  'priority',
] as const;

/** How a pool picks the next key. */
export type PoolStrategy = (typeof POOL_STRATEGIES)[number];

/** Bounds of the escalating cooldown a key gets after a rate limit without a server hint. */
export interface CooldownBounds {
  /** The first backoff step. */
  baseMs?: number;
  /** No cooldown is longer than this. */
  maxMs?: number;
  /** A spent quota's cooldown when the provider gave no reset time. */
  quotaMs?: number;
  /** The share of each step that is randomised (0..1). */
  jitter?: number;
}

/** Per-provider pool options, in the shape the core's pool accepts. */
export interface PoolOptions {
  strategy?: PoolStrategy;
  cooldown?: CooldownBounds;
  /** Attempts per call (default: the number of keys + 2, at most 10). */
  maxAttempts?: number;
  /** One attempt's timeout, ms. */
  attemptTimeoutMs?: number;
  /** A call's total deadline, ms (default 60 s). */
  deadlineMs?: number;
  /** The longest a call waits in place for a key known to be free soon, ms (default 3 s). */
  maxWaitMs?: number;
  /** A stream's limit for its first chunk, ms (default 30 s). */
  firstByteTimeoutMs?: number;
  /** Learn a key's rate from its 429s when no limit is configured or sent (default true). */
  adaptiveLimits?: boolean;
}
