import type { SdkRequestOptions } from '@keypool/core';

/** Keys whose values are media or files, not text: left out of token estimates. */
const NON_TEXT_KEYS = new Set(['image_url', 'file', 'file_data', 'input_audio', 'audio', 'url', 'image']);

/** A rough token count of a request's text (about four characters a token), skipping media and file payloads. */
export function textTokens(value: unknown, depth = 0): number {
  if (typeof value === 'string') return Math.ceil(value.length / 4);
  if (depth > 6 || typeof value !== 'object' || value === null) return 0;
  let total = 0;
  if (Array.isArray(value)) {
    for (const item of value) total += textTokens(item, depth + 1);
    return total;
  }
  for (const [key, item] of Object.entries(value)) {
    if (!NON_TEXT_KEYS.has(key)) total += textTokens(item, depth + 1);
  }
  return total;
}

/** The first numeric field of `body` among `fields`, else `fallback`. */
export function outputBudget(body: unknown, fields: readonly string[], fallback: number): number {
  const record = (body ?? {}) as Record<string, unknown>;
  for (const field of fields) if (typeof record[field] === 'number') return record[field];
  return fallback;
}

/**
 * Tokens to reserve for a request `pool.client` sends (tpm limits): the text of the prompt plus the output budget,
 * for the endpoints that spend tokens (chat completions, responses, completions, embeddings); none for the rest.
 */
export function estimateOpenAIRequestTokens(options: SdkRequestOptions): number | undefined {
  const body = options.body as Record<string, unknown> | undefined;
  if (typeof body !== 'object' || body === null) return undefined;
  switch (options.path) {
    case '/chat/completions':
      return textTokens(body.messages) + outputBudget(body, ['max_completion_tokens', 'max_tokens'], 256);
    case '/responses':
      return (
        textTokens(body.input) +
        textTokens(body.instructions) +
        outputBudget(body, ['max_output_tokens'], 256)
      );
    case '/completions':
      return textTokens(body.prompt) + outputBudget(body, ['max_tokens'], 16);
    case '/embeddings':
      return textTokens(body.input);
    default:
      return undefined;
  }
}

/** Tokens an OpenAI JSON answer reports it used (`usage.total_tokens`). */
export function openAIUsageOf(body: unknown): number | undefined {
  const total = (body as { usage?: { total_tokens?: unknown } | null } | null)?.usage?.total_tokens;
  return typeof total === 'number' ? total : undefined;
}
