import type { ProviderName } from './categories';
import type { ChatRequest, ChatResult } from './chat';
import type { ContinuedStreamEvent } from './continued-stream-event';
import {
  continueStream,
  type StreamContinuationOptions,
  type UnifiedStreamEvent,
} from './stream-continuation';

/** Per-call options a continuing pool stream passes on to every `pool.stream` it opens. */
export interface PoolStreamCallOptions {
  deadlineMs?: number;
  attemptTimeoutMs?: number;
  maxAttempts?: number;
  firstChunkTimeoutMs?: number;
  idleTimeoutMs?: number;
  /** Keys the pool should not pick (the keys that broke this answer). Pools that do not know it ignore it. */
  avoidKeyIds?: readonly string[];
  /** Called with the serving key once the first chunk arrived (a core `KeyPool` calls it; others may ignore it). */
  onFirstChunk?: (key: { keyId: string; masked: string }) => void;
  /** Always `fail`: this layer continues the stream itself, so a pool that continues on its own must not. */
  onInterrupt?: 'fail';
}

/** What a continuing stream needs of a pool: its provider and its unified `stream` (a core `KeyPool` has both). */
export interface ContinuablePool<R extends ChatResult = ChatResult> {
  readonly provider: ProviderName;
  stream(request: ChatRequest, options?: PoolStreamCallOptions): AsyncIterable<UnifiedStreamEvent<R>>;
}

/**
 * A stream of any unified pool that survives interruptions (see {@link continueStream}); a core `KeyPool`'s own
 * `pool.stream` already does this (its `onInterrupt` option). Each continuation opens the
 * pool's stream again for the same model with the broken keys in `avoidKeyIds`, with a prefill where the model
 * accepts one. `callOptions` go to every `pool.stream` call; their `deadlineMs` bounds the whole call, every
 * continuation included (each stream gets what is left of it).
 */
export function continuePoolStream<R extends ChatResult>(
  pool: ContinuablePool<R>,
  request: ChatRequest,
  options: StreamContinuationOptions & {
    callOptions?: Omit<PoolStreamCallOptions, 'avoidKeyIds' | 'onInterrupt' | 'onFirstChunk'>;
    /** The clock for the deadline (epoch ms). Default `Date.now`. */
    now?: () => number;
  } = {},
): AsyncGenerator<ContinuedStreamEvent<R>, void, undefined> {
  const target = { provider: pool.provider, model: request.model };
  const now = options.now ?? Date.now;
  const total = options.callOptions?.deadlineMs;
  const deadlineAt = total === undefined ? undefined : now() + total;
  return continueStream(
    request,
    (attempt) =>
      pool.stream(attempt.requestFor(target), {
        ...options.callOptions,
        ...(deadlineAt === undefined ? {} : { deadlineMs: Math.max(1, deadlineAt - now()) }),
        avoidKeyIds: attempt.avoidKeyIds,
        onFirstChunk: (key) => attempt.servedBy(key.keyId),
        onInterrupt: 'fail',
      }),
    options,
  );
}
