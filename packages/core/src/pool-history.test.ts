import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from './errors';
import { historyMessage } from './key-history';
import { createKeyPool } from './key-pool';
import { FakeAdapter, FakeProviderError } from './testing/fake-adapter';

const T0 = 1_800_000_000_000;
const SECRET = 'sk-pool-history-SECRET-0123456789abcdef';
const OTHER = 'sk-pool-history-other-0123456789abcdef';
const HOUR = 3_600_000;

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

function twoKeyPool(options: { historySize?: number } = {}) {
  return createKeyPool({
    adapter: new FakeAdapter({ provider: 'openai' }),
    keys: [
      { id: 'k0', secret: SECRET },
      { id: 'k1', secret: OTHER },
    ],
    ...options,
  });
}

/** One call whose attempts on `failing` throw `error`; other keys answer. */
function call(
  pool: ReturnType<typeof twoKeyPool>,
  failing: string,
  error: () => Error,
  model = 'gpt-4o-mini',
) {
  return pool
    .execute(
      async (_client, key) => {
        if (key.id === failing) throw error();
        return 'ok';
      },
      { model, affinity: `always-${failing}`, maxAttempts: 1 },
    )
    .catch(() => undefined);
}

describe('a pool keeps each key failure history', () => {
  it('shows a key revoked an hour ago with why and when, and never its secret', async () => {
    const pool = twoKeyPool();
    await call(
      pool,
      'k0',
      () =>
        new FakeProviderError(
          'auth',
          { status: 401, code: 'invalid_api_key' },
          `Incorrect API key provided: ${SECRET}`,
        ),
    );
    vi.setSystemTime(T0 + HOUR);
    const k0 = pool.snapshot().find((key) => key.id === 'k0');
    expect(k0?.status).toBe('disabled');
    expect(k0?.history).toEqual([
      {
        at: T0,
        category: 'auth',
        status: 401,
        code: 'invalid_api_key',
        model: 'gpt-4o-mini',
        scope: 'gpt-4o-mini',
        attempt: 1,
        message: expect.stringContaining('Incorrect API key provided'),
      },
    ]);
    expect(k0?.lastFailureAt).toBe(T0);
    expect(pool.snapshot().find((key) => key.id === 'k1')?.history).toEqual([]);
    expect(JSON.stringify(pool.snapshot())).not.toContain(SECRET.slice(8, 30));
    expect(JSON.stringify(pool.toJSON())).not.toContain(SECRET.slice(8, 30));
  });

  it('is bounded by historySize, oldest dropped first', async () => {
    const pool = twoKeyPool({ historySize: 3 });
    for (let index = 0; index < 7; index++) {
      vi.setSystemTime(T0 + index * 1_000);
      await call(pool, 'k0', () => new FakeProviderError('server', { status: 500 }, `boom ${index}`));
    }
    const history = pool.snapshot().find((key) => key.id === 'k0')?.history ?? [];
    expect(history.map((record) => record.message.replace(/^.*: /, ''))).toEqual([
      'boom 4',
      'boom 5',
      'boom 6',
    ]);
    expect(history.map((record) => record.at)).toEqual([T0 + 4_000, T0 + 5_000, T0 + 6_000]);
  });

  it('survives toJSON() and a new pool started from it; a removed key is forgotten', async () => {
    const pool = twoKeyPool();
    await call(pool, 'k1', () => new FakeProviderError('quota_exhausted', { status: 429 }, 'quota spent'));
    const saved = JSON.parse(JSON.stringify(pool.toJSON()));
    expect(saved.keys[1].history).toHaveLength(1);
    expect(saved.keys[0].history).toBeUndefined();

    const restarted = createKeyPool({
      adapter: new FakeAdapter({ provider: 'openai' }),
      keys: [
        { id: 'k0', secret: SECRET },
        { id: 'k1', secret: OTHER },
      ],
      initialState: saved,
    });
    await restarted.whenReady();
    const k1 = restarted.snapshot().find((key) => key.id === 'k1');
    expect(k1?.history).toMatchObject([
      { category: 'quota_exhausted', message: expect.stringContaining('quota spent'), at: T0 },
    ]);
    expect(k1?.lastFailureAt).toBe(T0);
    // Restoring the same state again does not repeat entries.
    await restarted.restore(saved);
    expect(restarted.snapshot().find((key) => key.id === 'k1')?.history).toHaveLength(1);
    await restarted.removeKey('k1');
    await restarted.addKey({ id: 'k1', secret: OTHER });
    expect(restarted.snapshot().find((key) => key.id === 'k1')?.history).toEqual([]);
  });

  it('keeps none with historySize 0', async () => {
    const pool = twoKeyPool({ historySize: 0 });
    await call(pool, 'k0', () => new FakeProviderError('server', {}, 'boom'));
    expect(pool.snapshot()[0]?.history).toBeUndefined();
    expect(pool.toJSON().keys[0]?.history).toBeUndefined();
  });

  it('rejects a historySize that is not an integer from 0 to 1000, naming it', () => {
    for (const historySize of [-1, 1.5, 5_000, '20'])
      expect(() => twoKeyPool({ historySize: historySize as number })).toThrow(ConfigError);
    expect(() => twoKeyPool({ historySize: -1 })).toThrow(/historySize/);
    expect(() =>
      createKeyPool({
        adapter: new FakeAdapter(),
        keys: [{ id: 'k0', secret: SECRET }],
        historysize: 3,
      } as never),
    ).toThrow(/did you mean historySize/);
  });
});

describe('last used, last success and last failure', () => {
  it('are kept per key and per model scope', async () => {
    const pool = twoKeyPool();
    expect(pool.snapshot()[0]?.lastUsedAt).toBeUndefined();
    await pool.execute(async () => 'ok', { model: 'gpt-4o', affinity: 'always-k0' });
    const firstKey = pool.snapshot().find((key) => key.lastUsedAt !== undefined);
    expect(firstKey).toMatchObject({ lastUsedAt: T0, lastSuccessAt: T0 });
    expect(firstKey?.lastFailureAt).toBeUndefined();

    vi.setSystemTime(T0 + 5_000);
    const keyId = firstKey?.id ?? '';
    await call(pool, keyId, () => new FakeProviderError('server', { status: 500 }, 'boom'), 'gpt-4o-mini');
    const after = pool.snapshot().find((key) => key.id === keyId);
    expect(after).toMatchObject({ lastUsedAt: T0 + 5_000, lastSuccessAt: T0, lastFailureAt: T0 + 5_000 });
    const scopes = Object.fromEntries((after?.scopes ?? []).map((scope) => [scope.scope, scope]));
    expect(scopes['gpt-4o']).toMatchObject({ lastUsedAt: T0, lastSuccessAt: T0 });
    expect(scopes['gpt-4o']?.lastFailureAt).toBeUndefined();
    expect(scopes['gpt-4o-mini']).toMatchObject({ lastUsedAt: T0 + 5_000, lastFailureAt: T0 + 5_000 });
    const saved = pool.toJSON().keys.find((key) => key.id === keyId);
    expect(saved?.state).toMatchObject({ lastUsedAt: T0 + 5_000, lastFailureAt: T0 + 5_000 });
    expect(saved?.scopes?.['gpt-4o']).toMatchObject({ lastSuccessAt: T0 });
  });
});

describe('historyMessage', () => {
  it('masks key-like text, removes long quoted user text, keeps the provider words, and cuts', () => {
    const prompt = 'Please summarise my secret diary entry about the weekend trip';
    expect(historyMessage(`Invalid content "${prompt}" in messages[0]`)).toBe(
      'Invalid content "[quoted text removed]" in messages[0]',
    );
    expect(historyMessage(`content: '${prompt}'`)).toBe("content: '[quoted text removed]'");
    expect(historyMessage("the model's context can't hold it")).toBe("the model's context can't hold it");
    const body =
      '{"error":{"message":"You exceeded your current quota, please check your plan and billing"}}';
    expect(historyMessage(body)).toBe(body);
    expect(historyMessage('key sk-abcdefghijklmnopqrstuvwxyz123456 refused')).not.toContain('klmnopq');
    expect(historyMessage('x'.repeat(500))).toHaveLength(300);
  });
});
