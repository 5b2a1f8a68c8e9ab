import type {
  JSONArray,
  LanguageModelV4Content,
  LanguageModelV4FinishReason,
  LanguageModelV4Usage,
  SharedV4ProviderMetadata,
} from '@ai-sdk/provider';
import type { ChatResult, ChatUsage, ContinuationRecord, FinishReason } from '@keypool/core';

/** Who served an answer, as a fallback chain reports it (absent for a single pool). */
export interface ServedStep {
  index: number;
  name: string;
  keyId: string;
  maskedKey: string;
}

/** A unified answer, possibly from a chain (with the step that served it and the attempts made). */
export type TargetResult = ChatResult & {
  served?: ServedStep;
  attempts?: readonly unknown[];
  /** How a streamed answer survived its breaks (`ContinuedResult.continued`), when it was streamed. */
  continued?: readonly ContinuationRecord[];
};

/** The answer's text and tool calls as AI SDK content parts. */
export function toContent(result: ChatResult): LanguageModelV4Content[] {
  const content: LanguageModelV4Content[] = [];
  if (result.text !== '') content.push({ type: 'text', text: result.text });
  for (const call of result.toolCalls ?? [])
    content.push({
      type: 'tool-call',
      toolCallId: call.id,
      toolName: call.name,
      input: call.arguments || '{}',
    });
  return content;
}

/** The unified finish reason in the AI SDK's vocabulary, the unified word kept as `raw`. */
export function toFinishReason(reason: FinishReason): LanguageModelV4FinishReason {
  const unified = (
    {
      stop: 'stop',
      length: 'length',
      content_filter: 'content-filter',
      tool_calls: 'tool-calls',
      other: 'other',
    } as const
  )[reason];
  return { unified, raw: reason };
}

/** Unified usage in the AI SDK's shape (cache reads split out of the input when the provider reported them). */
export function toUsage(usage: ChatUsage): LanguageModelV4Usage {
  const cacheRead = usage.cachedInputTokens;
  return {
    inputTokens: {
      total: usage.inputTokens,
      noCache: cacheRead === undefined ? usage.inputTokens : usage.inputTokens - cacheRead,
      cacheRead,
      cacheWrite: undefined,
    },
    outputTokens: { total: usage.outputTokens, text: usage.outputTokens, reasoning: undefined },
  };
}

/**
 * `providerMetadata.keypool`: the provider, model and key (id and masked form, never the secret) that served the
 * answer, for a chain the step (index and name) and how many attempts the chain made, and for a stream that survived a
 * break the `continued` records.
 */
export function toProviderMetadata(result: TargetResult): SharedV4ProviderMetadata {
  return {
    keypool: {
      provider: result.provider,
      model: result.model,
      keyId: result.keyId,
      ...(result.requestId !== undefined ? { requestId: result.requestId } : {}),
      ...(result.served
        ? {
            step: result.served.index,
            stepName: result.served.name,
            maskedKey: result.served.maskedKey,
            attempts: result.attempts?.length ?? 1,
          }
        : {}),
      // Each break the stream survived: where (`at` chars), from and to which model and key (ids), and how.
      ...(result.continued && result.continued.length > 0
        ? { continued: JSON.parse(JSON.stringify(result.continued)) as JSONArray }
        : {}),
    },
  };
}
