import type { ChatRequest, ChatUsage } from '@keypool/core';
import type { ChatCompletionRequest, UsageInfo } from '@mistralai/mistralai/models/components';
import { mistralPrefill } from './mistral-prefill';

/**
 * The unified request as the Mistral SDK takes it (the SDK turns it into the snake_case body: `max_tokens`,
 * `temperature`, `stop`). The signal is passed separately, in the request options.
 */
export function toMistralChatRequest(request: ChatRequest): ChatCompletionRequest {
  const body: ChatCompletionRequest = {
    model: request.model,
    messages: [
      ...request.messages.map((message) => ({ role: message.role, content: message.content })),
      ...mistralPrefill(request),
    ],
  };
  if (request.maxTokens !== undefined) body.maxTokens = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.stop !== undefined) body.stop = [...request.stop];
  return body;
}

/** Mistral's `usage` in the unified shape; the total is always input + output. */
export function toChatUsage(usage: UsageInfo | null | undefined): ChatUsage {
  const inputTokens = usage?.promptTokens ?? 0;
  const outputTokens = usage?.completionTokens ?? 0;
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens };
}
