import type { ServerResponse } from 'node:http';
import { type AttemptKey, type KeyPool, ProviderError } from '@keypool/core';
import type { ApiDialect } from './api-error';
import { anthropicStreamError } from './anthropic-wire';
import { sendError, sendJson, startEventStream, writeChunk } from './http-io';
import { openAIStreamError } from './openai-wire';

/** The upstream calls the gateway passes through byte for byte, with the provider SDK of the pool. */
export type NativeEndpoint = 'openai.chat' | 'openai.embeddings' | 'openai.responses' | 'anthropic.messages';

/** How a passed-through call ended: what the gateway reports in its events. */
export interface CallOutcome {
  status: number;
  keyId?: string;
  /** Tokens the upstream reported (non-streaming answers), for the virtual key's tpm budget. */
  tokens?: number;
  error?: unknown;
}

interface SdkCallOptions {
  signal: AbortSignal;
  timeout: number;
  headers?: Record<string, string>;
}

type RawCall = (client: never, body: Record<string, unknown>, options: SdkCallOptions) => Promise<Response>;

/** The one SDK method each endpoint calls; its promise has the SDKs' `asResponse()`. */
type CreateMethod = (body: unknown, options: SdkCallOptions) => { asResponse(): Promise<Response> };

function sdkCall(pick: (client: Record<string, Record<string, unknown>>) => unknown, name: string): RawCall {
  return (client, body, options) => {
    const resource = pick(client as Record<string, Record<string, unknown>>) as Record<string, CreateMethod>;
    return resource[name]!.call(resource, body, options).asResponse();
  };
}

/**
 * Each endpoint as its SDK call with `.asResponse()`: the SDK sends the request on the key the pool picked (its
 * errors are classified by the provider package, so rotation works as for any call), and the gateway gets the raw
 * HTTP answer to pass on without parsing and re-serialising it.
 */
const CALLS: Record<NativeEndpoint, RawCall> = {
  'openai.chat': sdkCall((client) => client.chat!.completions, 'create'),
  'openai.embeddings': sdkCall((client) => client.embeddings, 'create'),
  'openai.responses': sdkCall((client) => client.responses, 'create'),
  'anthropic.messages': sdkCall((client) => client.messages, 'create'),
};

/** The marker of a complete stream, per endpoint (a stream that ends without it was cut). */
const TERMINATORS: Partial<Record<NativeEndpoint, string>> = {
  'openai.chat': 'data: [DONE]',
  'anthropic.messages': 'event: message_stop',
};

/** The SDKs' own cap; an attempt without a finite limit gets this one (Anthropic refuses long calls without one). */
const MAX_SDK_TIMEOUT_MS = 600_000;

function sdkOptions(key: AttemptKey, headers: Record<string, string> | undefined): SdkCallOptions {
  const timeout = Number.isFinite(key.timeoutMs) ? Math.max(1, key.timeoutMs) : MAX_SDK_TIMEOUT_MS;
  return { signal: key.signal, timeout: Math.min(timeout, MAX_SDK_TIMEOUT_MS), ...(headers ? { headers } : {}) };
}

/** The tokens an answer reports: OpenAI `total_tokens`, Anthropic input plus output. */
export function usageTokens(text: string): number | undefined {
  if (!text.includes('"usage"')) return undefined;
  try {
    const usage = (JSON.parse(text) as { usage?: Record<string, unknown> }).usage;
    if (usage === undefined || usage === null) return undefined;
    if (typeof usage.total_tokens === 'number') return usage.total_tokens;
    const input = typeof usage.input_tokens === 'number' ? usage.input_tokens : 0;
    const output = typeof usage.output_tokens === 'number' ? usage.output_tokens : 0;
    return input + output || undefined;
  } catch {
    return undefined;
  }
}

/** Finds a marker in a byte stream, even when it is split across two chunks. */
function terminalDetector(marker: string): (chunk: Uint8Array) => boolean {
  let tail = '';
  const decoder = new TextDecoder();
  return (chunk) => {
    const text = tail + decoder.decode(chunk, { stream: true });
    tail = text.slice(-marker.length);
    return text.includes(marker);
  };
}

/** What a passthrough call needs besides the pool and the body. */
export interface NativeCallContext {
  response: ServerResponse;
  dialect: ApiDialect;
  signal: AbortSignal;
  estimatedTokens: number;
  /** Headers to pass on to the upstream (e.g. `anthropic-beta`). */
  upstreamHeaders?: Record<string, string>;
}

function upstreamRequestId(upstream: Response): string | undefined {
  return upstream.headers.get('x-request-id') ?? upstream.headers.get('request-id') ?? undefined;
}

/** Passes a non-streaming call through a pool: the upstream's status and body reach the client as they came. */
async function plainCall(
  endpoint: NativeEndpoint,
  pool: KeyPool,
  body: Record<string, unknown>,
  context: NativeCallContext,
): Promise<CallOutcome> {
  const call = CALLS[endpoint];
  const answer = await pool.run(
    async (client, key) => {
      const upstream = await call(client as never, body, sdkOptions(key, context.upstreamHeaders));
      const text = await upstream.text();
      const tokens = usageTokens(text);
      if (tokens !== undefined) key.reportUsage(tokens);
      return { status: upstream.status, text, keyId: key.id, tokens, requestId: upstreamRequestId(upstream) };
    },
    { signal: context.signal, estimatedTokens: context.estimatedTokens },
  );
  const headers: Record<string, string> = { 'x-keypool-key-id': answer.keyId };
  if (answer.requestId) headers[context.dialect === 'anthropic' ? 'request-id' : 'x-request-id'] = answer.requestId;
  sendJson(context.response, answer.status, answer.text, headers);
  return { status: answer.status, keyId: answer.keyId, ...(answer.tokens !== undefined ? { tokens: answer.tokens } : {}) };
}

/**
 * Passes a stream through a pool chunk by chunk. Until the first chunk the pool may rotate keys (nothing has reached
 * the client yet); after it, a failure ends the stream with the API's own error event, never a silent truncation.
 */
async function streamCall(
  endpoint: NativeEndpoint,
  pool: KeyPool,
  body: Record<string, unknown>,
  context: NativeCallContext,
): Promise<CallOutcome> {
  const call = CALLS[endpoint];
  const { response } = context;
  let keyId: string | undefined;
  const marker = TERMINATORS[endpoint];
  const isTerminal = marker === undefined ? undefined : terminalDetector(marker);
  const chunks = pool.executeStream<Uint8Array>(
    async (client, key) => {
      keyId = key.id;
      const upstream = await call(client as never, body, sdkOptions(key, context.upstreamHeaders));
      if (upstream.body === null) throw new Error('the upstream stream has no body');
      return upstream.body as unknown as AsyncIterable<Uint8Array>;
    },
    {
      signal: context.signal,
      estimatedTokens: context.estimatedTokens,
      ...(isTerminal ? { isTerminal } : {}),
    },
  );
  try {
    for await (const chunk of chunks) {
      if (!response.headersSent) startEventStream(response, keyId ? { 'x-keypool-key-id': keyId } : {});
      await writeChunk(response, chunk);
      if (context.signal.aborted) break;
    }
    response.end();
    return { status: 200, ...(keyId ? { keyId } : {}) };
  } catch (error) {
    if (context.signal.aborted) {
      response.destroy();
      return { status: 499, error };
    }
    if (!response.headersSent) return { status: sendError(response, context.dialect, error), error };
    const message = ProviderError.isInstance(error) ? error.message : 'the upstream stream failed';
    response.end(
      context.dialect === 'anthropic'
        ? anthropicStreamError(message)
        : openAIStreamError(message, 'stream_interrupted'),
    );
    return { status: 200, error, ...(keyId ? { keyId } : {}) };
  }
}

/** Passes one call through a provider pool with that provider's SDK, streaming or not as the body asks. */
export function nativeCall(
  endpoint: NativeEndpoint,
  pool: KeyPool,
  body: Record<string, unknown>,
  context: NativeCallContext,
): Promise<CallOutcome> {
  return body.stream === true ? streamCall(endpoint, pool, body, context) : plainCall(endpoint, pool, body, context);
}
