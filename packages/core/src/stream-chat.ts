import type { ChatRequest, ChatStreamEvent, ChatToolStreamEvent } from './chat';
import { chatStreamEvents } from './chat-stream-events';
import { estimateRequestTokens } from './estimate-request-tokens';
import type { KeyPool, StreamCallOptions } from './key-pool';

/**
 * The unified streaming call with tool-call deltas: like `pool.stream(request)`, but every event of
 * {@link ChatToolStreamEvent} (text deltas, tool-call deltas, then `done` with the tool calls) reaches the caller.
 * Uses the adapter's `streamWithTools` (its `stream` when it has none). An unsupported feature fails the first attempt
 * before anything is sent, as a `ProviderError` (`invalid_request`) with the `UnsupportedFeatureError` as cause.
 */
export function streamChat<TClient>(
  pool: KeyPool<TClient>,
  request: ChatRequest,
  options: Omit<StreamCallOptions<ChatStreamEvent>, 'signal' | 'textOf' | 'usageOf' | 'isTerminal'> = {},
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
