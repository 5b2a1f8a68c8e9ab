import type { ErrorCategory } from './categories';
import type { KeyEffect, PolicyRow, PolicyTable } from './policy';

/**
 * The consecutive failures of one key (for whole-key effects: a spent quota, a revoked key) or of one key and model
 * scope (for rate-limit cooldowns), by category, and when the last one happened.
 */
interface FailureCounts {
  counts: Partial<Record<ErrorCategory, number>>;
  lastFailureAt: number;
}

/** Counters by the object they describe (a `PoolKey` or a `KeyScope`); they go when the key goes. */
const countsOf = new WeakMap<object, FailureCounts>();

/**
 * The policy table with every row's `threshold` filled in: the row's own, else the pool's `failureThreshold`, else 1
 * (the first failure applies the row's key effect, as before thresholds existed).
 */
export function withFailureThresholds(table: PolicyTable, poolThreshold: number | undefined): PolicyTable {
  const out = { ...table };
  for (const [category, row] of Object.entries(table) as [ErrorCategory, PolicyRow][]) {
    out[category] = { ...row, threshold: row.threshold ?? poolThreshold ?? 1 };
  }
  return out;
}

/** Whether a quiet period has passed since `target`'s last failure (then its counts start again from zero). */
export function quietSince(target: object, now: number, resetAfterMs: number | undefined): boolean {
  const entry = countsOf.get(target);
  return entry !== undefined && resetAfterMs !== undefined && now - entry.lastFailureAt >= resetAfterMs;
}

/**
 * Counts one failure of `category` on `target` and answers the key effect to apply now: the row's effect once the
 * target has failed `row.threshold` times in a row with this category, else `none` (the key stays in rotation; the
 * request still follows the row). Counts start again after a success (`clearFailures`) or after `resetAfterMs`
 * without a failure.
 */
export function countFailure(
  target: object,
  category: ErrorCategory,
  row: PolicyRow,
  now: number,
  resetAfterMs: number | undefined,
): KeyEffect {
  let entry = countsOf.get(target);
  if (!entry || quietSince(target, now, resetAfterMs)) {
    entry = { counts: {}, lastFailureAt: now };
    countsOf.set(target, entry);
  }
  entry.lastFailureAt = now;
  const count = (entry.counts[category] ?? 0) + 1;
  entry.counts[category] = count;
  // Past the threshold every further failure in the same run applies the effect again (a key that keeps failing
  // keeps being rotated out), until a success or a quiet period starts a new run.
  return count >= (row.threshold ?? 1) ? row.key : 'none';
}

/** Forgets `target`'s consecutive failures (after a success, or when the key is re-enabled). */
export function clearFailures(target: object): void {
  countsOf.delete(target);
}

/** How many failures of `category` in a row `target` has counted toward its threshold (0 when none). */
export function failureCount(target: object, category: ErrorCategory): number {
  return countsOf.get(target)?.counts[category] ?? 0;
}
