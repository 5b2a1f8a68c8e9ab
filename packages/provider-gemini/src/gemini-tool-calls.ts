import type { GenerateContentResponse } from '@google/genai';
import type { ChatToolCall } from '@keypool/core';

/**
 * The function calls of a response or stream chunk as unified tool calls, their `args` as JSON text. A call without
 * an id (older Gemini models send none) gets `<responseId>-call-<n>`, `n` counting from `firstIndex`, so a stream's
 * calls stay distinct.
 */
export function geminiToolCalls(response: GenerateContentResponse, firstIndex = 0): ChatToolCall[] {
  const calls: ChatToolCall[] = [];
  for (const part of response.candidates?.[0]?.content?.parts ?? []) {
    const call = part.functionCall;
    if (!call) continue;
    calls.push({
      id: call.id || `${response.responseId ?? 'gemini'}-call-${firstIndex + calls.length}`,
      name: call.name ?? '',
      arguments: JSON.stringify(call.args ?? {}),
    });
  }
  return calls;
}
