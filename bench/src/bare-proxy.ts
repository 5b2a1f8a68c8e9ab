/**
 * The floor of the gateway benchmark: the least a Node process can do as a second HTTP hop. It forwards each POST to
 * the upstream + its path minus `/v1` on a keep-alive agent with one fixed key, and answers with the upstream's status
 * and body (with its length): no parsing, no keys, no pool. What the Keypool gateway adds over it is its own cost; the
 * rest is the hop itself.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running bare proxy. */
export interface BareProxy {
  /** `http://127.0.0.1:N`. */
  url: string;
  close(): Promise<void>;
}

/** Starts the bare forwarding proxy on 127.0.0.1 and a free port, in this process. */
export async function serveBareProxy(upstreamURL: string, secret: string): Promise<BareProxy> {
  const upstream = new URL(upstreamURL);
  const agent = new http.Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const base = upstream.pathname.replace(/\/+$/, '');
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.once('end', () => {
      const body = Buffer.concat(chunks);
      const outgoing = http.request(
        {
          hostname: upstream.hostname,
          port: upstream.port,
          path: base + (request.url ?? '/').replace(/^\/v1/, ''),
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': body.length,
            authorization: `Bearer ${secret}`,
          },
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.once('end', () => {
            const text = Buffer.concat(parts);
            response.writeHead(answer.statusCode ?? 502, {
              'content-type': 'application/json',
              'content-length': text.length,
            });
            response.end(text);
          });
        },
      );
      outgoing.once('error', () => {
        response.writeHead(502).end();
      });
      outgoing.end(body);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}
