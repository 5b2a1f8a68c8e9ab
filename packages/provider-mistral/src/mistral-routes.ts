import type { RoutedMethod, RoutedStream } from '@keypool/core';
import { mistralContentText } from './mistral-content-text';
import { toMistralEventStream } from './mistral-event-stream';
import { type MistralRequestOptions, withAttemptSignal, withAttemptTimeout } from './mistral-request-options';
import { MISTRAL_STREAM_CONTINUATION } from './mistral-stream-continuation';

/** A streamed chat, FIM or agents event as the SDK yields it: `{ data: CompletionChunk }`. */
interface CompletionEventLike {
  data?: {
    usage?: { totalTokens?: number } | null;
    choices?: { delta?: { content?: unknown }; finishReason?: string | null }[];
  };
}

/** Any SDK answer that reports usage. */
interface UsageCarrier {
  usage?: { totalTokens?: number; total_tokens?: number } | null;
}

const DEFAULT_COMPLETION_TOKENS = 256;

/** Characters of every string inside a value, so a token estimate covers messages, prompts and inputs alike. */
function charactersOf(value: unknown, depth = 0): number {
  if (typeof value === 'string') return value.length;
  if (depth > 6 || value === null || typeof value !== 'object') return 0;
  let total = 0;
  if (Array.isArray(value)) for (const item of value) total += charactersOf(item, depth + 1);
  else for (const item of Object.values(value)) total += charactersOf(item, depth + 1);
  return total;
}

/** Rough token estimate of a request (about four characters a token, plus the completion budget). */
export function estimateMistralRequestTokens(request: unknown, completion = true): number {
  if (!request || typeof request !== 'object') return 0;
  const body = request as {
    messages?: unknown;
    inputs?: unknown;
    input?: unknown;
    prompt?: unknown;
    suffix?: unknown;
    maxTokens?: number | null;
  };
  const characters =
    charactersOf(body.messages) +
    charactersOf(body.inputs) +
    charactersOf(body.input) +
    charactersOf(body.prompt) +
    charactersOf(body.suffix);
  const answer = completion ? (body.maxTokens ?? DEFAULT_COMPLETION_TOKENS) : 0;
  return Math.ceil(characters / 4) + answer;
}

function usageOf(result: unknown): number | undefined {
  const usage = (result as UsageCarrier | null | undefined)?.usage;
  const total = usage?.totalTokens ?? usage?.total_tokens;
  return typeof total === 'number' ? total : undefined;
}

function completionText(chunk: unknown): string | undefined {
  const choice = (chunk as CompletionEventLike).data?.choices?.[0];
  const text = mistralContentText(choice?.delta?.content);
  return text === '' ? undefined : text;
}

function completionUsage(chunk: unknown): number | undefined {
  const total = (chunk as CompletionEventLike).data?.usage?.totalTokens;
  return typeof total === 'number' ? total : undefined;
}

/**
 * The chunk that ends a completion stream: it carries a `finish_reason`. The SDK swallows the `data: [DONE]` line,
 * so the finish reason is the only end marker a consumer can see; a stream cut before it is interrupted.
 */
export function isTerminalMistralChunk(chunk: unknown): boolean {
  const choices = (chunk as CompletionEventLike).data?.choices;
  if (!choices) return false;
  for (const choice of choices)
    if (choice.finishReason !== null && choice.finishReason !== undefined) return true;
  return false;
}

/** Options of the routed methods. */
export interface MistralRouteOptions {
  /** The client's `timeoutMs`, applied per attempt (the SDK drops it once the pool passes its own signal). */
  timeoutMs?: number;
}

/**
 * The Mistral client methods that call a model, and how each runs through the pool: chat (`complete`, `stream`,
 * `parse`, `parseStream`), FIM, agents, embeddings, classifiers, OCR, audio transcriptions and speech, and beta
 * conversations. `mistralRouteSet` adds the generic route every other method (models, files, batch...) takes.
 */
export function createMistralRoutes(options: MistralRouteOptions = {}): RoutedMethod[] {
  return mistralRouteSet(options).routes;
}

/**
 * The routes of `createMistralRoutes` plus the generic route every other method of the client's resources takes
 * (model listing, files, batch jobs...): through the pool, with rotation and no token estimate.
 */
export function mistralRouteSet(options: MistralRouteOptions = {}): {
  routes: RoutedMethod[];
  generic: Omit<RoutedMethod, 'path'>;
} {
  const timeoutMs = options.timeoutMs;
  const withSignal = (args: readonly unknown[], signal: AbortSignal): unknown[] => [
    args[0],
    withAttemptSignal(args[1], signal, timeoutMs),
    ...args.slice(2),
  ];
  // A call whose caller passed no signal gets the SDK's own `timeoutMs` (the attempt's remaining time, or the
  // client's shorter one) instead of a per-attempt signal, which costs the SDK tens of microseconds.
  const withTimeout = (args: readonly unknown[], attemptMs: number): unknown[] => [
    args[0],
    withAttemptTimeout(args[1], attemptMs, timeoutMs),
    ...args.slice(2),
  ];
  // The engine enforces the call's (or the client's) `timeoutMs` with its own timer: the SDK's can be lost.
  const timeoutOf = (args: readonly unknown[]): number | undefined => {
    const own = (args[1] as MistralRequestOptions | undefined)?.timeoutMs ?? timeoutMs;
    return own !== undefined && own > 0 ? own : undefined;
  };
  const estimate = (args: readonly unknown[]) => estimateMistralRequestTokens(args[0]);
  const estimateInput = (args: readonly unknown[]) => estimateMistralRequestTokens(args[0], false);

  const plain = (path: string, estimateTokens = estimate): RoutedMethod => ({
    path,
    withSignal,
    withTimeout,
    timeoutOf,
    estimateTokens,
    usageOf,
  });
  const shapeStream = (stream: RoutedStream<unknown>) => toMistralEventStream(stream);
  const completionStream = (path: string): RoutedMethod => ({
    path,
    streams: () => true,
    ...(path === 'chat.stream' ? { continuation: MISTRAL_STREAM_CONTINUATION } : {}),
    shapeStream,
    withSignal,
    timeoutOf,
    estimateTokens: estimate,
    textOf: completionText,
    chunkUsageOf: completionUsage,
    isTerminal: isTerminalMistralChunk,
  });
  const otherStream = (path: string): RoutedMethod => ({
    path,
    streams: () => true,
    shapeStream,
    withSignal,
    timeoutOf,
    estimateTokens: estimate,
  });

  const routes: RoutedMethod[] = [
    plain('chat.complete'),
    completionStream('chat.stream'),
    plain('chat.parse'),
    completionStream('chat.parseStream'),
    plain('fim.complete'),
    completionStream('fim.stream'),
    plain('agents.complete'),
    completionStream('agents.stream'),
    plain('embeddings.create', estimateInput),
    plain('classifiers.moderate', estimateInput),
    plain('classifiers.moderateChat', estimateInput),
    plain('classifiers.classify', estimateInput),
    plain('classifiers.classifyChat', estimateInput),
    plain('ocr.process', estimateInput),
    plain('audio.transcriptions.complete', estimateInput),
    otherStream('audio.transcriptions.stream'),
    {
      ...plain('audio.speech.complete', estimateInput),
      streams: (args) => (args[0] as { stream?: unknown } | undefined)?.stream === true,
    },
    plain('beta.conversations.start'),
    plain('beta.conversations.append'),
    plain('beta.conversations.restart'),
    otherStream('beta.conversations.startStream'),
    otherStream('beta.conversations.appendStream'),
    otherStream('beta.conversations.restartStream'),
  ];
  return { routes, generic: { withSignal, withTimeout, timeoutOf, usageOf } };
}
