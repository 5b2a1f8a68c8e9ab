import type { GenerateContentResponse } from '@google/genai';
import type { RoutedMethod } from '@keypool/core';
import { estimateGeminiTokens } from './estimate-gemini-tokens.ts';
import { withoutKeyHeader } from './gemini-client.ts';
import { geminiResponseText, geminiTotalTokens } from './gemini-response.ts';
import { GEMINI_STREAM_CONTINUATION } from './gemini-stream-continuation.ts';

interface ParamsWithConfig {
  config?: {
    abortSignal?: AbortSignal;
    httpOptions?: { retryOptions?: unknown; headers?: Record<string, string> };
  };
}

/**
 * The call's parameters with the attempt's signal in `config.abortSignal` (where genai reads it; the caller's own
 * signal is already folded into it by the pool), merged with the caller's config. A per-request
 * `config.httpOptions` keeps everything but `retryOptions` (the engine owns retries) and an `x-goog-api-key`
 * header (each attempt must carry the key the engine chose).
 */
export function withGeminiSignal(args: readonly unknown[], signal: AbortSignal): unknown[] {
  const params = (args[0] ?? {}) as ParamsWithConfig;
  const config = { ...params.config, abortSignal: signal };
  const httpOptions = params.config?.httpOptions;
  if (httpOptions) {
    const { retryOptions: _retries, headers, ...rest } = httpOptions;
    config.httpOptions = headers ? { ...rest, headers: withoutKeyHeader(headers) } : rest;
  }
  return [{ ...params, config }, ...args.slice(1)];
}

const generateEstimate = (args: readonly unknown[]) => estimateGeminiTokens(args[0]);
const inputEstimate = (args: readonly unknown[]) => estimateGeminiTokens(args[0], false);

/** True for the chunk that ends a streamed answer: it has a `finishReason`, or the prompt was blocked. */
export function isGeminiTerminalChunk(chunk: unknown): boolean {
  const response = chunk as GenerateContentResponse;
  return (
    response.candidates?.[0]?.finishReason !== undefined || response.promptFeedback?.blockReason !== undefined
  );
}

/**
 * The `GoogleGenAI` methods that call a model, routed through the pool by `pool.client`: `models.generateContent`,
 * `models.generateContentStream` (resolves after the first chunk; chunks without a final `finishReason` end as an
 * interruption), `models.countTokens`, `models.computeTokens`, `models.embedContent`, and the image calls
 * (`generateImages`, `editImage`, `upscaleImage`, `recontextImage`, `segmentImage`). `chats.create()` sessions use
 * the routed `models`, so `chat.sendMessage`/`sendMessageStream` go through the pool too. Everything else (files,
 * caches, batches, operations, live, tunings...) passes through to the template client.
 */
export const GEMINI_ROUTES: readonly RoutedMethod[] = [
  {
    path: 'models.generateContent',
    withSignal: withGeminiSignal,
    estimateTokens: generateEstimate,
    usageOf: geminiTotalTokens,
  },
  {
    path: 'models.generateContentStream',
    streams: () => true,
    withSignal: withGeminiSignal,
    estimateTokens: generateEstimate,
    textOf: (chunk) => geminiResponseText(chunk as GenerateContentResponse),
    chunkUsageOf: geminiTotalTokens,
    isTerminal: isGeminiTerminalChunk,
    continuation: GEMINI_STREAM_CONTINUATION,
  },
  { path: 'models.countTokens', withSignal: withGeminiSignal },
  { path: 'models.computeTokens', withSignal: withGeminiSignal },
  { path: 'models.embedContent', withSignal: withGeminiSignal, estimateTokens: inputEstimate },
  { path: 'models.generateImages', withSignal: withGeminiSignal },
  { path: 'models.editImage', withSignal: withGeminiSignal },
  { path: 'models.upscaleImage', withSignal: withGeminiSignal },
  { path: 'models.recontextImage', withSignal: withGeminiSignal },
  { path: 'models.segmentImage', withSignal: withGeminiSignal },
];
