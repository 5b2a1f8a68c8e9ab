import { startEmulator } from '@keypool/emulator';
import { createOpenAIPool } from '@keypool/openai';
import { EventSource } from 'eventsource';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboard, type StatusDocument } from '../src/index';
import { serve } from './serve';

const GOOD = 'sk-dash-good-0123456789abcdefGOOD';
const REVOKED = 'sk-dash-revoked-0123456789abcdefREV';
const LIMITED = 'sk-dash-limited-0123456789abcdefLIM';
const SECRETS = [GOOD, REVOKED, LIMITED];

let emulator: Awaited<ReturnType<typeof startEmulator>>;
let pool: ReturnType<typeof createOpenAIPool>;

beforeAll(async () => {
  emulator = await startEmulator({
    windowMs: 60_000,
    keys: { [GOOD]: {}, [REVOKED]: { invalid: true }, [LIMITED]: { quotaExhausted: true } },
  });
  pool = createOpenAIPool({
    keys: [
      { id: 'good', secret: GOOD },
      { id: 'revoked', secret: REVOKED },
      { id: 'limited', secret: LIMITED },
    ],
    strategy: 'round-robin',
    clientOptions: { baseURL: emulator.baseURLs.openai },
  });
});
afterAll(async () => {
  await pool.close();
  await emulator.close();
});

async function calls(count: number): Promise<void> {
  for (let index = 0; index < count; index++)
    await pool.client.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: `hi ${index}` }],
    });
}

function family(families: ParsedFamily[], name: string): ParsedFamily {
  const found = families.find((entry) => entry.name === name);
  if (!found) throw new Error(`no metric family ${name}`);
  return found;
}

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('dashboard handler against a pool calling the emulator', () => {
  it('serves /status, /metrics and / with the pool’s live state, failure history and alerts, and no secret', async () => {
    const dashboard = createDashboard({ pools: [pool], title: 'Test pool' });
    try {
      await calls(6);
      const response = await dashboard.fetch(new Request('http://dash.test/keypool/status'));
      expect(response.status).toBe(200);
      const text = await response.text();
      expectNoSecret(text);
      const status = JSON.parse(text) as StatusDocument;
      expect(status.title).toBe('Test pool');
      const keys = Object.fromEntries(status.pools[0]!.keys.map((key) => [key.id, key]));
      expect(keys.revoked?.status).toBe('disabled');
      expect(keys.revoked?.history[0]).toMatchObject({ category: 'auth', status: 401 });
      expect(keys.limited?.status).toBe('cooling');
      expect(keys.limited?.cooldownUntil).toBeGreaterThan(status.now);
      expect(keys.limited?.history.at(-1)).toMatchObject({ category: 'quota_exhausted', status: 429 });
      expect(keys.good?.status).toBe('active');
      expect(status.alerts.map((alert) => alert.id)).toContain('key_disabled:key:openai:revoked');
      expect(status.series.pools.openai?.calls.reduce((sum, value) => sum + value, 0)).toBeGreaterThanOrEqual(
        8,
      );
      expect(
        status.series.pools.openai?.rateLimits.reduce((sum, value) => sum + value, 0),
      ).toBeGreaterThanOrEqual(1);

      const metrics = await dashboard.fetch(new Request('http://dash.test/metrics'));
      expect(metrics.headers.get('content-type')).toContain('text/plain; version=0.0.4');
      const metricsText = await metrics.text();
      expectNoSecret(metricsText);
      const families = parsePrometheusTextFormat(metricsText);
      const statusOf = (key: string, state: string) =>
        family(families, 'keypool_key_status').metrics.find(
          (metric) => metric.labels?.key === key && metric.labels?.status === state,
        )?.value;
      expect(statusOf('revoked', 'disabled')).toBe('1');
      expect(statusOf('revoked', 'active')).toBe('0');
      expect(statusOf('limited', 'cooling')).toBe('1');
      expect(
        Number(
          family(families, 'keypool_key_cooldown_seconds').metrics.find(
            (metric) => metric.labels?.key === 'limited',
          )?.value,
        ),
      ).toBeGreaterThan(0);
      const successes = family(families, 'keypool_attempts_total').metrics.find(
        (metric) => metric.labels?.key === 'good' && metric.labels?.outcome === 'success',
      );
      expect(Number(successes?.value)).toBeGreaterThanOrEqual(3);
      expect(family(families, 'keypool_rate_limited_total').metrics[0]?.labels).toMatchObject({
        provider: 'openai',
        key: 'limited',
        model: 'gpt-4o',
      });
      expect(successes?.labels?.model).toBe('gpt-4o');
      const histogram = family(families, 'keypool_request_duration_seconds');
      expect(histogram.type).toBe('HISTOGRAM');
      // The parser keeps a labelled histogram's buckets (not its _sum/_count): check those in the text.
      expect(Number(histogram.metrics[0]?.buckets?.['+Inf'])).toBe(6);
      expect(metricsText).toContain(
        'keypool_request_duration_seconds_count{pool="openai",provider="openai",model="gpt-4o"} 6\n',
      );
      expect(
        family(families, 'keypool_alerts_active').metrics.find(
          (metric) => metric.labels?.rule === 'key_disabled',
        )?.value,
      ).toBe('1');

      const page = await dashboard.fetch(new Request('http://dash.test/keypool/'));
      expect(page.headers.get('content-type')).toContain('text/html');
      const html = await page.text();
      expect(html).toContain('<title>Test pool</title>');
      expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|https?:\/\/(?!www\.w3\.org)/);
      expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
    } finally {
      dashboard.close();
    }
  });

  it('streams live events over SSE to a real EventSource client, and ends the stream on close', async () => {
    const dashboard = createDashboard({ pools: [pool], monitor: false });
    const server = await serve(dashboard.fetch);
    const source = new EventSource(`${server.url}/events`);
    try {
      const received: { type: string; source: string; name?: string; keyId?: string; at: number }[] = [];
      await new Promise<void>((resolve, reject) => {
        source.onopen = () => resolve();
        source.onerror = () => reject(new Error('the event stream did not open'));
      });
      const done = new Promise<void>((resolve) => {
        source.onmessage = (message) => {
          const event = JSON.parse(message.data) as (typeof received)[number];
          received.push(event);
          if (event.type === 'request.success') resolve();
        };
      });
      await calls(1);
      await done;
      expectNoSecret(JSON.stringify(received));
      const success = received.find((event) => event.type === 'request.success');
      expect(success).toMatchObject({ source: 'pool', name: 'openai' });
      expect(success?.at).toBeGreaterThan(0);
      expect(received.some((event) => event.type === 'key.selected')).toBe(true);
      // close() ends the response; the client sees its stream end.
      const ended = new Promise<void>((resolve) => {
        source.onerror = () => resolve();
      });
      dashboard.close();
      await ended;
    } finally {
      source.close();
      dashboard.close();
      await server.close();
    }
  });
});

describe('dashboard metrics text', () => {
  it('escapes label values so a parser reads them back exactly', async () => {
    const name = 'team "a"\\ pool\nsecond line';
    const dashboard = createDashboard({ pools: [{ name, source: pool }], monitor: false });
    try {
      const families = parsePrometheusTextFormat(
        await (await dashboard.fetch(new Request('http://dash.test/metrics'))).text(),
      );
      const pools = family(families, 'keypool_pool_keys').metrics.map((metric) => metric.labels?.pool);
      expect(pools).toEqual([name]);
    } finally {
      dashboard.close();
    }
  });
});

describe('dashboard access', () => {
  it('requires the token when one is set, by header or query, and is read-only', async () => {
    const dashboard = createDashboard({ pools: [pool], token: 'dash-token-123', monitor: false });
    try {
      expect((await dashboard.fetch(new Request('http://dash.test/status'))).status).toBe(401);
      expect((await dashboard.fetch(new Request('http://dash.test/status?token=wrong-token'))).status).toBe(
        401,
      );
      const byHeader = await dashboard.fetch(
        new Request('http://dash.test/status', { headers: { authorization: 'Bearer dash-token-123' } }),
      );
      expect(byHeader.status).toBe(200);
      expect(
        (await dashboard.fetch(new Request('http://dash.test/metrics?token=dash-token-123'))).status,
      ).toBe(200);
      const post = await dashboard.fetch(
        new Request('http://dash.test/status?token=dash-token-123', { method: 'POST', body: '{}' }),
      );
      expect(post.status).toBe(405);
      expect(
        (await dashboard.fetch(new Request('http://dash.test/keypool?token=dash-token-123'))).headers.get(
          'location',
        ),
      ).toBe('/keypool/?token=dash-token-123');
      expect((await dashboard.fetch(new Request('http://dash.test/x.js?token=dash-token-123'))).status).toBe(
        404,
      );
    } finally {
      dashboard.close();
    }
  });

  it('rejects bad options with a ConfigError naming each field', () => {
    expect(() => createDashboard({ pools: [] })).toThrow(/pools: expected at least one pool/);
    expect(() => createDashboard({ pools: [pool], token: 'short', bucketMs: 0 })).toThrow(
      /bucketMs: expected a positive integer.*token: expected a string of at least 8/,
    );
  });
});
