import type { KeyConfig, KeySnapshot } from '@keypool/core';
import { type Emulator, type RequestLogEntry, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkerConfig } from './pool-worker-main.ts';
import { startRedis, type TestRedis } from './redis-server.ts';
import { startWorker, stopWorker, type Worker } from './workers.ts';

// Four worker processes share one pool of five keys through Redis, against the emulator. The emulator's request log
// is the judge: it saw every request, with the key it carried and when.

const WINDOW_MS = 1_000;
const RPM = 5;
const WORKERS = 4;
/** The most requests any window of `WINDOW_MS` (starting at a request) saw for one key. */
function busiestWindow(entries: readonly RequestLogEntry[]): number {
  const times = entries.map((entry) => entry.time).sort((a, b) => a - b);
  let most = 0;
  let end = 0;
  for (let start = 0; start < times.length; start++) {
    while (end < times.length && times[end]! < times[start]! + WINDOW_MS) end++;
    most = Math.max(most, end - start);
  }
  return most;
}

type Ran = { ok: number; exhausted: number; failures: string[]; degraded: string[] };

describe('four processes share one pool through Redis', () => {
  let redis: TestRedis;
  let emulator: Emulator;
  let workers: Worker[] = [];
  const secrets = Array.from({ length: 5 }, (_, index) => `sk-multi-${index}-${'x'.repeat(24)}`);
  const revoked = secrets[4]!;

  beforeAll(async () => {
    redis = await startRedis();
    emulator = await startEmulator({
      windowMs: WINDOW_MS,
      logRawKeys: true,
      keys: Object.fromEntries(secrets.map((secret) => [secret, { rpm: RPM }])),
    });
    // The revoked key takes one request per window: its requests are a second apart across the cluster, so the
    // disable from the first 401 always lands before anyone may reserve it again. (With several calls in flight on
    // one key at once, those already sent when the 401 arrives fail too: no store can recall them.)
    const keys: KeyConfig[] = secrets.map((secret, index) => ({
      id: `key${index}`,
      secret,
      limits: { rpm: secret === revoked ? 1 : RPM },
    }));
    emulator.setKeyBehaviour(revoked, { rpm: 1 });
    const config: WorkerConfig = {
      redisUrl: redis.url,
      prefix: `multi${Date.now()}`,
      baseURL: emulator.baseURLs.openai,
      windowMs: WINDOW_MS,
      keys,
    };
    workers = await Promise.all(Array.from({ length: WORKERS }, () => startWorker(config)));
    // Warm up one process at a time (JIT, HTTP connections): a cold first call can take most of a 1 s window to
    // reach the provider on a loaded machine. Then let every window empty.
    for (const worker of workers) await worker.request<Ran>({ type: 'run', calls: 1, gapMs: 0 }, 'ran');
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS * 1.2));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map(stopWorker));
    await emulator?.close();
    await redis?.stop();
  });

  it('never lets a key exceed its limit across the processes, under full load', async () => {
    // 4 x 20 calls as fast as each process can: about 3x the pool's capacity (21 a second).
    const results = await Promise.all(
      workers.map((worker) => worker.request<Ran>({ type: 'run', calls: 20, gapMs: 0 }, 'ran')),
    );
    for (const result of results) {
      expect(result.failures).toEqual([]);
      expect(result.degraded).toEqual([]);
    }
    expect(results.reduce((sum, result) => sum + result.ok, 0)).toBe(80);
    const log = emulator.requests;
    const t0 = log[0]!.time;
    // On failure, the timeline per key (ms since the first request, !status for a refusal) tells what happened.
    if (log.some((entry) => entry.status !== 200))
      for (const secret of secrets)
        console.log(
          secret.slice(0, 10),
          emulator
            .requestsFor(secret)
            .map((entry) => `${entry.time - t0}${entry.status === 200 ? '' : `!${entry.status}`}`)
            .join(' '),
        );
    expect(log.filter((entry) => entry.status === 429)).toEqual([]);
    expect(log.filter((entry) => entry.status === 200)).toHaveLength(80 + WORKERS);
    for (const secret of secrets) {
      const limit = secret === revoked ? 1 : RPM;
      expect(busiestWindow(emulator.requestsFor(secret)), secret.slice(0, 12)).toBeLessThanOrEqual(limit);
    }
    // All five keys were used, and the load really pushed them to their limits.
    expect(Math.max(...secrets.map((secret) => busiestWindow(emulator.requestsFor(secret))))).toBe(RPM);
  }, 60_000);

  it('a key revoked mid-run fails exactly once in the whole cluster', async () => {
    const served = emulator.requestsFor(revoked).length;
    emulator.setKeyBehaviour(revoked, { rpm: 1, revokeAfter: served + 1 });
    const results = await Promise.all(
      workers.map((worker) => worker.request<Ran>({ type: 'run', calls: 12, gapMs: 30 }, 'ran')),
    );
    for (const result of results) expect(result.failures).toEqual([]);
    const onRevoked = emulator.requestsFor(revoked).slice(served);
    const unauthorized = onRevoked.filter((entry) => entry.status === 401);
    expect(unauthorized).toHaveLength(1);
    expect(onRevoked.at(-1)).toBe(unauthorized[0]);
    // Every process now holds the key as disabled.
    const snapshots = await Promise.all(
      workers.map((worker) => worker.request<{ keys: KeySnapshot[] }>({ type: 'snapshot' }, 'snapshot')),
    );
    for (const snapshot of snapshots)
      expect(snapshot.keys.find((key) => key.id === 'key4')?.status).toBe('disabled');
  }, 60_000);

  it('a cooldown set in one process is respected by the others on their next call', async () => {
    const cooled = secrets[0]!;
    const { until } = await workers[0]!.request<{ at: number; until: number }>(
      { type: 'cool', keyId: 'key0', forMs: 5_000 },
      'cooled',
    );
    const from = Date.now();
    // Pub/sub told the other processes at once: before any call, their pools already hold the key as cooling.
    // (A short poll: the message and the test's request reach each worker on different sockets.)
    await expect
      .poll(
        async () => {
          const snapshots = await Promise.all(
            workers
              .slice(1)
              .map((worker) => worker.request<{ keys: KeySnapshot[] }>({ type: 'snapshot' }, 'snapshot')),
          );
          return snapshots.map((snapshot) => snapshot.keys.find((key) => key.id === 'key0')?.status);
        },
        { timeout: 500, interval: 20 },
      )
      .toEqual(['cooling', 'cooling', 'cooling']);
    const results = await Promise.all(
      workers.slice(1).map((worker) => worker.request<Ran>({ type: 'run', calls: 5, gapMs: 20 }, 'ran')),
    );
    for (const result of results) expect(result.failures).toEqual([]);
    expect(Date.now()).toBeLessThan(until);
    // No process sent anything on the cooled key; the other keys took the traffic.
    const during = emulator.requestsFor(cooled).filter((entry) => entry.time >= from && entry.time < until);
    expect(during).toEqual([]);
    const others = emulator.requests.filter((entry) => entry.time >= from && entry.status === 200);
    expect(others.length).toBe(15);
  }, 60_000);
});
