import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { createFailureHistory } from './failure-history';
import { createHealthMonitor } from './health-monitor';
import { createKeyPool } from './key-pool';
import { FakeAdapter, FakeProviderError } from './testing/fake-adapter';
import { createWebhookNotifier } from './webhook-notifier';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const self = readFileSync(new URL(import.meta.url), 'utf8');

it('runs the README health example as written', async () => {
  const section = readme.slice(readme.indexOf('## Health alerts and failure history'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1]?.trim();
  const start = '// --- README example start\n';
  const region = self
    .slice(self.indexOf(start) + start.length, self.indexOf('  // --- README example end\n'))
    .replace(/^ {2}/gm, '')
    .trim();
  expect(region).toBe(block);

  const received: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push((JSON.parse(body) as { type: string }).type);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
  const pool = createKeyPool({
    adapter: new FakeAdapter(),
    keys: [{ id: 'k0', secret: 'sk-readme-health-0123456789' }],
  });
  const alerts: string[] = [];
  // --- README example start
  const history = createFailureHistory(pool, { size: 20 }); // the last 20 failures of each key
  const monitor = createHealthMonitor([pool], { errorRate: { threshold: 0.2, lastCalls: 20 } });
  monitor.on('alert.raised', (alert) => alerts.push(`${alert.rule}: ${alert.message}`));
  monitor.on('alert.resolved', (alert) => alerts.push(`resolved ${alert.rule} after ${alert.durationMs} ms`));
  const webhook = createWebhookNotifier({ url: webhookUrl, retries: 3, timeoutMs: 5_000 });
  webhook.attach(monitor); // POSTs { type, alert } as JSON
  // --- README example end
  try {
    for (let index = 0; index < 3; index++)
      await pool
        .execute(
          async () => {
            throw new FakeProviderError('timeout', { status: 504 });
          },
          { maxAttempts: 1 },
        )
        .catch(() => undefined);
    await pool.execute(async () => 'ok');
    await webhook.flush();
    expect(alerts[0]).toBe('consecutive_failures: fake key k0: 3 failures in a row (last: timeout)');
    expect(alerts[1]).toMatch(/^resolved consecutive_failures after \d+ ms$/);
    expect(history.of('k0')).toHaveLength(3);
    expect(received).toContain('alert.raised');
    expect(received).toContain('alert.resolved');
  } finally {
    monitor.close();
    history.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
