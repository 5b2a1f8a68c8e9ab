import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from './errors';
import type { PoolEvent } from './events';
import { type PoolEvents, TypedEmitter } from './events';
import { createHealthMonitor, type HealthEvents } from './health-monitor';
import { resolveHealthRules } from './health-rules';
import { createKeyPool } from './key-pool';
import type { KeySnapshot } from './key-snapshot';
import { FakeAdapter, FakeProviderError } from './testing/fake-adapter';

const T0 = 50_000_000;
const keys = ['k0', 'k1', 'k2'].map((id) => ({ id, secret: `sk-monitor-${id}-0123456789abcdef` }));

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

function poolOf(count = 3) {
  return createKeyPool({ adapter: new FakeAdapter({ provider: 'openai' }), keys: keys.slice(0, count) });
}

/** Records the monitor's events as short strings: `raised consecutive_failures:key:openai:k0`. */
function record(monitor: ReturnType<typeof createHealthMonitor>) {
  const seen: string[] = [];
  const alerts: (HealthEvents['alert.raised'] | HealthEvents['alert.resolved'])[] = [];
  monitor.on('alert.raised', (alert) => {
    seen.push(`raised ${alert.id}`);
    alerts.push(alert);
  });
  monitor.on('alert.resolved', (alert) => {
    seen.push(`resolved ${alert.id}`);
    alerts.push(alert);
  });
  return { seen, alerts };
}

const fail = (
  pool: ReturnType<typeof poolOf>,
  category: 'timeout' | 'aborted' | 'invalid_request' = 'timeout',
) =>
  pool
    .execute(
      async () => {
        throw new FakeProviderError(category);
      },
      { maxAttempts: 1 },
    )
    .catch(() => undefined);
const succeed = (pool: ReturnType<typeof poolOf>, latencyMs = 0) =>
  pool.execute(async () => {
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    return 'ok';
  });

describe('health monitor: consecutive failures', () => {
  it('fires once at the threshold, stays de-duplicated, and resolves on the next success', async () => {
    const pool = poolOf(1);
    const monitor = createHealthMonitor(pool, { errorRate: false, capacity: false, keyDisabled: false });
    const { seen, alerts } = record(monitor);
    await fail(pool);
    await fail(pool);
    expect(seen).toEqual([]);
    await fail(pool);
    expect(seen).toEqual(['raised consecutive_failures:key:openai:k0']);
    expect(alerts[0]).toMatchObject({
      rule: 'consecutive_failures',
      scope: 'key',
      keyId: 'k0',
      value: 3,
      threshold: 3,
      since: T0,
    });
    expect(alerts[0]?.masked).toMatch(/^sk-/);
    await fail(pool);
    await fail(pool);
    expect(seen).toHaveLength(1);
    expect(monitor.alerts().map((alert) => alert.rule)).toEqual(['consecutive_failures']);
    vi.setSystemTime(T0 + 4_000);
    await succeed(pool);
    expect(seen).toEqual([
      'raised consecutive_failures:key:openai:k0',
      'resolved consecutive_failures:key:openai:k0',
    ]);
    expect(alerts[1]).toMatchObject({ resolvedAt: T0 + 4_000, durationMs: 4_000 });
    expect(monitor.alerts()).toEqual([]);
    monitor.close();
  });

  it('does not count aborted calls or the caller’s invalid requests against a key', async () => {
    const pool = poolOf(1);
    const monitor = createHealthMonitor(pool, { errorRate: false, capacity: false });
    const { seen } = record(monitor);
    for (let index = 0; index < 5; index++) await fail(pool, index % 2 === 0 ? 'aborted' : 'invalid_request');
    expect(seen).toEqual([]);
    monitor.close();
  });

  it('honours a configured threshold', async () => {
    const pool = poolOf(1);
    const monitor = createHealthMonitor(pool, {
      consecutiveFailures: { threshold: 1 },
      errorRate: false,
      capacity: false,
    });
    const { seen } = record(monitor);
    await fail(pool);
    expect(seen).toEqual(['raised consecutive_failures:key:openai:k0']);
    monitor.close();
  });
});

describe('health monitor: error rate', () => {
  it('fires above 20% over the window per key and per pool, once, and resolves when failures age out', async () => {
    const pool = poolOf(1);
    const monitor = createHealthMonitor(pool, { consecutiveFailures: false, capacity: false });
    const { seen, alerts } = record(monitor);
    for (let index = 0; index < 8; index++) await succeed(pool);
    await fail(pool);
    expect(seen).toEqual([]); // 1 of 9 = 11%
    await fail(pool);
    expect(seen).toEqual([]); // 2 of 10 = 20%: not above
    await fail(pool);
    // 3 of 11 = 27%
    expect(seen).toEqual(['raised error_rate:key:openai:k0', 'raised error_rate:pool:openai']);
    expect(alerts[0]?.value).toBeCloseTo(3 / 11);
    await fail(pool);
    expect(seen).toHaveLength(2);
    // 60 s later the failures have left the time window: the timer resolves both.
    await vi.advanceTimersByTimeAsync(61_000);
    expect(seen.slice(2).sort()).toEqual([
      'resolved error_rate:key:openai:k0',
      'resolved error_rate:pool:openai',
    ]);
    monitor.close();
  });

  it('reads only the last M calls', async () => {
    const pool = poolOf(1);
    const monitor = createHealthMonitor(pool, {
      consecutiveFailures: false,
      capacity: false,
      errorRate: { lastCalls: 5, minCalls: 5, threshold: 0.5, scopes: ['pool'] },
    });
    const { seen } = record(monitor);
    for (let index = 0; index < 3; index++) await fail(pool);
    for (let index = 0; index < 2; index++) await succeed(pool);
    expect(seen).toEqual(['raised error_rate:pool:openai']); // 3 of 5
    await succeed(pool); // the window is now fail, fail, ok, ok, ok
    expect(seen).toEqual(['raised error_rate:pool:openai', 'resolved error_rate:pool:openai']);
    monitor.close();
  });
});

describe('health monitor: latency', () => {
  it('fires when p95 exceeds 5 s and resolves once fast calls fill the window', async () => {
    const pool = poolOf(1);
    const monitor = createHealthMonitor(pool, {
      consecutiveFailures: false,
      errorRate: false,
      capacity: false,
    });
    const { seen, alerts } = record(monitor);
    for (let index = 0; index < 5; index++) {
      const call = succeed(pool, 6_000);
      await vi.advanceTimersByTimeAsync(6_000);
      await call;
    }
    expect(seen).toEqual(['raised latency:key:openai:k0', 'raised latency:pool:openai']);
    expect(alerts[0]?.value).toBeGreaterThanOrEqual(6_000);
    for (let index = 0; index < 60; index++) await succeed(pool);
    expect(seen.slice(2)).toEqual(['resolved latency:key:openai:k0', 'resolved latency:pool:openai']);
    monitor.close();
  });
});

describe('health monitor: key disabled and capacity', () => {
  it('raises for a revoked key at once, and for the pool when fewer than half its keys are usable', async () => {
    const pool = poolOf(3);
    const monitor = createHealthMonitor(pool, { consecutiveFailures: false, errorRate: false });
    const { seen, alerts } = record(monitor);
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([]);
    await pool
      .execute(
        async (_client, key) => {
          if (key.id !== 'k9') throw new FakeProviderError('auth', {}, 'invalid api key');
        },
        { maxAttempts: 2 },
      )
      .catch(() => undefined);
    expect(seen).toEqual([
      'raised key_disabled:key:openai:k0',
      'raised key_disabled:key:openai:k1',
      'raised capacity:pool:openai',
    ]);
    expect(alerts[0]?.message).toContain('invalid api key');
    expect(alerts[2]).toMatchObject({ value: 1 / 3, threshold: 0.5 });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(seen).toHaveLength(3);
    await pool.enableKey('k0');
    expect(seen.slice(3)).toEqual(['resolved key_disabled:key:openai:k0', 'resolved capacity:pool:openai']);
    monitor.close();
  });

  it('resolves a capacity alert when cooldowns end, on its timer', async () => {
    const pool = poolOf(2);
    const monitor = createHealthMonitor(
      pool,
      { consecutiveFailures: false, errorRate: false },
      { intervalMs: 500 },
    );
    const { seen } = record(monitor);
    await pool
      .execute(
        async () => {
          throw new FakeProviderError('rate_limit', { retryAfterMs: 5_000 });
        },
        { maxAttempts: 2, deadlineMs: 100 },
      )
      .catch(() => undefined);
    expect(seen).toEqual(['raised capacity:pool:openai']);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(seen).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(8_000);
    expect(seen).toEqual(['raised capacity:pool:openai', 'resolved capacity:pool:openai']);
    monitor.close();
  });
});

describe('health monitor: quota', () => {
  it('raises when a learned budget is almost spent and resolves when it resets', async () => {
    const pool = poolOf(1);
    const monitor = createHealthMonitor(pool, {
      consecutiveFailures: false,
      errorRate: false,
      capacity: false,
    });
    const { seen, alerts } = record(monitor);
    await pool.execute(async (_client, key) => {
      key.reportRateLimit({ requests: { limit: 1_000, remaining: 40, resetAt: T0 + 30_000 } });
    });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(seen).toEqual(['raised quota:key:openai:k0']);
    expect(alerts[0]).toMatchObject({ value: 0.04, threshold: 0.1 });
    expect(alerts[0]?.message).toContain('40 of 1000 requests');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(seen).toEqual(['raised quota:key:openai:k0', 'resolved quota:key:openai:k0']);
    monitor.close();
  });
});

describe('health monitor: models and several pools', () => {
  it('keeps one window per model when events name it, and names a second pool of a provider apart', async () => {
    const emitter = new TypedEmitter<PoolEvents>();
    const snapshot: KeySnapshot[] = [];
    const source = {
      provider: 'openai',
      onAny: (listener: (event: PoolEvent) => void) => emitter.onAny(listener),
      snapshot: () => snapshot,
    };
    const other = { ...source, onAny: () => () => undefined };
    const monitor = createHealthMonitor([other, source], {
      consecutiveFailures: { threshold: 2, scopes: ['model'] },
      errorRate: false,
    });
    const { seen, alerts } = record(monitor);
    const failure = (model: string) =>
      emitter.emit('request.failure', {
        keyId: 'k0',
        masked: 'sk-...0000',
        provider: 'openai',
        attempt: 1,
        category: 'server',
        message: 'boom',
        ...{ model, at: T0 - 1_000 },
      } as PoolEvents['request.failure']);
    failure('gpt-a');
    failure('gpt-b');
    expect(seen).toEqual([]);
    failure('gpt-a');
    expect(seen).toEqual(['raised consecutive_failures:model:openai#2:gpt-a']);
    expect(alerts[0]).toMatchObject({ pool: 'openai#2', model: 'gpt-a', since: T0 - 1_000 });
    monitor.close();
  });
});

describe('health rules', () => {
  it('fills in the defaults from the usual advice', () => {
    const rules = resolveHealthRules();
    expect(rules.consecutiveFailures?.threshold).toBe(3);
    expect(rules.errorRate?.threshold).toBe(0.2);
    expect(rules.latency?.p95Ms).toBe(5_000);
  });

  it('rejects bad numbers with a ConfigError naming each field', () => {
    let error: unknown;
    try {
      resolveHealthRules({
        errorRate: { threshold: 2, lastCalls: 0 },
        latency: { scopes: ['everywhere' as 'key'] },
      });
    } catch (caught) {
      error = caught;
    }
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as ConfigError).issues.map((issue) => issue.path)).toEqual([
      'errorRate.lastCalls',
      'errorRate.threshold',
      'latency.scopes',
    ]);
  });
});
