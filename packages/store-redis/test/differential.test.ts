import {
  type AttemptRecord,
  type ErrorCategory,
  type KeyStateView,
  MemoryStateStore,
  type ReserveResult,
  type StoreKey,
  type WindowLengths,
} from '@keypool/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore, type RedisStateStore } from '../src/index';
import { startRedis, type TestRedis } from './redis-server.ts';

// The Redis scripts are a port of core's MemoryStateStore: drive both with the same random operations and require
// the same answers, field for field.

const WINDOWS: WindowLengths = { minuteMs: 1_000, dayMs: 10_000 };
const CATEGORIES: ErrorCategory[] = ['rate_limit', 'server', 'timeout', 'auth', 'quota_exhausted'];

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function plain(view: KeyStateView, withUsage: boolean): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(view)) as Record<string, unknown>;
  if (!withUsage) {
    delete copy.usage;
    delete copy.headroom;
  }
  return copy;
}

function plainReserve(result: ReserveResult): Record<string, unknown> {
  return result.ok
    ? { ok: true, probe: result.probe, view: plain(result.view, true) }
    : {
        ok: false,
        why: result.why,
        retryAt: result.retryAt,
        // Usage is refreshed by a successful reservation only; a refusal shows the last one (both stores agree on
        // that, but memory's read() also refreshes the live view, which Redis's read does not write back).
        view: plain(result.view, false),
      };
}

interface Lease {
  key: StoreKey;
  probe: boolean;
  reservedTokens: number;
}

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

describe('the Redis store behaves exactly like the memory store', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`random operations, seed ${seed}`, async () => {
      const random = prng(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
      const suffix = `${seed}x${Date.now().toString(36)}`;
      const keys: StoreKey[] = [
        { fingerprint: `a${suffix}`, limits: { rpm: 4 } },
        { fingerprint: `b${suffix}`, limits: { tpm: 300, rpm: 6 } },
        { fingerprint: `c${suffix}`, limits: { rpd: 12 } },
        { fingerprint: `d${suffix}`, limits: {} },
        { fingerprint: `e${suffix}`, limits: { rpm: 0 } },
      ];
      const group = [keys[0]!, keys[1]!];
      const memory = new MemoryStateStore();
      const store: RedisStateStore = createRedisStore({
        redis: redis.url,
        prefix: `differential${seed}`,
        timeoutMs: 5_000,
        probeLeaseMs: 0,
        // Both stores count a request until one window after its attempt is recorded (their shared default).
        pubsub: false,
      });
      await memory.register(keys, WINDOWS);
      await store.register(keys, WINDOWS);
      const leases: Lease[] = [];
      let now = 1_700_000_000_000 + Math.floor(random() * 1000);
      const counts = { reserve: 0, refused: 0, record: 0, status: 0, read: 0 };
      try {
        for (let step = 0; step < 400; step++) {
          now += random() < 0.05 ? Math.floor(random() * 4_000) : Math.floor(random() * 120);
          const roll = random();
          const where = `seed ${seed} step ${step}`;
          if (roll < 0.5 || leases.length === 0) {
            const key = pick(keys);
            const cost = { requests: 1, tokens: random() < 0.5 ? Math.floor(random() * 120) : 0 };
            const expected = await memory.reserve(key, cost, now);
            const actual = await store.reserve(key, cost, now);
            expect(plainReserve(actual), where).toEqual(plainReserve(expected));
            if (expected.ok) {
              counts.reserve++;
              leases.push({ key, probe: expected.probe, reservedTokens: cost.tokens });
            } else counts.refused++;
          } else if (roll < 0.88) {
            const lease = leases.splice(Math.floor(random() * leases.length), 1)[0]!;
            const success = random() < 0.55;
            const attempt: AttemptRecord = {
              now,
              outcome: success ? 'success' : 'failure',
              reservedTokens: lease.reservedTokens,
              latencyMs: Math.floor(random() * 500) / 3,
              probe: lease.probe,
            };
            if (random() < 0.4) attempt.actualTokens = Math.floor(random() * 150);
            if (random() < 0.25) {
              attempt.learned = {};
              if (random() < 0.7)
                attempt.learned.requests = {
                  limit: 10,
                  remaining: Math.floor(random() * 4),
                  resetAt: now + Math.floor(random() * 900),
                };
              if (random() < 0.5)
                attempt.learned.tokens = { limit: 500, remaining: Math.floor(random() * 500) };
            }
            if (!success) {
              attempt.category = pick(CATEGORIES);
              if (random() < 0.5) attempt.cooldownUntil = now + Math.floor(random() * 1_500);
              if (random() < 0.04) attempt.disable = true;
              if (random() < 0.7) attempt.reason = `${attempt.category}: step ${step}`;
              if (attempt.cooldownUntil !== undefined && group.includes(lease.key) && random() < 0.5)
                attempt.group = group;
            }
            const expected = await memory.record(lease.key, attempt);
            const actual = await store.record(lease.key, attempt);
            expect(actual.recovered, where).toBe(expected.recovered);
            expect(plain(actual.view, true), where).toEqual(plain(expected.view, true));
            counts.record++;
          } else if (roll < 0.93) {
            const key = pick(keys);
            const change =
              random() < 0.5
                ? { enabled: true, reset: random() < 0.7 }
                : { enabled: false, ...(random() < 0.5 ? { reason: 'operator' } : {}) };
            const expected = await memory.setStatus(key, change, now);
            const actual = await store.setStatus(key, change, now);
            expect(plain(actual, true), where).toEqual(plain(expected, true));
            counts.status++;
          } else {
            const expected = await memory.read(keys, now);
            const actual = await store.read(keys, now);
            expect(
              actual.map((view) => plain(view, true)),
              where,
            ).toEqual(expected.map((view) => plain(view, true)));
            counts.read++;
          }
        }
        expect(store.degraded).toBe(false);
        // The walk must have exercised every path, not only one.
        expect(counts.reserve).toBeGreaterThan(25);
        expect(counts.refused).toBeGreaterThan(10);
        expect(counts.record).toBeGreaterThan(25);
      } finally {
        await store.close();
      }
    });
  }
});
