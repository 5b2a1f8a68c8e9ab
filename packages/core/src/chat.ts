import type { ProviderName } from './categories';

/** A JSON Schema, as a plain JSON object (e.g. `{ type: 'object', properties: {...}, required: [...] }`). */
export type JsonSchema = Record<string, unknown>;

/** Text in a multi-part message. */
export interface ChatTextPart {
  type: 'text';
  text: string;
}

/**
 * Where a media part's bytes are: a URL (`https:` or a `data:` URL), or the bytes themselves (base64 text or raw
 * bytes). Give exactly one of `url` and `data`.
 */
export type ChatMediaSource = { url: string; data?: never } | { data: string | Uint8Array; url?: never };

/** An image in a user message. `mediaType` (e.g. `image/png`) is required with `data` and for Gemini URLs. */
export type ChatImagePart = { type: 'image'; mediaType?: string } & ChatMediaSource;

/** A document (e.g. a PDF) in a user message, where the provider accepts one. */
export type ChatDocumentPart = { type: 'document'; mediaType: string; name?: string } & ChatMediaSource;

/** One part of a multi-part user message. */
export type ChatUserPart = ChatTextPart | ChatImagePart | ChatDocumentPart;

/**
 * A tool call the model made. `id` is kept verbatim across providers (a provider that needs another id format gets
 * a stable translation on the wire, and its answers are translated back); `arguments` is the JSON text of the input.
 */
export interface ChatToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** A system prompt. Several system messages are joined by blank lines. */
export interface ChatSystemMessage {
  role: 'system';
  content: string;
}

/** What the user says: text, or parts (text, images, documents). */
export interface ChatUserMessage {
  role: 'user';
  content: string | readonly ChatUserPart[];
}

/** What the model said before: its text and the tools it called. */
export interface ChatAssistantMessage {
  role: 'assistant';
  content: string;
  toolCalls?: readonly ChatToolCall[];
}

/** The result of one tool call, sent back to the model. */
export interface ChatToolMessage {
  role: 'tool';
  /** The `id` of the assistant's tool call this answers. */
  toolCallId: string;
  /** The tool's name; found from the assistant's tool call when left out. */
  toolName?: string;
  /** The result, usually JSON text. */
  content: string;
  /** The tool failed and `content` says why. */
  isError?: boolean;
}

/** One message of a conversation in the unified format. */
export type ChatMessage = ChatSystemMessage | ChatUserMessage | ChatAssistantMessage | ChatToolMessage;

/** A tool the model may call: its name, what it does, and its input as a JSON Schema (an object schema). */
export interface ChatTool {
  name: string;
  description?: string;
  parameters: JsonSchema;
  /** Ask the provider to hold the arguments to the schema exactly, where it can (OpenAI, Mistral). */
  strict?: boolean;
}

/** Whether and which tool the model must call: `auto` (its choice), `none`, `required` (any), or one named tool. */
export type ChatToolChoice = 'auto' | 'none' | 'required' | { name: string };

/** The answer's format: text (the default), any JSON object, or JSON that follows `schema`. */
export type ChatResponseFormat =
  | { type: 'text' }
  | { type: 'json'; schema?: JsonSchema; name?: string; description?: string };

/** A chat request in the unified format every adapter understands. */
export interface ChatRequest {
  model: string;
  messages: readonly ChatMessage[];
  maxTokens?: number;
  temperature?: number;
  /** Nucleus sampling. */
  topP?: number;
  /** A seed for repeatable sampling, where the provider has one. */
  seed?: number;
  stop?: readonly string[];
  /** Tools the model may call. */
  tools?: readonly ChatTool[];
  toolChoice?: ChatToolChoice;
  /** Allow several tool calls in one answer (the provider's default when unset). */
  parallelToolCalls?: boolean;
  responseFormat?: ChatResponseFormat;
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
  /** Input tokens read from the provider's prompt cache (part of `inputTokens`), where it reports them. */
  cachedInputTokens?: number;
}

/** Why an answer ended, in the unified vocabulary. */
export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls' | 'other';

/** A complete answer in the unified format. */
export interface ChatResult {
  text: string;
  /** The tools the model called, in order (absent when it called none). */
  toolCalls?: readonly ChatToolCall[];
  finishReason: FinishReason;
  usage: ChatUsage;
  provider: ProviderName;
  model: string;
  /** The id of the key that served it (never the secret). */
  keyId: string;
  /** The provider's request or response id, when it gave one. */
  requestId?: string;
}

/**
 * A piece of a tool call being streamed. `id` and `name` are on every piece; the `argumentsDelta` pieces of one `id`
 * join to its `arguments`. `index` is the call's position in the answer.
 */
export interface ChatToolCallDelta {
  type: 'tool_call_delta';
  index: number;
  id: string;
  name: string;
  argumentsDelta: string;
}

/** One event of a unified text stream: text deltas, then exactly one `done` carrying the whole result. */
export type ChatStreamEvent = { type: 'delta'; text: string } | { type: 'done'; result: ChatResult };

/**
 * One event of a unified stream with tools (see `streamChat`): text deltas and tool-call deltas, then exactly one
 * `done` carrying the whole result with the assembled `toolCalls`.
 */
export type ChatToolStreamEvent = ChatStreamEvent | ChatToolCallDelta;

/** What an adapter reports about an answer it streamed: text deltas, then the final `done`. */
export type ChatStreamPart =
  | { type: 'delta'; text: string }
  | {
      type: 'done';
      finishReason: FinishReason;
      usage: ChatUsage;
      model?: string;
      requestId?: string;
      /** The tool calls of the answer, assembled (the engine also assembles them from the deltas). */
      toolCalls?: readonly ChatToolCall[];
    };

/** What an adapter's full stream reports: text deltas, tool-call deltas, then the final `done`. */
export type ChatToolStreamPart = ChatStreamPart | ChatToolCallDelta;

export { estimateRequestTokens } from './estimate-request-tokens';
