import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { KeyConfig, KeySnapshot } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { createOpenAIPool } from '@keypool/openai';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore, type RedisStateStore } from '../src/index.ts';
import { startRedis, type TestRedis } from './redis-server.ts';
import { startWorker, stopWorker, type Worker } from './workers.ts';

// Two processes share one pool through Redis: failures one of them saw show in the other's snapshot (its history and
// last-failure time), bounded, and nothing in Redis holds a secret.

const CANARY_PART = randomBytes(12).toString('hex');
const CANARY = `sk-hist-${CANARY_PART}`;
const GOOD = `sk-good-${randomBytes(12).toString('hex')}`;

/** Every key in Redis with its value, whatever its type. */
async function dumpRedis(admin: Redis): Promise<string> {
  let dump = '';
  for (const name of await admin.keys('*')) {
    const type = await admin.type(name);
    const value =
      type === 'string'
        ? await admin.get(name)
        : type === 'list'
          ? (await admin.lrange(name, 0, -1)).join('\n')
          : type === 'hash'
            ? JSON.stringify(await admin.hgetall(name))
            : `(${type})`;
    dump += `${name}: ${value}\n`;
  }
  return dump;
}

describe('failure history shared through Redis', () => {
  let redis: TestRedis;
  let emulator: Emulator;
  let admin: Redis;
  let worker: Worker | undefined;
  let store: RedisStateStore | undefined;
  const prefix = `history${Date.now()}`;
  const keys: KeyConfig[] = [
    { id: 'revoked', secret: CANARY },
    { id: 'good', secret: GOOD },
  ];

  beforeAll(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
    emulator = await startEmulator({ keys: { [CANARY]: { invalid: true }, [GOOD]: {} } });
    worker = await startWorker({
      redisUrl: redis.url,
      prefix,
      baseURL: emulator.baseURLs.openai,
      windowMs: 60_000,
      keys,
    });
  }, 60_000);

  afterAll(async () => {
    if (worker) await stopWorker(worker);
    await store?.close();
    admin?.disconnect();
    await emulator?.close();
    await redis?.stop();
  });

  it("shows one process's failures in another's snapshot, bounded, with no secret in Redis", async () => {
    // The other process: its calls take turns over the keys, so one goes to the revoked key (401, disabled).
    const ran = await worker!.request<{ failures: string[] }>({ type: 'run', calls: 4, gapMs: 0 }, 'ran');
    expect(ran.failures).toEqual([]);

    // This process starts later: its pool reads the shared state and history when it starts.
    store = createRedisStore({ redis: redis.url, prefix, timeoutMs: 1_000 });
    const pool = createOpenAIPool({
      keys,
      store,
      historySize: 3,
      clientOptions: { baseURL: emulator.baseURLs.openai },
    });
    await pool.whenReady();
    const revoked = pool.snapshot().find((key) => key.id === 'revoked');
    expect(revoked?.status).toBe('disabled');
    expect(revoked?.history).toEqual([
      expect.objectContaining({
        category: 'auth',
        status: 401,
        code: 'invalid_api_key',
        model: 'gpt-4o-mini',
        scope: 'gpt-4o-mini',
      }),
    ]);
    // The scope the failure named is read from Redis too: its counts and last-failure time.
    const failedAt = revoked?.history?.[0]?.at ?? 0;
    expect(Math.abs((revoked?.lastFailureAt ?? 0) - failedAt)).toBeLessThan(100);
    expect(revoked?.scopes?.find((scope) => scope.scope === 'gpt-4o-mini')?.counts.failures.auth).toBe(1);
    const good = pool.snapshot().find((key) => key.id === 'good');

    // The other way round: this process's failures reach the other's snapshot after its refresh.
    emulator.setKeyBehaviour(GOOD, { quotaExhausted: true });
    for (let index = 0; index < 5; index++)
      await pool.client.chat.completions
        .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] })
        .catch(() => undefined);
    await pool.refresh();
    const seenHere = pool.snapshot().find((key) => key.id === 'good')?.history ?? [];
    expect(seenHere.length).toBeGreaterThan(0);
    expect(seenHere.at(-1)).toMatchObject({ category: 'quota_exhausted', model: 'gpt-4o' });
    const { keys: theirs } = await worker!.request<{ keys: KeySnapshot[] }>(
      { type: 'snapshot', refresh: true },
      'snapshot',
    );
    const goodThere = theirs.find((key) => key.id === 'good');
    expect(goodThere?.history?.at(-1)).toMatchObject({ category: 'quota_exhausted', model: 'gpt-4o' });
    const goodHere = pool.snapshot().find((key) => key.id === 'good');
    expect(goodHere?.lastFailureAt).toBeGreaterThan(goodHere?.lastSuccessAt ?? 0);
    expect(goodThere?.lastFailureAt).toBe(goodHere?.lastFailureAt);
    // Its successes there (the other process's calls) are its own.
    expect(goodThere?.lastSuccessAt).toBeGreaterThan(0);
    expect(goodThere?.lastUsedAt).toBe(goodThere?.lastFailureAt);

    // Bounded in Redis too (this pool keeps 3), and it expires.
    const fingerprint = good?.fingerprint ?? '';
    const name = store.names.history(fingerprint);
    expect(await admin.llen(name)).toBeGreaterThan(0);
    expect(await admin.llen(name)).toBeLessThanOrEqual(20);
    expect(await admin.pttl(name)).toBeGreaterThan(0);
    expect(pool.snapshot().find((key) => key.id === 'good')?.history?.length).toBeLessThanOrEqual(3);

    // No 8-character piece of the secret anywhere in Redis.
    const dump = await dumpRedis(admin);
    expect(dump).toContain(':history:');
    for (let start = 0; start + 8 <= CANARY_PART.length; start++)
      expect(dump).not.toContain(CANARY_PART.slice(start, start + 8));
    await pool.close();
  }, 60_000);

  it('runs the README example as written (console.log collected)', async () => {
    // Another process's pool (a second store on the same Redis) got the 401 on the key first.
    const otherStore = createRedisStore({ redis: redis.url, prefix: 'openai-prod', timeoutMs: 1_000 });
    const other = createOpenAIPool({
      keys: [{ id: 'main', secret: CANARY }],
      store: otherStore,
      clientOptions: { baseURL: emulator.baseURLs.openai },
    });
    await other.client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .catch(() => undefined);
    // The disable is written through after the call returns: wait until Redis holds it.
    await expect
      .poll(async () => {
        await other.refresh();
        return other.snapshot()[0]?.status;
      })
      .toBe('disabled');
    await other.close();
    await otherStore.close();
    process.env.REDIS_URL = redis.url;
    process.env.OPENAI_API_KEY = CANARY;
    process.env.OPENAI_BASE_URL = emulator.baseURLs.openai;
    const log: string[] = [];
    try {
      // --- README example start
      const redis = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
      const store = createRedisStore({ redis, prefix: 'openai-prod' });
      const pool = createOpenAIPool({
        keys: [{ id: 'main', secret: process.env.OPENAI_API_KEY ?? '' }],
        store,
        historySize: 20,
        clientOptions: { baseURL: process.env.OPENAI_BASE_URL },
      });
      await pool.whenReady(); // it has read what other processes left in Redis
      await pool.refresh(); // and this brings in what they saw since
      for (const key of pool.snapshot()) {
        const last = key.history?.at(-1);
        log.push(key.id, key.status, last ? `${last.category} ${last.status} (${last.code})` : 'none');
      }
      await pool.close();
      await store.close();
      // --- README example end
    } finally {
      delete process.env.REDIS_URL;
      delete process.env.OPENAI_API_KEY;
      delete process.env.OPENAI_BASE_URL;
    }
    expect(log).toEqual(['main', 'disabled', 'auth 401 (invalid_api_key)']);
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Failure history across processes'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    const readmeLines = block
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('import '))
      .map((line) => line.trim().replace('console.log(', 'log.push('));
    const source = readFileSync(new URL(import.meta.url), 'utf8');
    const example = source.slice(
      source.indexOf('// --- README example start\n'),
      source.indexOf('// --- README example end'),
    );
    const testLines = example
      .split('\n')
      .slice(1)
      .map((line) => line.trim())
      .filter((line) => line !== '');
    expect(testLines).toEqual(readmeLines);
  });

  it('keeps each list capped at the size given, newest kept, read back oldest first', async () => {
    const own = createRedisStore({ redis: redis.url, prefix: `${prefix}-cap`, timeoutMs: 1_000 });
    try {
      await own.register([], { minuteMs: 60_000, dayMs: 86_400_000 });
      for (let index = 0; index < 10; index++)
        await own.appendHistory(
          'fp1',
          { at: 1_000 + index, category: 'server', message: `boom ${index}` },
          3,
          1_000 + index,
        );
      expect(await admin.llen(own.names.history('fp1'))).toBe(3);
      const [list, none] = await own.readHistory(['fp1', 'fp2']);
      expect(list?.map((record) => record.message)).toEqual(['boom 7', 'boom 8', 'boom 9']);
      expect(none).toEqual([]);
      // Removing the key forgets its history too.
      await own.remove({ fingerprint: 'fp1', limits: {} });
      expect(await admin.exists(own.names.history('fp1'))).toBe(0);
    } finally {
      await own.close();
    }
  });
});
