import type { RedisClient } from './lua-script';

/** Options of `createRedisStore`. Every field is optional. */
export interface RedisStoreOptions {
  /**
   * The Redis to use: an ioredis client (`Redis`, or a `Cluster`), or a URL (`redis://host:6379/0`). Default
   * `redis://127.0.0.1:6379`. A client you pass stays yours: `close()` does not close it. A client the store builds
   * from a URL fails fast while disconnected (no offline queue), which is what fail-open wants.
   */
  redis?: RedisClient | string;
  /** Prefix of every key name and of the events channel (`<prefix>:events`). Default `keypool`. */
  prefix?: string;
  /**
   * The pool's Redis Cluster hash tag: every key of the pool hashes to one slot (so each script, a quota group's
   * cooling included, stays atomic on one shard) and pools with different tags spread over the shards. `true` (the
   * default) derives it from the prefix (`{openai}:key:...`, or the `{tag}` the prefix already holds); a string is the
   * tag under the prefix (`keypool:{openai}:key:...`); `false` uses none (a single node or primary only). Give each
   * pool its own prefix or tag.
   */
  hashTag?: boolean | string;
  /** A Redis call slower than this (ms) counts as a failure: the store serves the call locally. Default 50. */
  timeoutMs?: number;
  /** Publish key changes on `<prefix>:events` and deliver other processes' changes to `subscribe`. Default true. */
  pubsub?: boolean;
  /** How long `register` waits for the first connection before serving locally. Default 2,000 ms. */
  connectTimeoutMs?: number;
  /** An unused key's state expires this long after its last write (after its cooldown's end). Default 1 day. */
  stateTtlMs?: number;
  /** A disabled key's state expires this long after its last write. Default 30 days. */
  disabledTtlMs?: number;
  /** A key's failure history (`<base>:history:<fingerprint>`) expires this long after its last failure. Default 7 days. */
  historyTtlMs?: number;
  /**
   * A half-open probe that was never recorded (its process died) blocks the key at most this long; then another
   * attempt may probe. Keep it above your pool's `deadlineMs`. Default 60,000 ms; 0 waits forever.
   */
  probeLeaseMs?: number;
  /**
   * A request counts in the rpm and rpd windows until one window after its attempt is recorded, not only after its
   * reservation: the provider counts it when it arrives, which can be well after the reservation on a busy machine
   * (and is always before the answer). Default true. False counts exactly like core's `MemoryStateStore`.
   */
  countUntilRecorded?: boolean;
  /**
   * While degraded, Redis is checked after `initialDelayMs`, doubling up to `maxDelayMs`. Default 100 and 500: each
   * process counts only its own calls while degraded, so a late rejoin costs 429s; a ping every 500 ms costs nothing.
   */
  healthCheck?: { initialDelayMs?: number; maxDelayMs?: number };
  /** Status changes kept during an outage, to write to Redis on rejoin (oldest dropped first). Default 10,000. */
  maxPendingChanges?: number;
}
