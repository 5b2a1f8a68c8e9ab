/**
 * A breaker's state: `closed` (calls go through), `open` (the step is skipped until its break ends), `half_open` (the
 * break has ended and ONE probe call is allowed; its outcome closes or re-opens the breaker).
 */
export type BreakerState = 'closed' | 'open' | 'half_open';

/** What a failure tells the breaker beyond "it failed". */
export interface BreakerFailureHint {
  /** The step's own estimate of when it can serve again (a `PoolExhaustedError`'s `retryAfterMs`). */
  retryAfterMs?: number;
}

/**
 * A circuit breaker for one chain step, cockatiel-style: a small strategy interface the chain drives. The chain asks
 * `allow(now)` right before it calls the step, and reports the step's verdict with `success()` or `failure(now)`.
 * A call that ends without a verdict (the caller aborted) is reported with `release()`, so a half-open probe slot is
 * never held forever. Implementations must be cheap and synchronous; their state should be serialisable.
 */
export interface StepBreaker {
  /** The state now (read by the chain to emit `breaker.*` events on transitions). */
  readonly state: BreakerState;
  /**
   * True when a call may go to the step now. When an open breaker's break has ended, this moves it to `half_open`
   * and returns true for exactly one caller (the probe) until that probe's verdict arrives.
   */
  allow(now: number): boolean;
  /** The step served (or answered properly, e.g. with a request error that is not its fault). */
  success(): void;
  /** The step could not serve. */
  failure(now: number, hint?: BreakerFailureHint): void;
  /** A call allowed by `allow` ended without a verdict (aborted by the caller). */
  release?(): void;
  /** Milliseconds until an open breaker lets a probe through (0 when it would now; undefined when not open). */
  remainingMs?(now: number): number | undefined;
  /** The state to save and restore (`initialState` of the breaker). */
  toJSON?(): unknown;
}
