import type { ConversationFacts } from './conversation-facts.ts';
import { estimateTokens } from './estimate-tokens.ts';
import { type EmulatedToolCall, planReply } from './plan-reply.ts';

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
  /** The tools the model calls instead of answering in text (then `text` is empty). */
  toolCalls?: EmulatedToolCall[];
}

const MAX_CHUNKS = 24;

function splitIntoChunks(text: string): string[] {
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
 * Builds the answer: `Echo: <lastUserText>` (or `fullText` when given, e.g. structured output), truncated to
 * `maxTokens` tokens (4 characters each), with token counts from {@link estimateTokens} applied to the whole prompt
 * text and to the completion. With `facts` (tools, tool results, JSON output, media), the reply follows
 * {@link planReply}: tool calls, or its text, cut the same way; a `fullText` (a model's own structured output,
 * broken on purpose or not) wins over the planned text.
 */
export function buildAnswer(
  promptText: string,
  lastUserText: string,
  maxTokens: number,
  fullText?: string,
  facts?: ConversationFacts,
): Answer {
  const plan = facts ? planReply(facts, lastUserText) : undefined;
  if (plan?.type === 'tool_calls' && fullText === undefined) {
    return {
      text: '',
      chunks: [],
      promptTokens: estimateTokens(promptText),
      completionTokens: estimateTokens(JSON.stringify(plan.calls)),
      truncated: false,
      toolCalls: plan.calls,
    };
  }
  const full = fullText ?? (plan?.type === 'text' ? plan.text : undefined) ?? `Echo: ${lastUserText}`;
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
