import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from './errors';
import type { HealthAlert } from './health-monitor';
import { createWebhookNotifier, type WebhookBody } from './webhook-notifier';

const alert: HealthAlert = {
  id: 'consecutive_failures:key:openai:k0',
  rule: 'consecutive_failures',
  scope: 'key',
  pool: 'openai',
  provider: 'openai',
  keyId: 'k0',
  masked: 'sk-...abcd',
  value: 3,
  threshold: 3,
  message: 'openai key k0: 3 failures in a row',
  since: 1,
};

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A real local HTTP receiver that answers each request with the next status of `answers` (or never, for 0). */
async function receiver(answers: number[]) {
  const received: { body: WebhookBody; headers: IncomingMessage['headers'] }[] = [];
  // Requests counted as they arrive: a request the client gives up on may never finish sending its body.
  const arrived = { count: 0 };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    arrived.count++;
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => {
      received.push({ body: JSON.parse(text) as WebhookBody, headers: request.headers });
      const status = answers.shift() ?? 200;
      if (status === 0) return; // never answer
      response.writeHead(status).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, arrived };
}

describe('webhook notifier', () => {
  it('POSTs the alert as JSON and retries a 5xx until delivered', async () => {
    const { url, received } = await receiver([503, 500, 200]);
    const notifier = createWebhookNotifier({
      url,
      retryDelayMs: 10,
      headers: { authorization: 'Bearer hook-token' },
    });
    expect(await notifier.send({ type: 'alert.raised', alert })).toBe(true);
    expect(received).toHaveLength(3);
    expect(received[2]?.body).toEqual({ type: 'alert.raised', alert });
    expect(received[2]?.headers['content-type']).toBe('application/json');
    expect(received[2]?.headers.authorization).toBe('Bearer hook-token');
  });

  it('gives up after its retries on timeouts and reports through onError', async () => {
    const { url, arrived } = await receiver([0, 0, 0]);
    const errors: string[] = [];
    const notifier = createWebhookNotifier({
      url,
      retries: 2,
      retryDelayMs: 5,
      timeoutMs: 250,
      onError: (error) => errors.push(error.message),
    });
    expect(await notifier.send({ type: 'alert.raised', alert })).toBe(false);
    expect(arrived.count).toBe(3);
    expect(errors).toEqual(['the webhook did not answer within 250 ms']);
  });

  it('does not retry a 4xx answer other than 429', async () => {
    const { url, received } = await receiver([404]);
    const errors: string[] = [];
    const notifier = createWebhookNotifier({
      url,
      retryDelayMs: 5,
      onError: (error) => errors.push(error.message),
    });
    expect(await notifier.send({ type: 'alert.raised', alert })).toBe(false);
    expect(received).toHaveLength(1);
    expect(errors).toEqual(['the webhook answered 404']);
  });

  it('sends what a monitor raises and resolves once attached', async () => {
    const { url, received } = await receiver([]);
    const listeners = new Map<string, (event: never) => void>();
    const monitor = {
      on: (name: string, listener: (event: never) => void) => {
        listeners.set(name, listener);
        return () => listeners.delete(name);
      },
    };
    const notifier = createWebhookNotifier({ url });
    const detach = notifier.attach(monitor as never);
    (listeners.get('alert.raised') as (event: HealthAlert) => void)(alert);
    (listeners.get('alert.resolved') as (event: HealthAlert) => void)({
      ...alert,
      resolvedAt: 5,
      durationMs: 4,
    } as never);
    await notifier.flush();
    expect(received.map((entry) => entry.body.type)).toEqual(['alert.raised', 'alert.resolved']);
    detach();
    expect(listeners.size).toBe(0);
  });

  it('rejects a URL that is not http(s)', () => {
    expect(() => createWebhookNotifier({ url: 'not a url' })).toThrow(ConfigError);
    expect(() => createWebhookNotifier({ url: 'ftp://example.test/x' })).toThrow(/url: expected an http/);
  });
});
