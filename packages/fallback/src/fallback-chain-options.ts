import type { StepRef } from './chain-step';
import type { ChainContinuationOptions } from './chain-stream-continuation';
import type { ConsecutiveFailureBreakerOptions } from './consecutive-failure-breaker';
import type { FallbackPolicyOverrides } from './fallback-policy';
import type { StepBreaker } from './step-breaker';

/** Options of a fallback chain. All optional. */
export interface FallbackChainOptions extends ChainContinuationOptions {
  /** The whole call's deadline, every step, attempt and wait included. Each step gets what is left. Default 60 s. */
  deadlineMs?: number;
  /** One attempt's timeout, for every step that does not set its own. Default: each pool's own. */
  attemptTimeoutMs?: number;
  /** Streams: the longest wait for the first chunk on a step before moving on. Default: the attempt timeout. */
  firstChunkTimeoutMs?: number;
  /** Streams: the longest silence between chunks; a longer stall interrupts the stream. Default: the pool's own. */
  idleTimeoutMs?: number;
  /** Overrides of the decision table (see `DEFAULT_FALLBACK_POLICY`). */
  policy?: FallbackPolicyOverrides;
  /**
   * Each step's breaker: options of the default `ConsecutiveFailureBreaker`, a factory, or `false` for none.
   * A step's own `breaker` wins. Default: `ConsecutiveFailureBreaker` with its defaults.
   */
  breaker?: ConsecutiveFailureBreakerOptions | ((step: StepRef) => StepBreaker) | false;
  /**
   * Streams: hold each step's deltas back until that step's stream has ended properly, so that an interrupted step
   * has shown the caller nothing and the whole answer restarts on the next step. The caller then receives every delta
   * at once, just before `done` (no incremental output). Default false: deltas flow as they arrive, and an interruption
   * after the first one throws `StreamInterruptedError` with the partial text.
   */
  restartOnInterrupt?: boolean;
  /** Breaker state saved by `toJSON()` (for default breakers; matched by step name). */
  initialState?: FallbackChainState;
  /**
   * Context windows (model id or id prefix -> tokens) that override or extend core's built-in `CONTEXT_WINDOWS`, for
   * `context_length` routing of steps without their own `contextWindow`.
   */
  contextWindows?: Record<string, number>;
  /**
   * Waiting in place: when every step has failed or been skipped with a known, short wait (a cooling pool's
   * `retryAfterMs`, an open breaker's remaining break), the chain sleeps for the earliest one and tries the steps
   * again instead of failing, as long as the waits of one call add up to at most this bound and fit the deadline.
   * Default 3,000 ms; `0` never waits (fail with `ChainExhaustedError` and its `retryAfterMs`).
   */
  waitInPlaceMs?: number;
  /** The clock (epoch ms). Default `Date.now`. */
  now?: () => number;
}

/** A chain's state to save and restore: each step's breaker. */
export interface FallbackChainState {
  version: 1;
  steps: { index: number; name: string; breaker: unknown }[];
}
