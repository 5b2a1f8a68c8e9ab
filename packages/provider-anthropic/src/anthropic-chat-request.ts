import type Anthropic from '@anthropic-ai/sdk';
import type { ChatRequest } from '@keypool/core';
import { anthropicPrefill } from './anthropic-prefill';

/** How the unified chat turns a request into Anthropic's Messages parameters. */
export interface AnthropicChatOptions {
  /** `max_tokens` when the request sets none (Anthropic requires it). Default 1024. */
  defaultMaxTokens?: number;
  /**
   * Send the request's `temperature`. Off by default: the 1.x SDK's API version (`2026-10-21`) rejects
   * `temperature`, `top_p` and `top_k` with a 400, so the unified chat drops it unless you opt in (e.g. for an
   * older `anthropic-version` set through `defaultHeaders`).
   */
  sendTemperature?: boolean;
}

/** The default `max_tokens` of the unified chat. */
export const DEFAULT_MAX_TOKENS = 1024;

/**
 * Builds the Messages API parameters of a unified chat request: system messages go to the top-level `system` field
 * (joined by blank lines), `maxTokens` to `max_tokens` (default 1024), `stop` to `stop_sequences`; `temperature` is
 * dropped unless `sendTemperature` is set.
 */
export function toAnthropicMessageParams(
  request: ChatRequest,
  options: AnthropicChatOptions = {},
): Anthropic.MessageCreateParamsNonStreaming {
  const system: string[] = [];
  const messages: Anthropic.MessageParam[] = [];
  for (const message of request.messages) {
    if (message.role === 'system') system.push(message.content);
    else messages.push({ role: message.role, content: message.content });
  }
  messages.push(...anthropicPrefill(request));
  const params: Anthropic.MessageCreateParamsNonStreaming = {
    model: request.model,
    max_tokens: request.maxTokens ?? options.defaultMaxTokens ?? DEFAULT_MAX_TOKENS,
    messages,
  };
  if (system.length > 0) params.system = system.join('\n\n');
  if (request.stop && request.stop.length > 0) params.stop_sequences = [...request.stop];
  // 1.x's types no longer declare `temperature`; it is still sent when set.
  if (options.sendTemperature && request.temperature !== undefined)
    (params as unknown as Record<string, unknown>).temperature = request.temperature;
  return params;
}
