/** Resolved cooldown bounds. */
export interface CooldownBounds {
  /** The first backoff step. */
  baseMs: number;
  /** No cooldown is ever longer than this, whatever the provider asked. */
  maxMs: number;
  /** A spent quota's cooldown when the provider gave no reset time. */
  quotaMs: number;
  /** The share of each step that is randomised (0..1). */
  jitter: number;
}

/** Default bounds: 1 s first step, 5 min cap, 1 h for a spent quota, 20% jitter. */
export const DEFAULT_COOLDOWN: Readonly<CooldownBounds> = Object.freeze({
  baseMs: 1_000,
  maxMs: 5 * 60_000,
  quotaMs: 60 * 60_000,
  jitter: 0.2,
});

/**
 * The escalating jittered backoff for a key's `failures`-th consecutive failure: base * 2^(failures-1), minus up to
 * `jitter` of it, capped at `maxMs`. A provider hint is a minimum (the key is not used before it), capped at `maxMs`.
 */
export function cooldownDuration(
  failures: number,
  hintMs: number | undefined,
  bounds: CooldownBounds,
  random: () => number,
): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 30);
  const step = Math.min(bounds.baseMs * 2 ** exponent, bounds.maxMs);
  const jittered = step * (1 - bounds.jitter * random());
  const wanted = hintMs !== undefined && hintMs > 0 ? Math.max(hintMs, jittered) : jittered;
  return Math.round(Math.min(wanted, bounds.maxMs));
}

/** A short jittered delay before retrying a busy provider: base * 2^(retry-1), with full jitter over the upper half. */
export function retryDelay(retry: number, baseMs: number, maxMs: number, random: () => number): number {
  const step = Math.min(baseMs * 2 ** Math.max(retry - 1, 0), maxMs);
  return Math.round(step / 2 + (step / 2) * random());
}
