/**
 * The events a Redis store emits (listen with `store.on(name, listener)`). The store never writes to the console.
 */
export interface RedisStoreEvents {
  /**
   * Redis failed or answered slower than `timeoutMs`: from now on this process serves every call from its local
   * in-memory fallback, and checks Redis's health with backoff until it answers again.
   */
  'store.degraded': {
    /** The store operation that failed (`reserve`, `record`, `read`, `register`, ...). */
    operation: string;
    /** Why: the Redis error's message, or the timeout. */
    message: string;
    /** When the store went degraded (epoch ms, the machine's clock). */
    at: number;
  };
  /** Redis answers again: calls go through Redis again. */
  'store.recovered': {
    /** When the store rejoined (epoch ms). */
    at: number;
    /** How long the store was degraded, ms. */
    downMs: number;
    /** Status changes made during the outage (cooldowns, disables, enables) that were written to Redis on rejoin. */
    replayed: number;
  };
  /** A background task failed (a late release, a pub/sub message that could not be read). Calls are not affected. */
  'store.error': { operation: string; message: string };
}

/** The name of a Redis store event. */
export type RedisStoreEventName = keyof RedisStoreEvents;
