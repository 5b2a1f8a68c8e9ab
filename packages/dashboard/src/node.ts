import type { IncomingMessage, ServerResponse } from 'node:http';

/** A Web-standard handler, e.g. `dashboard.fetch`. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/**
 * Adapts a Web `(Request) => Response` handler to Node's `http` (and Express, which passes the same objects): the
 * request's URL, method and headers become a `Request` whose signal aborts when the client goes away, and the
 * response is streamed back (so `/events` stays open).
 */
export function toNodeListener(
  handler: FetchHandler,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (incoming, outgoing) => {
    const controller = new AbortController();
    outgoing.on('close', () => controller.abort());
    const host = incoming.headers.host ?? 'localhost';
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (Array.isArray(value)) for (const item of value) headers.append(name, item);
      else if (value !== undefined) headers.set(name, value);
    }
    // Express sets `originalUrl` to the URL before its router cut the mount path.
    const path = (incoming as IncomingMessage & { originalUrl?: string }).originalUrl ?? incoming.url ?? '/';
    const request = new Request(new URL(path, `http://${host}`), {
      method: incoming.method ?? 'GET',
      headers,
      signal: controller.signal,
    });
    void (async () => {
      try {
        const response = await handler(request);
        outgoing.writeHead(response.status, Object.fromEntries(response.headers));
        outgoing.flushHeaders();
        if (!response.body || incoming.method === 'HEAD') {
          await response.body?.cancel();
          outgoing.end();
          return;
        }
        const reader = response.body.getReader();
        controller.signal.addEventListener('abort', () => void reader.cancel().catch(() => undefined), {
          once: true,
        });
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          outgoing.write(value);
        }
        outgoing.end();
      } catch {
        if (!outgoing.headersSent) outgoing.writeHead(500);
        outgoing.end();
      }
    })();
  };
}
