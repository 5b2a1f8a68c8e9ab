import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ApiDialect, errorAnswer, GatewayError } from './api-error';

/** The largest request body the gateway reads (a long conversation fits; a runaway upload does not). */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

/** Reads a request's body as JSON (an object) with its size, or throws a `GatewayError` a client can act on. */
export async function readJsonBody(
  request: IncomingMessage,
): Promise<{ body: Record<string, unknown>; raw: Buffer; bytes: number }> {
  // Plain listeners, not `for await`: the async iterator costs microseconds a request on this hot path.
  const { chunks, size } = await new Promise<{ chunks: Buffer[]; size: number }>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.destroy();
        reject(new GatewayError('invalid_request', `the body is larger than ${MAX_BODY_BYTES} bytes`));
      } else chunks.push(chunk);
    });
    request.once('end', () => resolve({ chunks, size }));
    request.once('error', reject);
  });
  const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  const text = raw.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new GatewayError('invalid_json', 'the body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GatewayError('invalid_json', 'the body must be a JSON object');
  }
  return { body: value as Record<string, unknown>, raw, bytes: size };
}

/** Sends a JSON answer (already serialised, as text or bytes, or not) with its length, unless the client is gone. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: string | Uint8Array | Record<string, unknown>,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent || response.destroyed) return;
  const text = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  // One header object, filled in place (no spread a call), then one write: head and body together.
  const head: Record<string, string | number> = {};
  for (const name in headers) head[name] = headers[name]!;
  head['content-type'] = 'application/json';
  head['content-length'] = typeof text === 'string' ? Buffer.byteLength(text) : text.byteLength;
  response.writeHead(status, head);
  response.end(text);
}

/** Sends an error in the API's own shape (see `errorAnswer`); returns the status sent. */
export function sendError(response: ServerResponse, dialect: ApiDialect, error: unknown): number {
  const answer = errorAnswer(dialect, error);
  sendJson(response, answer.status, answer.body, answer.headers);
  return answer.status;
}

/**
 * Starts a server-sent events answer. Called with the first event in hand: the head is not flushed on its own but goes
 * out with that event in one write (one packet and one wake-up of the client instead of two).
 */
export function startEventStream(response: ServerResponse, headers: Record<string, string> = {}): void {
  response.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
}

/** Writes a chunk and waits while the client's socket is full (back-pressure), or until it goes away. */
export async function writeChunk(response: ServerResponse, chunk: string | Uint8Array): Promise<void> {
  if (response.destroyed) return;
  if (response.write(chunk)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.once('drain', done);
    response.once('close', done);
  });
}

/** The bearer token or `x-api-key` a client sent (OpenAI SDKs send the former, Anthropic's either). */
export function presentedKey(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string' && header.length > 7 && header.slice(0, 7).toLowerCase() === 'bearer ') {
    return header.slice(7).trim();
  }
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey.trim() : undefined;
}
