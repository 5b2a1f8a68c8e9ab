import type { StepFailure } from './chain-exhausted-error';

/** What the chain knows when every step of a round has failed or been skipped. */
export interface WaitInPlaceInput {
  /** The failures and skips of this round only. */
  round: readonly StepFailure[];
  /** The call's bound on waiting in place (the chain's `waitInPlaceMs`). */
  boundMs: number;
  /** What this call has already waited in place. */
  waitedMs: number;
  /** Time left until the call's deadline. */
  remainingMs: number;
}

/** The shortest wait worth a sleep: keeps a step whose estimate is 0 ms from being called in a tight loop. */
const MIN_WAIT_MS = 10;

/**
 * How long the chain should wait before trying its steps again, or undefined to give up: only when every step of the
 * round is cooling with a known wait (so no step failed in a way a wait cannot fix, such as a timeout or a server
 * error with no estimate), the earliest wait fits what is left of the bound, and waiting still leaves time before the
 * deadline.
 */
export function waitInPlaceMs(input: WaitInPlaceInput): number | undefined {
  if (input.boundMs <= 0 || input.round.length === 0) return undefined;
  let earliest = Number.POSITIVE_INFINITY;
  for (const failure of input.round) {
    if (failure.retryAfterMs === undefined) return undefined;
    earliest = Math.min(earliest, failure.retryAfterMs);
  }
  const wait = Math.max(MIN_WAIT_MS, earliest);
  if (input.waitedMs + wait > input.boundMs) return undefined;
  if (wait >= input.remainingMs) return undefined;
  return wait;
}
