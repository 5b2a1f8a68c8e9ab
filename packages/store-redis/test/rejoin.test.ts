import type { KeyConfig } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadOutcome, WorkerConfig } from './pool-worker-main.ts';
import { startRedis, type TestRedis } from './redis-server.ts';
import { startWorker, stopWorker, type Worker } from './workers.ts';

// Issue 12, item 9: three processes share a pool through Redis under steady load; Redis is killed for two seconds and
// comes back empty. Rejoining must not cost availability: within a second of Redis's return, the share of calls
// failing with PoolExhaustedError is back to what it was before the outage.

const WINDOW_MS = 1_000;
const RPM = 20;
const WORKERS = 3;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Loaded = { outcomes: LoadOutcome[]; degraded: string[]; recovered: number[] };

/** The share of calls that failed with PoolExhaustedError among those that ended in [from, to). */
function exhaustedShare(outcomes: readonly LoadOutcome[], from: number, to: number) {
  const inside = outcomes.filter((entry) => entry.at >= from && entry.at < to);
  return {
    calls: inside.length,
    share: inside.filter((entry) => entry.outcome === 'exhausted').length / Math.max(inside.length, 1),
  };
}

describe('rejoining Redis after an outage under load from several processes', () => {
  let redis: TestRedis;
  let emulator: Emulator;
  let workers: Worker[] = [];
  const secrets = Array.from({ length: 3 }, (_, index) => `sk-rejoin-${index}-${'q'.repeat(24)}`);

  beforeAll(async () => {
    redis = await startRedis();
    // Each key allows RPM requests per window and answers more with a 429 and a 1 s retry-after.
    emulator = await startEmulator({
      windowMs: WINDOW_MS,
      keys: Object.fromEntries(secrets.map((secret) => [secret, { rpm: RPM, retryAfterMs: 1_000 }])),
    });
    const keys: KeyConfig[] = secrets.map((secret, index) => ({
      id: `key${index}`,
      secret,
      limits: { rpm: RPM },
    }));
    const config: WorkerConfig = {
      redisUrl: redis.url,
      prefix: `rejoin${Date.now()}`,
      baseURL: emulator.baseURLs.openai,
      windowMs: WINDOW_MS,
      keys,
    };
    workers = await Promise.all(Array.from({ length: WORKERS }, () => startWorker(config)));
    for (const worker of workers) await worker.request({ type: 'run', calls: 1, gapMs: 0 }, 'ran');
    await sleep(WINDOW_MS * 1.2);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map(stopWorker));
    await emulator?.close();
    await redis?.stop();
  });

  it('the share of exhausted calls is back to its no-fault level within 1 s of Redis returning', async () => {
    // About 45 calls a second offered to 60 a second of capacity: a healthy pool exhausts nothing.
    const begun = Date.now();
    const running = Promise.all(
      workers.map((worker) =>
        worker.request<Loaded>({ type: 'load', forMs: 9_000, loops: 3, gapMs: 200 }, 'loaded'),
      ),
    );
    await sleep(2_500);
    const killedAt = Date.now();
    await redis.kill();
    await sleep(2_000);
    await redis.restart();
    const backAt = Date.now();
    const results = await running;
    const outcomes = results.flatMap((result) => result.outcomes);
    expect(results.some((result) => result.degraded.length > 0)).toBe(true);
    const before = exhaustedShare(outcomes, begun + 500, killedAt);
    const after = exhaustedShare(outcomes, backAt + 1_000, begun + 9_000);
    const timeline = Array.from({ length: 18 }, (_, slot) => {
      const from = begun + slot * 500;
      const { calls, share } = exhaustedShare(outcomes, from, from + 500);
      return `${slot * 500}ms:${calls}/${Math.round(share * 100)}%`;
    });
    // The no-fault level: nothing exhausted while Redis was up.
    expect(before.calls).toBeGreaterThan(10);
    expect(before.share, timeline.join(' ')).toBeLessThanOrEqual(0.02);
    expect(after.calls).toBeGreaterThan(10);
    expect(after.share, timeline.join(' ')).toBeLessThanOrEqual(before.share + 0.02);
    // While Redis is away each process counts only its own calls, so the keys can be over-used and a call can meet a
    // 429 on every key it tries: that is the outage's cost. After the rejoin no call fails (the exhausted share is checked above).
    // Every process rejoined within a second (health checks back off to 500 ms at most) and handed its outage counts
    // to Redis, so the windows the processes share hold what was sent during the outage.
    const rejoinedAt = results.map((result) => Math.max(...result.recovered) - backAt);
    for (const lag of rejoinedAt)
      expect(lag, `rejoined ${rejoinedAt.join(', ')} ms after Redis was back`).toBeLessThan(1_000);
    const failedAfter = outcomes.filter((entry) => entry.outcome === 'error' && entry.at >= backAt + 1_000);
    expect(
      failedAfter.map((entry) => `${entry.at - backAt} ms after Redis was back: ${entry.message}`),
      `${timeline.join(' ')}; rejoined ${rejoinedAt.join(', ')} ms after Redis was back`,
    ).toEqual([]);
  }, 60_000);
});
