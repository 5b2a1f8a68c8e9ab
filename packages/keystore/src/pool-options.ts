/** How a pool picks the next key. */
export const POOL_STRATEGIES = [
  'round-robin',
  'least-used',
  'weighted',
  'random',
  'latency',
  'health',
] as const;

/** How a pool picks the next key. */
export type PoolStrategy = (typeof POOL_STRATEGIES)[number];

/** Bounds of the escalating cooldown a key gets after a rate limit without a server hint. */
export interface CooldownBounds {
  baseMs?: number;
  maxMs?: number;
}

/** Per-provider pool options, in the shape the core's pool accepts. */
export interface PoolOptions {
  strategy?: PoolStrategy;
  cooldown?: CooldownBounds;
}
