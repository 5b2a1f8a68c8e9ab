import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { writeChunk } from './http-io';

/** What the gateway tells a mounted handler about a request it let through. */
export interface MountContext {
  /** The id of the virtual key the client presented; absent when the gateway takes requests without one. */
  virtualKey?: string;
}

/**
 * A Web-standard request handler (`Request` in, `Response` out) mounted on the gateway's server, e.g. the Keypool
 * dashboard's `/status`, `/metrics` and `/events`. It answers undefined for a path it does not serve (the gateway
 * then answers 404 in the API's shape).
 */
export type WebHandler = (
  request: Request,
  context: MountContext,
) => Response | undefined | Promise<Response | undefined>;

/** A mounted handler with a `close` the gateway calls when it starts draining (e.g. to end event streams). */
export interface MountedHandler {
  fetch: WebHandler;
  close?(): void | Promise<void>;
}

/** Builds the Web `Request` of a Node request (its body streamed, not buffered). */
function toRequest(request: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const item of value) headers.append(name, item);
  }
  const method = request.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  return new Request(`http://${request.headers.host ?? 'localhost'}${request.url ?? '/'}`, {
    method,
    headers,
    signal,
    ...(hasBody ? { body: Readable.toWeb(request) as ReadableStream, duplex: 'half' } : {}),
  } as RequestInit);
}

/**
 * Runs a mounted handler for one request and writes its answer, streaming the body (server-sent events flow as they
 * are produced). Returns the status sent, or undefined when the handler does not serve the path.
 */
export async function serveWebHandler(
  handler: WebHandler,
  request: IncomingMessage,
  response: ServerResponse,
  signal: AbortSignal,
  context: MountContext,
): Promise<number | undefined> {
  const answer = await handler(toRequest(request, signal), context);
  if (answer === undefined) return undefined;
  const headers: Record<string, string> = {};
  answer.headers.forEach((value, name) => {
    headers[name] = value;
  });
  response.writeHead(answer.status, headers);
  if (answer.body === null) {
    response.end();
    return answer.status;
  }
  const reader = answer.body.getReader();
  const stop = () => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', stop, { once: true });
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      await writeChunk(response, next.value);
      if ('flush' in response && typeof response.flush === 'function') response.flush();
    }
    response.end();
  } catch {
    response.destroy();
  } finally {
    signal.removeEventListener('abort', stop);
  }
  return answer.status;
}
