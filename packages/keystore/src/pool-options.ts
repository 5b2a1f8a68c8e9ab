import type { KeyPoolOptions } from '@keypool/core';

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

/**
 * Per-provider pool options, in the shape the core's pool accepts: every option a pool takes as plain data (core's
 * `dataPoolOptionNames()`), with the strategy by its name.
 */
export interface PoolOptions
  extends Partial<Pick<KeyPoolOptions<unknown>, Exclude<DataPoolOptionName, 'strategy'>>> {
  strategy?: PoolStrategy;
}

/** The names of the pool options a keys file may set. */
type DataPoolOptionName = Exclude<
  keyof KeyPoolOptions<unknown>,
  'adapter' | 'keys' | 'store' | 'initialState' | 'now' | 'random' | 'modelScope'
>;
