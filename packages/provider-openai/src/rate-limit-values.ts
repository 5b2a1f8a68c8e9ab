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

/** A reset given as seconds from now (`33011.38`), as epoch ms; undefined for anything else (`soon`, `-5`, `1m`). */
export function secondsFromNow(value: string | undefined, now: number): number | undefined {
  if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return withinHorizon(now + Math.round(Number(value) * 1000), now);
}
