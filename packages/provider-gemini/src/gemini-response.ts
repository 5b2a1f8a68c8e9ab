import type { GenerateContentResponse } from '@google/genai';
import type { ChatUsage } from '@keypool/core';

/**
 * The answer text of a response or stream chunk: the first candidate's text parts joined, thought parts left out.
 * Unlike the SDK's `response.text` getter it never logs a warning (the library never writes to the console).
 */
export function geminiResponseText(response: GenerateContentResponse): string {
  const parts = response.candidates?.[0]?.content?.parts;
  if (!parts) return '';
  let text = '';
  for (const part of parts) if (typeof part.text === 'string' && part.thought !== true) text += part.text;
  return text;
}

/**
 * Unified usage from `usageMetadata`: input is the prompt (with tool-use prompt) tokens, output the candidates' plus
 * thinking tokens, so `totalTokens` is their sum, as Gemini counts `totalTokenCount`; cached content tokens (part of
 * the prompt count) are `cachedInputTokens`.
 */
export function geminiUsage(metadata: GenerateContentResponse['usageMetadata']): ChatUsage {
  const inputTokens = (metadata?.promptTokenCount ?? 0) + (metadata?.toolUsePromptTokenCount ?? 0);
  const outputTokens = (metadata?.candidatesTokenCount ?? 0) + (metadata?.thoughtsTokenCount ?? 0);
  const cached = metadata?.cachedContentTokenCount ?? 0;
  return {
    inputTokens,
    outputTokens,
    totalTokens: inputTokens + outputTokens,
    ...(cached > 0 ? { cachedInputTokens: cached } : {}),
  };
}

/** The tokens a response reports in all (`totalTokenCount`), for the pool's tpm accounting. */
export function geminiTotalTokens(response: unknown): number | undefined {
  const total = (response as GenerateContentResponse | undefined)?.usageMetadata?.totalTokenCount;
  return typeof total === 'number' ? total : undefined;
}
