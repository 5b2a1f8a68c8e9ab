import type {
  ChatRequest,
  ChatResult,
  ChatStreamEvent,
  ChatToolCallDelta,
  ChatToolStreamEvent,
} from './chat';
import { chatStreamEvents } from './chat-stream-events';
import type { ContinuedStreamEvent } from './continued-stream-event';
import { estimateRequestTokens } from './estimate-request-tokens';
import type { KeyPool } from './key-pool';
import {
  continuingPoolStream,
  type EngineStreamOptions,
  type PoolStreamOptions,
  poolStreamContextOf,
} from './pool-stream';

/** Options of {@link streamChat}: the engine's per-call options, `onInterrupt` and `continuation` (as `pool.stream`). */
export type StreamChatOptions = PoolStreamOptions;

/**
 * An event of {@link streamChat}: text and tool-call deltas; `restart` when the answer starts again (drop the text
 * in `discardedText` and any tool call whose deltas you got); then one `done` whose result says how it was produced.
 */
export type ChatToolContinuedEvent = ChatToolCallDelta | ContinuedStreamEvent<ChatResult>;

/**
 * The unified streaming call with tool-call deltas: like `pool.stream(request)`, but every event of
 * {@link ChatToolStreamEvent} (text deltas, tool-call deltas, then `done` with the tool calls) reaches the caller.
 * Uses the adapter's `streamWithTools` (its `stream` when it has none). A break after output is survived as
 * `pool.stream` does (the pool's `onInterrupt` and `continuation`, or this call's): a break in text continues by
 * prefill where the model accepts one, else restarts; a break once a tool call started always restarts (half-written
 * JSON is never continued), announced by a `restart` event. An unsupported feature fails the first attempt before
 * anything is sent, as a `ProviderError` (`invalid_request`) with the `UnsupportedFeatureError` as cause.
 */
export function streamChat<TClient>(
  pool: KeyPool<TClient>,
  request: ChatRequest,
  options: StreamChatOptions = {},
): AsyncGenerator<ChatToolContinuedEvent, void, undefined> {
  const open = (attemptRequest: ChatRequest, callOptions: EngineStreamOptions) =>
    // Tool-call deltas pass through the continuation layer untouched (it restarts after them).
    streamChatOnce(pool, attemptRequest, callOptions) as AsyncGenerator<ChatStreamEvent, void, undefined>;
  const context = poolStreamContextOf(pool);
  if (!context) return streamChatOnce(pool, request, options) as AsyncGenerator<ChatToolContinuedEvent>;
  return continuingPoolStream(
    { ...context, open },
    request,
    options,
  ) as AsyncGenerator<ChatToolContinuedEvent>;
}

/** One engine stream with tool-call deltas: failover until its first chunk, then a `StreamInterruptedError` on a break. */
function streamChatOnce<TClient>(
  pool: KeyPool<TClient>,
  request: ChatRequest,
  options: EngineStreamOptions,
): AsyncGenerator<ChatToolStreamEvent, void, undefined> {
  const { adapter, provider } = pool;
  return pool.executeStream<ChatToolStreamEvent>(
    (client, key) =>
      chatStreamEvents(
        (adapter.streamWithTools ?? adapter.stream)(
          client,
          { ...request, signal: key.signal },
          {
            signal: key.signal,
            keyId: key.id,
            reportRateLimit: key.reportRateLimit,
            reportUsage: key.reportUsage,
          },
        ),
        { provider, model: request.model, keyId: key.id, reportUsage: key.reportUsage },
      ),
    {
      model: request.model,
      ...options,
      signal: request.signal,
      estimatedTokens:
        options.estimatedTokens ?? adapter.estimateTokens?.(request) ?? estimateRequestTokens(request),
      textOf: (event) => (event.type === 'delta' ? event.text : undefined),
      usageOf: (event) => (event.type === 'done' ? event.result.usage.totalTokens : undefined),
      isTerminal: (event) => event.type === 'done',
    },
  );
}
