import type { ProviderName } from './categories';

/** One message of a conversation in the unified format. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A chat request in the unified format every adapter understands. */
export interface ChatRequest {
  model: string;
  messages: readonly ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  stop?: readonly string[];
  /**
   * Continue this partial assistant answer instead of starting a new one (an assistant prefill, mapped by each
   * provider's `*-prefill.ts`). Set by stream continuation for models that accept a prefill; never ends in whitespace.
   */
  continueFrom?: string;
  /** Cancels the call; an aborted call never retries and never falls back. */
  signal?: AbortSignal;
}

/** Token usage of one answer. */
export interface ChatUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

/** Why an answer ended, in the unified vocabulary. */
export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls' | 'other';

/** A complete answer in the unified format. */
export interface ChatResult {
  text: string;
  finishReason: FinishReason;
  usage: ChatUsage;
  provider: ProviderName;
  model: string;
  /** The id of the key that served it (never the secret). */
  keyId: string;
  /** The provider's request or response id, when it gave one. */
  requestId?: string;
}

/** One event of a unified stream: text deltas, then exactly one `done` carrying the whole result. */
export type ChatStreamEvent = { type: 'delta'; text: string } | { type: 'done'; result: ChatResult };

/** What an adapter reports about an answer it streamed, for the final `done` event. */
export type ChatStreamPart =
  | { type: 'delta'; text: string }
  | { type: 'done'; finishReason: FinishReason; usage: ChatUsage; model?: string; requestId?: string };

/** Rough token estimate used to reserve tpm capacity before a call: about four characters a token. */
export function estimateRequestTokens(request: ChatRequest): number {
  let characters = 0;
  for (const message of request.messages) characters += message.content.length + 4;
  return Math.ceil(characters / 4) + (request.maxTokens ?? 256);
}
