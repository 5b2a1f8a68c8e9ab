import { dataPoolOptionNames } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { KeysFileError } from '@keypool/keystore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFromKeysFile } from '../src/index';

const LIMITED = 'sk-cfg-limited-0123456789abcdef01';
const ask = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hello' }] };

let emulator: Emulator;
beforeAll(async () => {
  // One request per minute: the second call gets a real 429 from the emulator.
  emulator = await startEmulator({ keys: { [LIMITED]: { rpm: 1, rateLimitHeaders: false } } });
});
afterAll(async () => {
  await emulator.close();
});

const build = (pool: Record<string, unknown>, global: Record<string, unknown> = {}) =>
  createFromKeysFile(
    { pool: global, providers: { openai: { pool, keys: [{ id: 'limited', secret: LIMITED }] } } } as never,
    { sources: [], clientOptions: { openai: { baseURL: emulator.baseURLs.openai, maxRetries: 0 } } },
  );

describe('keys file pool sections take every pool option core takes as data', () => {
  it('applies failure thresholds and backoff from the file: the first 429 leaves the key in rotation', async () => {
    emulator.reset();
    const keypool = await build(
      { failureThreshold: 2, maxAttempts: 1, adaptiveLimits: false, retryBackoff: { baseMs: 10, maxMs: 50 } },
      { historySize: 0, cooldown: { baseMs: 1_000 } },
    );
    try {
      const pool = keypool.pool('openai');
      await pool.chat(ask);
      await expect(pool.chat(ask)).rejects.toThrow();
      const [key] = pool.snapshot();
      expect(key?.status).toBe('active'); // a threshold of 2: one 429 does not cool it yet
      expect(key?.history).toBeUndefined(); // historySize 0 from the global section
      await expect(pool.chat(ask)).rejects.toThrow();
      expect(pool.snapshot()[0]?.status).toBe('cooling');
    } finally {
      await keypool.close();
    }
  });

  it("refuses bad values with core's messages and the path in the file", async () => {
    const error = await build(
      {
        retryBackoff: { maxMs: -1 },
        failureThresold: 2,
        store: 'redis',
        nativeStreams: { onBreak: 'continue' },
      },
      { onInterrupt: 'retry', nativeStreams: { onInterrupt: 'resume' } },
    ).catch((caught: unknown) => caught);
    expect(KeysFileError.isInstance(error)).toBe(true);
    const issues = (error as KeysFileError).issues.map((issue) => `${issue.path}: ${issue.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        'pool.onInterrupt: onInterrupt must be one of continue, restart, fail, not "retry"',
        'providers.openai.pool.retryBackoff.maxMs: maxMs must be >= 0',
        'providers.openai.pool.failureThresold: unknown pool option "failureThresold" (did you mean failureThreshold?)',
        'providers.openai.pool.store: store is set in code (createKeyPool), not in a keys file',
        'pool.nativeStreams.onInterrupt: onInterrupt must be one of continue, restart, fail, not "resume"',
        expect.stringMatching(
          /^providers\.openai\.pool\.nativeStreams\.onBreak: unknown nativeStreams option "onBreak"/,
        ),
      ]),
    );
    expect(issues).toHaveLength(6);
  });

  it('lists every data option of the pool, and none that only code can give', () => {
    const names = dataPoolOptionNames();
    for (const name of [
      'failureThreshold',
      'failureResetMs',
      'retryBackoff',
      'cooldown',
      'policy',
      'historySize',
    ])
      expect(names).toContain(name);
    for (const name of ['adapter', 'keys', 'store', 'now', 'random', 'initialState', 'modelScope'])
      expect(names).not.toContain(name);
  });
});
