import type Anthropic from '@anthropic-ai/sdk';
import type { RoutedMethod } from '@keypool/core';

type StreamEvent = Anthropic.RawMessageStreamEvent;

/**
 * The SDK methods that call the model, routed through the pool by `createAnthropicPool`: `messages.create` (plain,
 * and streaming when `stream: true`), `messages.parse`, `messages.countTokens` and their `beta.messages` twins.
 * `messages.stream()` is routed separately (see `routeMessageStreams`) because it returns a `MessageStream` at once.
 */
export const ANTHROPIC_ROUTED_PATHS = [
  'messages.create',
  'messages.parse',
  'messages.countTokens',
  'beta.messages.create',
  'beta.messages.parse',
  'beta.messages.countTokens',
] as const;

/** The routing table of `createAnthropicPool`'s client, for core's `createPoolClient`. */
export function anthropicRoutes(): RoutedMethod[] {
  return ANTHROPIC_ROUTED_PATHS.map((path) =>
    path.endsWith('countTokens') ? countTokensRoute(path) : messageRoute(path),
  );
}

function messageRoute(path: string): RoutedMethod {
  const route: RoutedMethod<StreamEvent> = {
    path,
    streams: (args) => isStreaming(args[0]),
    withSignal: withAttemptSignal,
    withTimeout: withAttemptTimeout,
    // The SDK links the caller's signal to its own timeout controller.
    timeoutKeepsCallerSignal: true,
    estimateTokens: (args) => estimateMessageTokens(args[0]),
    usageOf: (result) => totalTokensOf((result as Partial<Anthropic.Message> | undefined)?.usage),
    textOf: streamEventText,
    chunkUsageOf: (event) => {
      if (event.type === 'message_start') return totalTokensOf(event.message.usage);
      if (event.type === 'message_delta') return totalTokensOf(event.usage);
      return undefined;
    },
    isTerminal: isMessageStop,
  };
  return route as RoutedMethod;
}

/** The text a streamed event carries: a `text_delta`'s text, else undefined. */
export function streamEventText(event: StreamEvent): string | undefined {
  return event.type === 'content_block_delta' && event.delta.type === 'text_delta'
    ? event.delta.text
    : undefined;
}

/** True for the event that ends a message stream properly (`message_stop`). */
export function isMessageStop(event: StreamEvent): boolean {
  return event.type === 'message_stop';
}

function countTokensRoute(path: string): RoutedMethod {
  return {
    path,
    withSignal: withAttemptSignal,
    withTimeout: withAttemptTimeout,
    timeoutKeepsCallerSignal: true,
    estimateTokens: () => 0,
  };
}

/**
 * The call's arguments with the attempt's signal in the request options (the 2nd argument), and the SDK's retries
 * forced off even if the caller asked for some: the engine is the one retry owner.
 */
export function withAttemptSignal(args: readonly unknown[], signal: AbortSignal): unknown[] {
  const [params, requestOptions, ...rest] = args;
  return [params, { ...(requestOptions as object | undefined), signal, maxRetries: 0 }, ...rest];
}

/**
 * The request options with the SDK's own timeout set to the attempt's remaining time, SDK retries off: used for a
 * call whose caller passed no signal (a fresh signal per attempt costs the SDK tens of microseconds).
 */
export function withAttemptTimeout(args: readonly unknown[], timeout: number): unknown[] {
  const [params, requestOptions, ...rest] = args;
  return [params, { ...(requestOptions as object | undefined), timeout, maxRetries: 0 }, ...rest];
}

/** True for a `messages.create` call that returns a stream (`stream: true`). */
export function isStreaming(params: unknown): boolean {
  return (params as { stream?: unknown } | undefined)?.stream === true;
}

function totalTokensOf(
  usage: { input_tokens?: number | null; output_tokens?: number | null } | null | undefined,
): number | undefined {
  if (!usage) return undefined;
  return (usage.input_tokens ?? 0) + (usage.output_tokens ?? 0);
}

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
