import { estimateTokens } from './estimate-tokens.ts';

/** The deterministic answer to a chat request. */
export interface Answer {
  /** The full completion text: `Echo: <last user message>`, cut to the completion budget. */
  text: string;
  /** The text split into stream chunks (at least two unless the text is very short); they join to `text`. */
  readonly chunks: string[];
  promptTokens: number;
  completionTokens: number;
  /** True if the text was cut to the budget (finish reason `length` / `max_tokens` / `MAX_TOKENS`). */
  truncated: boolean;
}

const MAX_CHUNKS = 24;

/** Splits an answer's text into stream chunks (by words, at most 24 chunks). */
export function splitIntoChunks(text: string): string[] {
  const words = text.match(/\s*\S+|\s+$/g) ?? [];
  if (words.length >= 3) {
    if (words.length <= MAX_CHUNKS) return words;
    const perChunk = Math.ceil(words.length / MAX_CHUNKS);
    const chunks: string[] = [];
    for (let index = 0; index < words.length; index += perChunk) {
      chunks.push(words.slice(index, index + perChunk).join(''));
    }
    return chunks;
  }
  const size = Math.max(1, Math.ceil(text.length / 3));
  const chunks: string[] = [];
  for (let index = 0; index < text.length; index += size) chunks.push(text.slice(index, index + size));
  return chunks.length > 0 ? chunks : [''];
}

/**
 * Builds the answer: `Echo: <lastUserText>`, truncated to `maxTokens` tokens (4 characters each), with token counts
 * from {@link estimateTokens} applied to the whole prompt text and to the completion.
 */
export function buildAnswer(promptText: string, lastUserText: string, maxTokens: number): Answer {
  const full = `Echo: ${lastUserText}`;
  const budget = Math.max(0, maxTokens) * 4;
  const truncated = full.length > budget;
  const text = truncated ? full.slice(0, budget) : full;
  // Chunks are only needed by streams: split on demand, keeping the plain path lean.
  return {
    text,
    get chunks(): string[] {
      return splitIntoChunks(text);
    },
    promptTokens: estimateTokens(promptText),
    completionTokens: estimateTokens(text),
    truncated,
  };
}
