import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readmeExampleParts } from '@keypool/core/testing';
import { createDashboard } from '@keypool/dashboard';
import { toNodeListener } from '@keypool/dashboard/node';
import { createOpenAIPool } from '@keypool/openai';
import { afterEach, expect, it } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const self = readFileSync(new URL(import.meta.url), 'utf8');
const SECRET = 'sk-readme-example-0123456789abcdefXYZ';
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

it('the README mounting example is this code, and it runs', async () => {
  const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  const { missingImports, body, region } = readmeExampleParts(block, self);
  expect(body.split('\n').length).toBeLessThanOrEqual(10);
  expect(missingImports).toEqual([]);
  expect(region).toBe(body);

  process.env.OPENAI_API_KEY = SECRET;
  process.env.DASHBOARD_TOKEN = 'readme-token-0001';
  process.env.PORT = '0';
  // --- README example start
  const pool = createOpenAIPool({ keys: [{ id: 'main', secret: process.env.OPENAI_API_KEY ?? '' }] });
  const dashboard = createDashboard({ pools: [pool], token: process.env.DASHBOARD_TOKEN });
  const server = createServer(toNodeListener(dashboard.fetch));
  server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1');
  // Open http://127.0.0.1:8080/?token=<DASHBOARD_TOKEN>. Hono: app.get('/keypool/*', (c) => dashboard.fetch(c.req.raw))
  // --- README example end
  try {
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect((await fetch(`${base}/status`)).status).toBe(401);
    const status = await fetch(`${base}/status`, { headers: { authorization: 'Bearer readme-token-0001' } });
    const text = await status.text();
    expect(JSON.parse(text).pools[0].keys[0]).toMatchObject({ id: 'main', status: 'active' });
    expect(text).not.toContain(SECRET);
    expect((await fetch(`${base}/?token=readme-token-0001`)).headers.get('content-type')).toContain(
      'text/html',
    );
  } finally {
    dashboard.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await pool.close();
  }
});
