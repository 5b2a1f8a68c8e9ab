import type { IncomingMessage, ServerResponse } from 'node:http';
import { type KeyPool, ProviderError } from '@keypool/core';
import { anthropicStreamError } from './anthropic-wire';
import type { ApiDialect } from './api-error';
import { sendError, sendJson, startEventStream, writeChunk } from './http-io';
import { openAIStreamError } from './openai-wire';
import {
  type NativeEndpoint,
  readUpstreamBody,
  sendUpstream,
  type UpstreamRequest,
} from './upstream-request';

export type { NativeEndpoint } from './upstream-request';

/** How a passed-through call ended: what the gateway reports in its events. */
export interface CallOutcome {
  status: number;
  keyId?: string;
  /** Tokens the upstream reported (non-streaming answers), for the virtual key's tpm budget. */
  tokens?: number;
  error?: unknown;
}

/** The marker of a complete stream, per endpoint (a stream that ends without it was cut). */
const TERMINATORS: Partial<Record<NativeEndpoint, string>> = {
  'openai.chat': 'data: [DONE]',
  'anthropic.messages': 'event: message_stop',
};

const USAGE = Buffer.from('"usage"');
const TOTAL_TOKENS = Buffer.from('"total_tokens"');
const INPUT_TOKENS = Buffer.from('"input_tokens"');
const OUTPUT_TOKENS = Buffer.from('"output_tokens"');

/** JSON whitespace: space, tab, line feed, carriage return. */
function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/** The integer after the first `"name": <digits>` at or after `from`, read from the bytes (no decoding, no regex). */
function integerAfter(body: Buffer, name: Buffer, from: number): number | undefined {
  for (let at = body.indexOf(name, from); at >= 0; at = body.indexOf(name, at + 1)) {
    let index = at + name.length;
    while (isSpace(body[index])) index++;
    if (body[index] !== 0x3a) continue;
    index++;
    while (isSpace(body[index])) index++;
    let value = 0;
    const start = index;
    for (let byte = body[index]; byte !== undefined && byte >= 0x30 && byte <= 0x39; byte = body[++index]) {
      value = value * 10 + (byte - 0x30);
    }
    if (index > start) return value;
  }
  return undefined;
}

/**
 * The tokens an answer reports: OpenAI `total_tokens`, Anthropic input plus output. Read from the bytes after the
 * last `"usage"` key without decoding or parsing the whole answer (it is passed on as it came).
 */
export function usageTokens(body: string | Buffer): number | undefined {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const at = bytes.lastIndexOf(USAGE);
  if (at < 0) return undefined;
  const total = integerAfter(bytes, TOTAL_TOKENS, at);
  if (total !== undefined) return total;
  const sum = (integerAfter(bytes, INPUT_TOKENS, at) ?? 0) + (integerAfter(bytes, OUTPUT_TOKENS, at) ?? 0);
  return sum > 0 ? sum : undefined;
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
  /** The body to send and the client headers to pass on. */
  upstream: UpstreamRequest;
}

function upstreamRequestId(headers: IncomingMessage['headers']): string | undefined {
  const id = headers['x-request-id'] ?? headers['request-id'];
  return typeof id === 'string' ? id : undefined;
}

/** Passes a non-streaming call through a pool: the upstream's status and body reach the client as they came. */
async function plainCall(
  endpoint: NativeEndpoint,
  pool: KeyPool,
  context: NativeCallContext,
): Promise<CallOutcome> {
  const answer = await pool.run(
    async (client, key) => {
      const upstream = await sendUpstream(endpoint, client, key, context.upstream);
      const text = await readUpstreamBody(upstream);
      const tokens = usageTokens(text);
      if (tokens !== undefined) key.reportUsage(tokens);
      const status = upstream.statusCode ?? 200;
      return { status, text, keyId: key.id, tokens, requestId: upstreamRequestId(upstream.headers) };
    },
    { signal: context.signal, estimatedTokens: context.estimatedTokens },
  );
  const headers: Record<string, string> = { 'x-keypool-key-id': answer.keyId };
  if (answer.requestId)
    headers[context.dialect === 'anthropic' ? 'request-id' : 'x-request-id'] = answer.requestId;
  sendJson(context.response, answer.status, answer.text, headers);
  return {
    status: answer.status,
    keyId: answer.keyId,
    ...(answer.tokens !== undefined ? { tokens: answer.tokens } : {}),
  };
}

/**
 * Passes a stream through a pool chunk by chunk. Until the first chunk the pool may rotate keys (nothing has reached
 * the client yet); after it, a failure ends the stream with the API's own error event, never a silent truncation.
 */
async function streamCall(
  endpoint: NativeEndpoint,
  pool: KeyPool,
  context: NativeCallContext,
): Promise<CallOutcome> {
  const { response } = context;
  let keyId: string | undefined;
  const marker = TERMINATORS[endpoint];
  const isTerminal = marker === undefined ? undefined : terminalDetector(marker);
  const chunks = pool.executeStream<Uint8Array>(
    async (client, key) => {
      keyId = key.id;
      return (await sendUpstream(endpoint, client, key, context.upstream)) as AsyncIterable<Uint8Array>;
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
  stream: boolean,
  context: NativeCallContext,
): Promise<CallOutcome> {
  return stream ? streamCall(endpoint, pool, context) : plainCall(endpoint, pool, context);
}
