/** Resolved cooldown bounds. */
export interface CooldownBounds {
  /** The first backoff step. */
  baseMs: number;
  /** Each step is this many times the one before (default 2). */
  factor?: number;
  /** No cooldown is ever longer than this, whatever the provider asked. */
  maxMs: number;
  /** A spent quota's cooldown when the provider gave no reset time. */
  quotaMs: number;
  /** The share of each step that is randomised (0..1). */
  jitter: number;
}

/** Default bounds: 1 s first step, doubling, 5 min cap, 1 h for a spent quota, 20% jitter. */
export const DEFAULT_COOLDOWN: Readonly<CooldownBounds> = Object.freeze({
  baseMs: 1_000,
  factor: 2,
  maxMs: 5 * 60_000,
  quotaMs: 60 * 60_000,
  jitter: 0.2,
});

/**
 * The escalating jittered backoff for a key's `failures`-th consecutive failure: min(base * factor^(failures-1), max),
 * minus up to `jitter` of it. A provider hint (retry-after, a reset time) is the provider's own word: the cooldown is
 * that long (capped at `maxMs`), never escalated past it, since processes that each escalated would park a key long
 * after it was free.
 */
export function cooldownDuration(
  failures: number,
  hintMs: number | undefined,
  bounds: CooldownBounds,
  random: () => number,
): number {
  if (hintMs !== undefined && hintMs > 0) return Math.min(hintMs, bounds.maxMs);
  const step = backoffStep(failures, bounds.baseMs, bounds.factor ?? 2, bounds.maxMs);
  return Math.round(Math.min(step * (1 - bounds.jitter * random()), bounds.maxMs));
}

/** The `n`-th step (from 1) of an exponential backoff before jitter: min(base * factor^(n-1), max). */
export function backoffStep(n: number, baseMs: number, factor: number, maxMs: number): number {
  const exponent = Math.min(Math.max(n, 1) - 1, 1_000);
  const step = baseMs * factor ** exponent;
  return Number.isFinite(step) ? Math.min(step, maxMs) : maxMs;
}

/**
 * A short jittered delay before retrying a busy provider (overloaded, server, network): the `retry`-th step of
 * min(base * factor^(retry-1), max), minus up to `jitter` of it (default: doubling, half of each step randomised).
 */
export function retryDelay(
  retry: number,
  baseMs: number,
  maxMs: number,
  random: () => number,
  factor = 2,
  jitter = 0.5,
): number {
  const step = backoffStep(retry, baseMs, factor, maxMs);
  // `1 - random()` keeps the delays of the former formula (step/2 + step/2 * random) for the default jitter.
  return Math.round(step * (1 - jitter * (1 - random())));
}
