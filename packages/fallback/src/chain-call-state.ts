import { type ChatRequest, type KeypoolError, PoolExhaustedError, ProviderError } from '@keypool/core';
import type { AttemptLog } from './attempt-log';
import type { StepFailure } from './chain-exhausted-error';
import type { ChainStep, StepRef } from './chain-step';
import type { FallbackTrigger } from './fallback-policy';
import type { BreakerState, StepBreaker } from './step-breaker';

// The chain's per-step and per-call bookkeeping, and the pure rules it applies to a step's failure.

/** A step's health as the chain sees it now. */
export interface StepStatus extends StepRef {
  breaker: BreakerState | 'none';
  /** Ms until an open breaker lets a probe through. */
  breakerRemainingMs?: number;
}

/** A step as the chain runs it: its configuration, its public reference and its breaker. */
export interface ResolvedStep {
  config: ChainStep;
  ref: StepRef;
  breaker: StepBreaker | undefined;
}

/** One chain call's bookkeeping: its request, clock, attempts, failures and context and waiting state. */
export interface CallState {
  request: ChatRequest;
  started: number;
  deadline: number;
  log: AttemptLog;
  failures: StepFailure[];
  /** After a context-length failure: a later step must have a larger window than this. */
  minimumContext: number | undefined;
  /** True while every step since a context-length failure was skipped for its window. */
  contextPending: boolean;
  /** Where this round's failures start in `failures` (a round: one pass over the steps). */
  roundStart: number;
  /** What the call has waited in place so far. */
  waitedMs: number;
}

/** What a step's outcome tells its breaker. */
export type Verdict = 'success' | 'failure' | 'release';

/** When a failed step expects to serve again: its open breaker's remaining break, else its pool's estimate. */
export function stepRetryAfter(step: ResolvedStep, error: KeypoolError, now: number): number | undefined {
  const broken = step.breaker?.remainingMs?.(now);
  if (broken !== undefined) return broken;
  // 0 means the pool has free keys but the step failed anyway (its attempts ran out): no estimate.
  if (PoolExhaustedError.isInstance(error))
    return error.retryAfterMs !== undefined && error.retryAfterMs > 0 ? error.retryAfterMs : undefined;
  if (ProviderError.isInstance(error)) {
    if (error.retryAfterMs !== undefined) return error.retryAfterMs;
    if (error.resetAt !== undefined) return Math.max(0, error.resetAt - now);
  }
  return undefined;
}

/** What a failure says about the step's health: request errors mean the step answered properly. */
export function verdictOf(trigger: FallbackTrigger | undefined, interrupted: boolean): Verdict {
  if (interrupted) return 'failure';
  if (trigger === undefined || trigger === 'aborted') return 'release';
  if (
    trigger === 'context_length' ||
    trigger === 'content_filter' ||
    trigger === 'invalid_request' ||
    trigger === 'invalid_response'
  )
    return 'success';
  return 'failure';
}

export function hintOf(error: unknown): { retryAfterMs?: number } | undefined {
  if (PoolExhaustedError.isInstance(error) && error.retryAfterMs !== undefined)
    return { retryAfterMs: error.retryAfterMs };
  return undefined;
}
