import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the raw server sends for one request. */
export interface RawAnswer {
  status?: number;
  headers?: Record<string, string>;
  /** The body exactly as sent: malformed JSON, an empty string, a cut SSE stream... */
  body: string;
}

/** A local server that answers every request with whatever bytes a test chooses. */
export interface RawAnswerServer {
  /** `http://127.0.0.1:<port>`: point an SDK's base URL at it (with the provider's path prefix if it needs one). */
  url: string;
  /** The answer for every next request; change it between calls. */
  answer: RawAnswer | ((request: IncomingMessage) => RawAnswer);
  close(): Promise<void>;
}

/**
 * Starts a server on 127.0.0.1 (port 0) that answers every request with a raw answer of the test's choosing, for
 * the answers no real provider sends on purpose but proxies and broken upstreams do: a 200 with an empty JSON
 * object, plain text, a truncated body or stream. The emulator's provider routes always speak proper wire formats;
 * this is their malformed counterpart.
 */
export async function startRawAnswerServer(answer: RawAnswerServer['answer']): Promise<RawAnswerServer> {
  const state: RawAnswerServer = { url: '', answer, close: async () => undefined };
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const chosen = typeof state.answer === 'function' ? state.answer(request) : state.answer;
      response.writeHead(chosen.status ?? 200, chosen.headers ?? { 'content-type': 'application/json' });
      response.end(chosen.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
