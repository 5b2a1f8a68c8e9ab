import type { RoutedMethod } from '@keypool/core';

interface ChunkChoice {
  finish_reason?: string | null;
  delta?: { content?: string | null };
  text?: string;
}
interface CompletionChunk {
  choices?: ChunkChoice[];
  usage?: { total_tokens?: number } | null;
}
interface ResponseEvent {
  type?: string;
  delta?: unknown;
  response?: { usage?: { total_tokens?: number } | null };
}

/** Keys whose values are media or files, not text: left out of token estimates. */
const NON_TEXT_KEYS = new Set(['image_url', 'file', 'file_data', 'input_audio', 'audio', 'url', 'image']);
const RESPONSE_END_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/** The arguments with the attempt's signal (already tied to the caller's) in the request options, SDK retries off. */
function withSignal(args: readonly unknown[], signal: AbortSignal): unknown[] {
  const options = (typeof args[1] === 'object' && args[1] !== null ? args[1] : {}) as Record<string, unknown>;
  return [args[0], { ...options, signal, maxRetries: 0 }, ...args.slice(2)];
}

/**
 * The arguments with the SDK's own per-request timeout instead of a signal (for calls whose caller passed none: a
 * fresh signal per attempt costs the SDK tens of microseconds), SDK retries off.
 */
function withTimeout(args: readonly unknown[], timeout: number): unknown[] {
  const options = (typeof args[1] === 'object' && args[1] !== null ? args[1] : {}) as Record<string, unknown>;
  return [args[0], { ...options, timeout, maxRetries: 0 }, ...args.slice(2)];
}

function streams(args: readonly unknown[]): boolean {
  return (args[0] as { stream?: unknown } | undefined)?.stream === true;
}

function usageOf(result: unknown): number | undefined {
  const total = (result as { usage?: { total_tokens?: unknown } | null } | undefined)?.usage?.total_tokens;
  return typeof total === 'number' ? total : undefined;
}

/**
 * True for the chunk that ends a chat or text completion stream properly: the usage chunk, or a finished choice when
 * no usage chunk is coming. With `stream_options.include_usage` OpenAI sends `usage: null` on every other chunk, so a
 * finished choice in such a chunk is not the end yet; a stream cut between the two is reported as interrupted.
 */
function completionStreamEnded(chunk: unknown): boolean {
  const value = chunk as CompletionChunk;
  if (value.usage) return true;
  if (value.usage === null) return false;
  return value.choices?.some((choice) => Boolean(choice.finish_reason)) ?? false;
}

/** A rough token count of a request's text (about four characters a token), skipping media and file payloads. */
function textTokens(value: unknown, depth = 0): number {
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

function budget(body: unknown, fields: readonly string[], fallback: number): number {
  const record = (body ?? {}) as Record<string, unknown>;
  for (const field of fields) if (typeof record[field] === 'number') return record[field];
  return fallback;
}

const chatCompletion = {
  withSignal,
  withTimeout,
  // The SDK links the caller's signal to its own timeout controller.
  timeoutKeepsCallerSignal: true,
  streams,
  usageOf,
  estimateTokens: (args: readonly unknown[]) => {
    const body = args[0] as { messages?: unknown } | undefined;
    return textTokens(body?.messages) + budget(body, ['max_completion_tokens', 'max_tokens'], 256);
  },
  textOf: (chunk: unknown) => (chunk as CompletionChunk).choices?.[0]?.delta?.content ?? undefined,
  chunkUsageOf: (chunk: unknown) => (chunk as CompletionChunk).usage?.total_tokens,
  isTerminal: completionStreamEnded,
} satisfies Omit<RoutedMethod, 'path'>;

const response = {
  withSignal,
  withTimeout,
  // The SDK links the caller's signal to its own timeout controller.
  timeoutKeepsCallerSignal: true,
  streams,
  usageOf,
  estimateTokens: (args: readonly unknown[]) => {
    const body = args[0] as { input?: unknown; instructions?: unknown } | undefined;
    return (
      textTokens(body?.input) + textTokens(body?.instructions) + budget(body, ['max_output_tokens'], 256)
    );
  },
  textOf: (chunk: unknown) => {
    const event = chunk as ResponseEvent;
    return event.type === 'response.output_text.delta' && typeof event.delta === 'string'
      ? event.delta
      : undefined;
  },
  chunkUsageOf: (chunk: unknown) => (chunk as ResponseEvent).response?.usage?.total_tokens,
  // `response.failed` ends the stream as the protocol says; the caller sees the failure in that event, as natively.
  isTerminal: (chunk: unknown) => RESPONSE_END_EVENTS.has((chunk as ResponseEvent).type ?? ''),
} satisfies Omit<RoutedMethod, 'path'>;

/**
 * The `openai` client methods that call the model, routed through the pool by `pool.client`: chat completions
 * (plain, streaming and `parse`), responses (plain, streaming and `parse`), embeddings and legacy completions.
 * Everything else on the client passes through untouched.
 */
export const OPENAI_ROUTES: readonly RoutedMethod[] = [
  { path: 'chat.completions.create', ...chatCompletion },
  { path: 'chat.completions.parse', ...chatCompletion, streams: () => false },
  { path: 'responses.create', ...response },
  { path: 'responses.parse', ...response, streams: () => false },
  {
    path: 'embeddings.create',
    withSignal,
    withTimeout,
    // The SDK links the caller's signal to its own timeout controller.
    timeoutKeepsCallerSignal: true,
    usageOf,
    estimateTokens: (args) => textTokens((args[0] as { input?: unknown } | undefined)?.input),
  },
  {
    path: 'completions.create',
    withSignal,
    withTimeout,
    // The SDK links the caller's signal to its own timeout controller.
    timeoutKeepsCallerSignal: true,
    streams,
    usageOf,
    estimateTokens: (args) => {
      const body = args[0] as { prompt?: unknown } | undefined;
      return textTokens(body?.prompt) + budget(body, ['max_tokens'], 16);
    },
    textOf: (chunk) => (chunk as CompletionChunk).choices?.[0]?.text,
    chunkUsageOf: (chunk) => (chunk as CompletionChunk).usage?.total_tokens,
    isTerminal: completionStreamEnded,
  },
];
