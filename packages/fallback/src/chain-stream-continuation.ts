import {
  type ChatRequest,
  type ChatToolCallDelta,
  type ConfigIssue,
  ContinuationCapabilities,
  continueStream,
  type InterruptMode,
  type StreamAttempt,
  type StreamContinuationEvent,
  type StreamContinuationOptions,
  type StreamTarget,
} from '@keypool/core';
import type { FallbackChatResult, FallbackStepStreamEvent, FallbackStreamEvent } from './fallback-result';

/** How a chain's streams survive a break after output reached the caller. */
export interface ChainContinuationOptions {
  /**
   * `continue` (default): go on with the same answer on another key of the same step, then on the next steps, by an
   * assistant prefill where the model accepts one, else by a restart announced with a `restart` event; `restart`:
   * always restart the answer; `fail`: end with `StreamInterruptedError` carrying the partial text.
   */
  onInterrupt?: InterruptMode;
  /** The capability table overrides, the number of breaks survived per call, overlap words, events. */
  continuation?: Omit<StreamContinuationOptions, 'onInterrupt'>;
}

const INTERRUPT_MODES: readonly InterruptMode[] = ['continue', 'restart', 'fail'];

/** What is wrong with a chain's continuation options (for the chain's `ConfigError`). */
export function continuationIssues(options: ChainContinuationOptions): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (options.onInterrupt !== undefined && !INTERRUPT_MODES.includes(options.onInterrupt))
    issues.push({ path: 'onInterrupt', message: 'must be "continue", "restart" or "fail"' });
  const max = options.continuation?.maxContinuations;
  if (max !== undefined && !(Number.isInteger(max) && max >= 0))
    issues.push({ path: 'continuation.maxContinuations', message: 'must be an integer >= 0' });
  const words = options.continuation?.maxOverlapWords;
  if (words !== undefined && !(Number.isInteger(words) && words >= 0))
    issues.push({ path: 'continuation.maxOverlapWords', message: 'must be an integer >= 0' });
  return issues;
}

/**
 * The chain's continuation options with one capability table for all its calls, so that a model found to refuse a
 * prefill is asked to restart on every later call too.
 */
export function withSharedCapabilities(options: ChainContinuationOptions): ChainContinuationOptions {
  const given = options.continuation?.capabilities;
  const capabilities =
    given instanceof ContinuationCapabilities ? given : new ContinuationCapabilities(given ?? []);
  return {
    ...(options.onInterrupt ? { onInterrupt: options.onInterrupt } : {}),
    continuation: { ...options.continuation, capabilities },
  };
}

const CONTINUATION = Symbol('keypool.chain.continuation');

/** What a chain run learns about the continuation it serves (carried on the request it is given). */
interface ContinuationTag {
  attempt: StreamAttempt;
  /** When the whole call (every run of the chain) must be over, epoch ms by `now`. */
  deadlineAt: number;
  now: () => number;
}

type TaggedRequest = ChatRequest & { [CONTINUATION]?: ContinuationTag };

/**
 * A chain's stream that survives breaks: each (re)opening runs the chain's steps again (same step first, with the
 * keys that broke avoided there), within what is left of one total deadline.
 */
export function continueChainStream(
  streamSteps: (request: ChatRequest) => AsyncIterable<FallbackStepStreamEvent>,
  request: ChatRequest,
  options: ChainContinuationOptions & {
    deadlineMs: number;
    now: () => number;
    /** The chain's own emitter for the `stream.*` events (the user's `continuation.onEvent` is called too). */
    emit: (event: StreamContinuationEvent) => void;
  },
): AsyncGenerator<FallbackStreamEvent, void, undefined> {
  const deadlineAt = options.now() + options.deadlineMs;
  const userOnEvent = options.continuation?.onEvent;
  const onEvent = (event: StreamContinuationEvent): void => {
    options.emit(event);
    userOnEvent?.(event);
  };
  // Tool-call deltas pass through the continuation layer untouched (it restarts after them, never continues them).
  return continueStream<FallbackChatResult>(
    request,
    (attempt) =>
      streamSteps({
        ...request,
        [CONTINUATION]: { attempt, deadlineAt, now: options.now },
      } as TaggedRequest) as AsyncIterable<Exclude<FallbackStepStreamEvent, ChatToolCallDelta>>,
    {
      ...options.continuation,
      onEvent,
      ...(options.onInterrupt ? { onInterrupt: options.onInterrupt } : {}),
    },
  ) as AsyncGenerator<FallbackStreamEvent, void, undefined>;
}

/** What one step sends when the chain serves a continuation: its request (with any prefill) and keys to avoid. */
export interface StepContinuation {
  request: ChatRequest;
  avoidKeyIds: readonly string[];
  /** Ms left of the whole call's deadline. */
  remainingMs: number;
  /** Reports the key serving this step's stream once its first chunk arrived (for `stream.continued`). */
  servedBy(keyId: string): void;
}

/**
 * The step's side of a continuation: the step request with the prefill this step's model accepts (or none, for a
 * restart), the keys of this step that broke the answer, and what is left of the deadline. Undefined for a request
 * that is not part of a continuing stream.
 */
export function stepContinuation(
  request: ChatRequest,
  target: Required<Pick<StreamTarget, 'step'>> & StreamTarget,
): StepContinuation | undefined {
  const tag = (request as TaggedRequest)[CONTINUATION];
  if (!tag) return undefined;
  const { [CONTINUATION]: _tag, continueFrom: _previous, ...plain } = request as TaggedRequest;
  const continueFrom = tag.attempt.requestFor(target).continueFrom;
  const avoidKeyIds = tag.attempt.broken.flatMap((endpoint) =>
    endpoint.step === target.step && endpoint.keyId ? [endpoint.keyId] : [],
  );
  return {
    request: continueFrom === undefined ? plain : { ...plain, continueFrom },
    avoidKeyIds,
    remainingMs: tag.deadlineAt - tag.now(),
    servedBy: (keyId) => tag.attempt.servedBy(keyId),
  };
}
