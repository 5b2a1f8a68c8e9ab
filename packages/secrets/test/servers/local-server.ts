import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/** A request a local store server received (headers lower-cased; the body as text). */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** What a store server's handler answers. */
export interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A running local server: its URL, what it received, a switch that makes it drop every connection, and `close`. */
export interface LocalServer {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** While true, every connection is reset without an answer (the store is down). */
  down: boolean;
  close(): Promise<void>;
}

const fixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

/** The self-signed certificate the HTTPS servers use (for 127.0.0.1; test only). */
export const TEST_CA = fixture('localhost-test-cert.pem');

/** Starts a server on 127.0.0.1 (a free port) that answers with `handle`; `tls` serves HTTPS with the test certificate. */
export async function startLocalServer(
  handle: (request: ReceivedRequest) => Answer | Promise<Answer>,
  options: { tls?: boolean } = {},
): Promise<LocalServer> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const state = { down: false };
  const listener = (incoming: IncomingMessage, response: ServerResponse) => {
    if (state.down) {
      incoming.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const request: ReceivedRequest = {
        method: incoming.method ?? 'GET',
        url: incoming.url ?? '/',
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(request);
      Promise.resolve()
        .then(() => handle(request))
        .catch((error: unknown): Answer => ({ status: 500, body: { message: String(error) } }))
        .then((answer) => {
          const text =
            answer.body === undefined
              ? ''
              : typeof answer.body === 'string'
                ? answer.body
                : JSON.stringify(answer.body);
          response.writeHead(answer.status, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(text),
            ...answer.headers,
          });
          response.end(text);
        });
    });
  };
  const server = options.tls
    ? createHttpsServer({ cert: TEST_CA, key: fixture('localhost-test-key.pem') }, listener)
    : createHttpServer(listener);
  server.on(options.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    get down() {
      return state.down;
    },
    set down(value: boolean) {
      state.down = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
