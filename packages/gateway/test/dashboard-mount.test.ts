import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Emulator, startEmulator } from '@keypool/emulator';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../src/gateway-server';
import { serveGatewayFile } from '../src/serve-gateway-file';
import { hashVirtualKey } from '../src/virtual-keys';

const UPSTREAM = 'sk-dash-upstream-0123456789abcdef';
const OPS_KEY = 'kp-ops-dashboard-7f3a9c';
const TEAM_KEY = 'kp-team-dashboard-2b8e1d';

let emulator: Emulator | undefined;
let gateway: Gateway | undefined;
let directory: string | undefined;

afterEach(async () => {
  await gateway?.close();
  await emulator?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
  gateway = emulator = directory = undefined;
});

/** A keys file with one OpenAI key, two virtual keys and the given `gateway` fields, served on port 0. */
async function serve(section: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
  emulator = await startEmulator({ keys: { [UPSTREAM]: {} } });
  directory = await mkdtemp(join(tmpdir(), 'keypool-gateway-dashboard-'));
  const file = join(directory, 'keypool.json');
  const keys = { providers: { openai: { keys: [{ id: 'main', secret: UPSTREAM }] } } };
  const virtualKeys = [
    { id: 'ops', hash: hashVirtualKey(OPS_KEY) },
    { id: 'team', hash: hashVirtualKey(TEAM_KEY) },
  ];
  const gatewaySection = { port: 0, upstreams: emulator.baseURLs, virtualKeys, ...section };
  await writeFile(file, JSON.stringify({ ...keys, gateway: gatewaySection }));
  ({ gateway } = await serveGatewayFile(file, { ...overrides, pool: { maxWaitMs: 0 } }));
  return gateway;
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('the dashboard and /metrics on the gateway server', () => {
  it('serves the page, status, events and Prometheus metrics behind the virtual keys', async () => {
    const { url } = await serve({ dashboard: true, metrics: true });
    const openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: TEAM_KEY, maxRetries: 0 });
    await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });

    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/dashboard/status`)).status).toBe(401);
    expect((await fetch(`${url}/dashboard/?token=kp-wrong`)).status).toBe(401);

    const metrics = await fetch(`${url}/metrics`, { headers: bearer(OPS_KEY) });
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await metrics.text();
    expect(text).toMatch(/keypool_key_requests_total\{[^}]*key="main"[^}]*\} 1/);
    expect(text).not.toContain(UPSTREAM);

    const status = (await (await fetch(`${url}/dashboard/status`, { headers: bearer(OPS_KEY) })).json()) as {
      pools: { name: string; keys: { id: string }[] }[];
    };
    expect(status.pools.map((pool) => [pool.name, pool.keys.map((key) => key.id)])).toEqual([
      ['openai', ['main']],
    ]);
    expect(JSON.stringify(status)).not.toContain(UPSTREAM);

    // A browser sends no header: the virtual key comes as ?token=, and the redirect keeps it.
    const page = await fetch(`${url}/dashboard?token=${OPS_KEY}`);
    expect(page.status).toBe(200);
    expect(page.url).toBe(`${url}/dashboard/?token=${OPS_KEY}`);
    expect(await page.text()).toContain('<title>Keypool gateway</title>');

    // The model APIs never take ?token=: only a mounted page does.
    expect((await fetch(`${url}/v1/models?token=${OPS_KEY}`)).status).toBe(401);
  });

  it('lets only the listed virtual keys read a mount (403 for the others)', async () => {
    const { url } = await serve({ dashboard: { virtualKeys: ['ops'] }, metrics: { path: '/prom' } });
    expect((await fetch(`${url}/dashboard/status`, { headers: bearer(TEAM_KEY) })).status).toBe(403);
    expect((await fetch(`${url}/dashboard/status`, { headers: bearer(OPS_KEY) })).status).toBe(200);
    expect((await fetch(`${url}/prom`, { headers: bearer(TEAM_KEY) })).status).toBe(200);
    const notMounted = await fetch(`${url}/metrics`, { headers: bearer(OPS_KEY) });
    expect(notMounted.status).toBe(404);
  });

  it('mounts nothing unless enabled; command-line overrides enable a mount at a path', async () => {
    const { url } = await serve({}, { metrics: '/ops/metrics' });
    expect((await fetch(`${url}/dashboard/status`, { headers: bearer(OPS_KEY) })).status).toBe(404);
    expect((await fetch(`${url}/metrics`, { headers: bearer(OPS_KEY) })).status).toBe(404);
    const metrics = await fetch(`${url}/ops/metrics`, { headers: bearer(OPS_KEY) });
    expect(await metrics.text()).toContain('# TYPE keypool_pool_keys gauge');
  });

  it('ends open dashboard event streams when it drains, so they do not hold the shutdown', async () => {
    const running = await serve({ dashboard: true, drainTimeoutMs: 5_000 });
    const events = await fetch(`${running.url}/dashboard/events`, { headers: bearer(OPS_KEY) });
    expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = events.body!.getReader();
    expect(running.inFlight()).toBe(1);
    const started = performance.now();
    await running.close();
    expect(performance.now() - started).toBeLessThan(2_000);
    let done = false;
    while (!done) done = (await reader.read()).done;
    gateway = undefined;
  });
});
