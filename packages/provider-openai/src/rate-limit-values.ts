import type { RateLimitBudget } from '@keypool/core';

/**
 * How far ahead a reset may lie: 7 days. Every documented window (a minute, a day) fits; a value beyond it is a
 * misread header (seconds taken for a date, a garbled number), and trusting it would park a key for weeks.
 */
export const RESET_HORIZON_MS = 7 * 24 * 60 * 60 * 1000;

/** A reset time kept only when it lies no further than `RESET_HORIZON_MS` from `now`. */
export function withinHorizon(resetAt: number | undefined, now: number): number | undefined {
  return resetAt !== undefined && Number.isFinite(resetAt) && resetAt - now <= RESET_HORIZON_MS
    ? resetAt
    : undefined;
}

/** A header value as a count: a non-negative finite number, else undefined (`lots`, `-1`, `NaN`, blank). */
export function countOf(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const count = Number(value);
  return Number.isFinite(count) && count >= 0 ? count : undefined;
}

/** A reset given as seconds from now (`33011.38`), as epoch ms; undefined for anything else (`soon`, `-5`, `1m`). */
export function secondsFromNow(value: string | undefined, now: number): number | undefined {
  if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return withinHorizon(now + Math.round(Number(value) * 1000), now);
}

/** One budget from its three values, or undefined when none is known. */
export function budgetOf(
  limit: number | undefined,
  remaining: number | undefined,
  resetAt: number | undefined,
): RateLimitBudget | undefined {
  if (limit === undefined && remaining === undefined && resetAt === undefined) return undefined;
  return {
    ...(limit !== undefined ? { limit } : {}),
    ...(remaining !== undefined ? { remaining } : {}),
    ...(resetAt !== undefined ? { resetAt } : {}),
  };
}
