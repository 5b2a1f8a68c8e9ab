import type { ErrorCategory } from './categories';
import type { ChatResult } from './chat';
import type { ContinuationMethod, StreamTarget } from './continuation-capabilities';

/** Where a stream broke or went on: the model (and chain step) and the key, by id only. */
export interface StreamEndpoint extends StreamTarget {
  keyId?: string;
}

/** Why a stream was continued or restarted: the interruption's category, or a continuation that diverged. */
export type ContinuationReason = ErrorCategory | 'continuation_diverged';

/** How one break of a stream was survived (see `ContinuedResult.continued`). */
export interface ContinuationRecord {
  /** Characters the caller had received (since the last restart) when the stream broke. */
  at: number;
  /** The model and key that broke. */
  from: StreamEndpoint;
  /** The model and key that went on. */
  to: StreamEndpoint;
  /** `prefill`: the new model continued the answer; `restart`: the answer started again (announced by a `restart` event). */
  how: ContinuationMethod;
  /** The interruption's category. */
  reason: ErrorCategory;
  /** True when a prefill continuation did not reproduce the text the caller saw, so the answer was replaced. */
  diverged?: boolean;
  /** True when a prefill was tried first and the model rejected it (the rejection never reaches the caller). */
  prefillRejected?: boolean;
}

/**
 * A streamed answer's result, honest about how it was produced: `continued` lists every break and how it was
 * survived (empty for an unbroken stream); `usage` sums every attempt that was billed, interrupted ones included.
 */
export type ContinuedResult<R extends ChatResult = ChatResult> = R & {
  continued: readonly ContinuationRecord[];
  /** True when `usage` includes estimates for interrupted attempts (their provider never reported usage). */
  usageEstimated?: boolean;
};

/**
 * A broken answer starts again from the beginning: clear the `discardedText` you showed; the deltas after it are the
 * new answer.
 */
export interface StreamRestartEvent {
  type: 'restart';
  reason: ContinuationReason;
  discardedText: string;
}

/**
 * One event of a stream that survives interruptions: text deltas; `restart` when the answer starts again (clear the
 * `discardedText` you showed; the deltas after it are the new answer); then exactly one `done`.
 */
export type ContinuedStreamEvent<R extends ChatResult = ChatResult> =
  | { type: 'delta'; text: string }
  | StreamRestartEvent
  | { type: 'done'; result: ContinuedResult<R> };

/** What a continuing stream reports as it goes (for logs and metrics; the library never writes to the console). */
export interface StreamContinuationEvents {
  /** A stream broke after output reached the caller. */
  'stream.interrupted': { at: number; from: StreamEndpoint; category: ErrorCategory; message: string };
  /**
   * A broken stream went on, reported once the key serving the continuation is known (its first chunk arrived), before
   * its text reaches the caller. The record also lands in the result's `continued`.
   */
  'stream.continued': {
    record: ContinuationRecord;
    /** Characters the caller had received when the stream broke. */
    at: number;
    how: ContinuationMethod;
    /** The key that broke, by id. */
    fromKeyId?: string;
    /** The key that serves the continuation, by id (when the opener reported it). */
    toKeyId?: string;
  };
  /** A model refused our prefill with a 400; the answer restarts and the model is asked to restart from now on. */
  'stream.prefill_rejected': { target: StreamTarget; message: string };
}

/** One continuation event with its name as `type`. */
export type StreamContinuationEvent = {
  [K in keyof StreamContinuationEvents]: { type: K } & StreamContinuationEvents[K];
}[keyof StreamContinuationEvents];
