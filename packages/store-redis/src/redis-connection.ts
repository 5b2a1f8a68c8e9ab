import { Redis } from 'ioredis';
import type { LuaScript, RedisClient } from './lua-script';
import { withTimeout } from './with-timeout';

/** A client that fails at once while disconnected (no offline queue, no resend), and reconnects in the background. */
export function connectFailFast(url: string): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    connectTimeout: 2_000,
    // Reconnect soon after Redis returns (a refused connection is cheap): the rejoin waits for this connection.
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 2), 200),
  });
  // Connection errors surface as `store.degraded`; without a listener ioredis would print them.
  client.on('error', () => undefined);
  return client;
}

/** A second connection for SUBSCRIBE (a subscribed connection can run nothing else). It queues until connected. */
export function duplicateForSubscribe(client: RedisClient): RedisClient {
  if (client instanceof Redis)
    return client.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
  return client.duplicate();
}

/** Waits (up to `timeoutMs`) until the client is connected; false when it is not by then. */
export function waitConnected(client: RedisClient, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  if (client.status === 'end') return Promise.resolve(false);
  if (client.status === 'wait') client.connect().catch(() => undefined);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      resolve(ready);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    client.once('ready', onReady);
  });
}

/** Closes a connection politely, or at once when QUIT takes longer than `timeoutMs`. */
export async function quit(client: RedisClient, timeoutMs: number): Promise<void> {
  try {
    await withTimeout(client.quit(), timeoutMs, 'quit');
  } catch {
    client.disconnect();
  }
}

/** Checks that Redis answers (PING, throws when it does not), then loads the scripts (best effort). */
export async function pingAndLoad(
  client: RedisClient,
  scripts: readonly LuaScript[],
  timeoutMs: number,
): Promise<void> {
  await withTimeout(client.ping(), timeoutMs, 'ping');
  await withTimeout(
    Promise.all(scripts.map((script) => client.script('LOAD', script.source))),
    timeoutMs,
    'script load',
  ).catch(() => undefined);
}
