import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FetchHandler, toNodeListener } from '../src/node';

/** Serves a fetch handler on 127.0.0.1 with Node's http; `close` ends every connection. */
export async function serve(
  handler: FetchHandler,
): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const server = createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
