import type { Answer } from './answer.ts';
import type { ConversationFacts } from './conversation-facts.ts';
import type { Failure } from './failure.ts';
import type { RateLimitSnapshot } from './key-state.ts';
import type { HeaderMap } from './rate-limit-headers.ts';

/** The providers the emulator speaks (Azure OpenAI is OpenAI's wire format on Azure's paths and key header). */
export type ProviderName = 'openai' | 'anthropic' | 'gemini' | 'mistral' | 'azure-openai';

/** A chat request reduced to what the emulator needs, whatever the provider's wire format. */
export interface ChatRequest {
  model: string;
  stream: boolean;
  /** All prompt text (system + every message), for the prompt token count. */
  promptText: string;
  /** Text of the last user message, echoed back. */
  lastUserText: string;
  /** The request's completion budget, if it set one. */
  maxTokens: number | undefined;
  /** OpenAI `stream_options.include_usage`: send the usage chunk at the end of the stream. */
  includeUsage: boolean;
  /** Present when the request asked for JSON output (`response_format` json_schema/json_object), with its schema. */
  structuredOutput?: { schema: unknown };
  /** Tools, tool results, output format and media, when the request has any of them. */
  facts?: ConversationFacts;
  /**
   * The trailing assistant message the model is asked to continue (Anthropic trailing `assistant`, Gemini trailing
   * `model` content, Mistral `prefix: true`); OpenAI chat has none.
   */
  prefill?: string;
}

/** What the route parsed out of the URL before the body (Gemini puts the model and the stream flag there). */
export interface RouteFacts {
  model?: string;
  stream?: boolean;
}

/** Per-response context handed to the renderers. */
export interface RenderContext {
  request: ChatRequest;
  requestId: string;
  /** Request arrival time, ms since epoch. */
  now: number;
  rateLimits: RateLimitSnapshot;
}

/** A complete non-streaming HTTP answer. */
export interface HttpAnswer {
  status: number;
  headers: HeaderMap;
  body: string;
}

/** A stream as SSE frames (each frame a complete `event:`/`data:` block with its blank line). */
export interface StreamPlan {
  /** Frames before the first content chunk (OpenAI role chunk, Anthropic message_start, ...). */
  head: string[];
  /** One frame per content chunk. */
  content: string[];
  /** Frames after the content: finish, usage and the terminator (unless `terminator: false`). */
  tail: string[];
}

/** How one provider reads requests and writes answers, errors and streams in its own wire format. */
export interface ProviderDialect {
  readonly provider: ProviderName;
  /** The API key from the request headers or query; undefined when none was sent. */
  readKey(headers: Record<string, string | string[] | undefined>, query: URLSearchParams): string | undefined;
  /** Parses a JSON body into a chat request, or returns the provider's wording of what is missing. */
  parseRequest(body: unknown, facts: RouteFacts): ChatRequest | string;
  /** Headers every answer for this request carries (request id, rate limits). */
  commonHeaders(context: RenderContext): HeaderMap;
  /** The provider's answer to a refused request. */
  renderFailure(failure: Failure, context: RenderContext): HttpAnswer;
  /** The provider's non-streaming success body. */
  renderSuccess(answer: Answer, context: RenderContext): string;
  /** The provider's stream, as frames. */
  renderStream(answer: Answer, context: RenderContext, options: { terminator: boolean }): StreamPlan;
  /** A frame whose data line is not JSON. */
  malformedFrame(): string;
  /** The provider's mid-stream error frame (overloaded). */
  midStreamErrorFrame(context: RenderContext): string;
}

/** Reads the bearer token of an `Authorization` header, if any. */
export function bearerToken(value: string | string[] | undefined): string | undefined {
  const header = Array.isArray(value) ? value[0] : value;
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1]?.trim() || undefined;
}

/** The first value of a header that may repeat. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Text of a message `content`: a string, or an array of parts whose `text` fields are joined. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) {
    if (typeof part === 'string') text += part;
    else if (isRecord(part) && typeof part.text === 'string') text += part.text;
  }
  return text;
}

/** Narrows an unknown JSON value to a plain object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A finite number field, or undefined. */
export function numberField(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Formats one SSE frame: optional `event:` line, one `data:` line, and the blank line. */
export function sseFrame(data: string, event?: string): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`;
}
