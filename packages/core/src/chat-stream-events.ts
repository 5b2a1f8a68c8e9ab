import type { ProviderName } from './categories';
import type {
  ChatResult,
  ChatStreamPart,
  ChatToolCall,
  ChatToolStreamEvent,
  ChatToolStreamPart,
} from './chat';

/** What the engine knows about the attempt whose stream is turned into events. */
export interface StreamAttemptFacts {
  provider: ProviderName;
  /** The requested model, used when the stream names none. */
  model: string;
  keyId: string;
  /** Reports the answer's real usage to the pool. */
  reportUsage(totalTokens: number): void;
}

/**
 * Turns an adapter's stream parts into unified stream events: text and tool-call deltas pass through, and the `done`
 * part becomes one `done` event with the joined text and the tool calls (the adapter's assembled list, else the
 * deltas joined by call id, in order of first appearance). This is the body of `KeyPool.stream`.
 */
export async function* chatStreamEvents(
  parts: AsyncIterable<ChatToolStreamPart>,
  facts: StreamAttemptFacts,
): AsyncGenerator<ChatToolStreamEvent, void, undefined> {
  let text = '';
  const calls = new Map<string, ChatToolCall>();
  for await (const part of parts) {
    if (part.type === 'delta') {
      text += part.text;
      yield part;
    } else if (part.type === 'tool_call_delta') {
      const call = calls.get(part.id);
      if (call) call.arguments += part.argumentsDelta;
      else calls.set(part.id, { id: part.id, name: part.name, arguments: part.argumentsDelta });
      yield part;
    } else {
      facts.reportUsage(part.usage.totalTokens);
      const toolCalls = part.toolCalls ?? [...calls.values()];
      const result: ChatResult = {
        text,
        ...(toolCalls.length > 0 ? { toolCalls } : {}),
        finishReason: part.finishReason,
        usage: part.usage,
        provider: facts.provider,
        model: part.model ?? facts.model,
        keyId: facts.keyId,
        ...(part.requestId ? { requestId: part.requestId } : {}),
      };
      yield { type: 'done', result };
    }
  }
}

/** An adapter's full stream without its tool-call deltas: what `ProviderAdapter.stream` yields. */
export async function* withoutToolCallDeltas(
  parts: AsyncIterable<ChatToolStreamPart>,
): AsyncGenerator<ChatStreamPart, void, undefined> {
  for await (const part of parts) if (part.type !== 'tool_call_delta') yield part;
}
