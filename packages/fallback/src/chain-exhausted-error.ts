import { KeypoolError } from '@keypool/core';
import type { ChainAttempt, StepSkipReason } from './attempt-log';
import type { StepRef } from './chain-step';

/**
 * Why the chain gave up: `steps_exhausted` (every step failed or was skipped), `deadline` (the chain's total
 * deadline ran out before a step could serve), `no_larger_context` (the prompt is too long for the step that
 * tried it and no later step has a larger context window).
 */
export type ChainExhaustedReason = 'steps_exhausted' | 'deadline' | 'no_larger_context';

/** How one step ended in a chain call that no step could serve. */
export interface StepFailure {
  step: StepRef;
  /** The step's last error (absent when the chain skipped the step). */
  error?: KeypoolError;
  /** Why the chain did not call the step. */
  skipped?: StepSkipReason;
  /** When this step expects to serve again, in ms from the failure (its pool's or breaker's estimate). */
  retryAfterMs?: number;
}

/**
 * No step of a fallback chain could serve the call. Carries each step's last error (`steps`, `errors`), every attempt
 * made, and `retryAfterMs`: the earliest time any step is expected to be usable again (undefined when no step gave an
 * estimate). The last step error is the `cause`.
 */
export class ChainExhaustedError extends KeypoolError {
  readonly reason: ChainExhaustedReason;
  readonly steps: readonly StepFailure[];
  /** Each failed step's last error, in chain order. */
  readonly errors: readonly KeypoolError[];
  readonly lastError: KeypoolError | undefined;
  readonly retryAfterMs: number | undefined;
  readonly attempts: readonly ChainAttempt[];

  constructor(init: {
    reason: ChainExhaustedReason;
    steps: readonly StepFailure[];
    retryAfterMs: number | undefined;
    attempts: readonly ChainAttempt[];
  }) {
    const errors = init.steps.flatMap((step) => (step.error ? [step.error] : []));
    const last = errors.at(-1);
    const wait =
      init.retryAfterMs === undefined ? 'no step gave an estimate' : `retry in ${init.retryAfterMs} ms`;
    super(
      'chain_exhausted',
      `fallback chain exhausted (${init.reason}) after ${init.steps.length} step(s): ${wait}${last ? `; last error: ${last.message}` : ''}`,
      last ? { cause: last } : undefined,
    );
    this.name = 'ChainExhaustedError';
    this.reason = init.reason;
    this.steps = init.steps;
    this.errors = errors;
    this.lastError = last;
    this.retryAfterMs = init.retryAfterMs;
    this.attempts = init.attempts;
  }

  /** True for a ChainExhaustedError from any copy of the package. */
  static override isInstance(error: unknown): error is ChainExhaustedError {
    return KeypoolError.isInstance(error) && error.code === 'chain_exhausted';
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      reason: this.reason,
      retryAfterMs: this.retryAfterMs,
      steps: this.steps.map((step) => ({
        step: step.step,
        ...(step.skipped ? { skipped: step.skipped } : {}),
        ...(step.retryAfterMs !== undefined ? { retryAfterMs: step.retryAfterMs } : {}),
        ...(step.error ? { error: step.error.toJSON() } : {}),
      })),
      attempts: this.attempts,
    };
  }
}
