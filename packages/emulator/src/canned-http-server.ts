import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The answer a canned server gives to every request. */
export interface CannedAnswer {
  status: number;
  /** The body as sent (a string), or a value sent as JSON. */
  body: unknown;
  headers?: Record<string, string>;
}

/** A running canned server: its origin (`http://127.0.0.1:<port>`), how many requests it saw, and `close()`. */
export interface CannedHttpServer {
  origin: string;
  readonly requests: number;
  close(): Promise<void>;
}

/**
 * Starts a small HTTP server on 127.0.0.1 that answers every request with `answer`, so a provider's real SDK can
 * receive a recorded error body over real HTTP. Close it when done.
 */
export async function startCannedHttpServer(answer: CannedAnswer): Promise<CannedHttpServer> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
