import type { ChatUsage, ErrorCategory, StreamContinuationEvents } from '@keypool/core';
import type { StepSkipReason } from './attempt-log';
import type { ChainExhaustedReason } from './chain-exhausted-error';
import type { StepRef } from './chain-step';
import type { FallbackTrigger } from './fallback-policy';

/** Why the chain moved from one step to the next: a trigger of the decision table, or a skip. */
export type FallbackReason = FallbackTrigger | StepSkipReason | 'stream_interrupted';

/**
 * Every event a chain emits, by name. The `stream.*` events tell how a broken stream went on: `stream.interrupted`,
 * `stream.continued`, `stream.prefill_rejected` (see core's `StreamContinuationEvents`).
 */
export interface FallbackEvents extends StreamContinuationEvents {
  /** The chain leaves step `from` and will consider step `to`. */
  'fallback.step': {
    from: StepRef;
    to: StepRef;
    reason: FallbackReason;
    /** The failing error's category, when there was an error. */
    category?: ErrorCategory;
    /** What happened, without secrets. */
    message: string;
    /** The failing step's own estimate of when it can serve again. */
    retryAfterMs?: number;
  };
  /** A step served the call. */
  'fallback.served': {
    step: StepRef;
    keyId: string;
    maskedKey: string;
    /** Attempts made by every step for this call, the serving one included. */
    attempts: number;
    durationMs: number;
    usage: ChatUsage;
    stream: boolean;
  };
  /** No step could serve: the call throws a `ChainExhaustedError`. */
  'fallback.exhausted': {
    reason: ChainExhaustedReason;
    retryAfterMs: number | undefined;
    /** The steps that were tried or skipped. */
    steps: number;
    message: string;
  };
  /**
   * Every step is cooling with a known, short wait: the chain sleeps `waitMs` in place, then tries the steps again
   * (`waitedMs`: what this call had already waited).
   */
  'fallback.wait': { waitMs: number; waitedMs: number };
  /** A step's breaker opened: the step is skipped for `durationMs`. */
  'breaker.open': { step: StepRef; durationMs: number | undefined; until: number | undefined };
  /** A step's break ended: one probe call goes to it. */
  'breaker.half_open': { step: StepRef };
  /** A step's probe succeeded: the step takes traffic again. */
  'breaker.close': { step: StepRef };
}

/** The name of a chain event. */
export type FallbackEventName = keyof FallbackEvents;
