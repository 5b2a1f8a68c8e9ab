import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A real HTTP upstream for what the emulator does not serve (embeddings, responses) or cannot observe (a client hanging up). */
export interface StubUpstream {
  /** The OpenAI-style base URL (`.../v1`). */
  baseURL: string;
  /** Each request: path, auth header and body as received. */
  requests: { path: string; authorization: string | undefined; body: string }[];
  /** How many streams were closed by the gateway before they ended. */
  closedEarly: number;
  close(): Promise<void>;
}

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

export async function startStubUpstream(handler: Handler): Promise<StubUpstream> {
  const stub: StubUpstream = { baseURL: '', requests: [], closedEarly: 0, close: async () => undefined };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      stub.requests.push({ path: request.url ?? '', authorization: request.headers.authorization, body });
      response.once('close', () => {
        if (!response.writableFinished) stub.closedEarly++;
      });
      handler(request, response, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  stub.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return stub;
}
