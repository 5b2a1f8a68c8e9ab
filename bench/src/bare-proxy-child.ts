/**
 * The floor of the gateway benchmark: the least a Node process can do as a second HTTP hop. It forwards each POST to
 * `argv[2]` + its path minus `/v1` on a keep-alive agent with one fixed key (`argv[3]`), and answers with the upstream's
 * status and body (with its length): no parsing, no keys, no pool. Prints `{"url": ...}` once it listens; exits on
 * SIGTERM. What the Keypool gateway adds over this row is its own cost; the rest is the hop itself.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const upstream = new URL(process.argv[2]!);
const secret = process.argv[3]!;
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
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  agent.destroy();
});
