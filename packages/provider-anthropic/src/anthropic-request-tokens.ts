import type { SdkRequestOptions } from '@keypool/core';

/**
 * Tokens to reserve for a Messages call (tpm limits): about four characters a token over the system prompt and the
 * text of the messages, plus `max_tokens`. Only strings are walked, so it stays cheap.
 */
export function estimateMessageTokens(params: unknown): number {
  const body = params as { system?: unknown; messages?: unknown; max_tokens?: unknown } | undefined;
  if (!body) return 0;
  const characters = textLength(body.system) + textLength(body.messages);
  const maxTokens = typeof body.max_tokens === 'number' ? body.max_tokens : 0;
  return Math.ceil(characters / 4) + maxTokens;
}

/** Tokens to reserve for a request `pool.client` sends: the Messages estimate for `/v1/messages`, none otherwise. */
export function estimateAnthropicRequestTokens(options: SdkRequestOptions): number | undefined {
  return /^\/v1\/messages(?:\?|$)/.test(options.path) ? estimateMessageTokens(options.body) : undefined;
}

/** Tokens an Anthropic JSON answer reports it used (`usage.input_tokens + usage.output_tokens`). */
export function anthropicUsageOf(body: unknown): number | undefined {
  const usage = (
    body as { usage?: { input_tokens?: number | null; output_tokens?: number | null } | null } | null
  )?.usage;
  if (!usage) return undefined;
  return (usage.input_tokens ?? 0) + (usage.output_tokens ?? 0);
}

function textLength(value: unknown, depth = 0): number {
  if (typeof value === 'string') return value.length;
  if (depth > 4 || value === null || typeof value !== 'object') return 0;
  if (Array.isArray(value)) {
    let total = 0;
    for (const item of value) total += textLength(item, depth + 1) + (depth === 0 ? 4 : 0);
    return total;
  }
  const record = value as { text?: unknown; content?: unknown };
  return textLength(record.text, depth + 1) + textLength(record.content, depth + 1);
}
