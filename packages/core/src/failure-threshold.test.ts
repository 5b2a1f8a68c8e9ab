import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ErrorCategory } from './categories';
import { ConfigError } from './errors';
import { createKeyPool, type KeyPool, type KeyPoolOptions } from './key-pool';
import { FakeAdapter, type FakeClient, FakeProviderError } from './testing/fake-adapter';

const SECRET = 'sk-threshold-aaaaaaaaaaaaaaaaaaaa';
const T0 = 7_000_000;

/** A one-key pool; each `fail` is one call whose only attempt fails with `category`. */
function onePool(options: Partial<KeyPoolOptions<FakeClient>> = {}): KeyPool<FakeClient> {
  return createKeyPool({
    adapter: new FakeAdapter(),
    keys: [{ id: 'a', secret: SECRET }],
    adaptiveLimits: false,
    maxWaitMs: 0,
    random: () => 0,
    ...options,
  });
}

async function fail(pool: KeyPool<FakeClient>, category: ErrorCategory): Promise<void> {
  await pool
    .execute(
      async () => {
        throw new FakeProviderError(category);
      },
      { maxAttempts: 1, model: 'm' },
    )
    .catch(() => undefined);
}

async function succeed(pool: KeyPool<FakeClient>): Promise<void> {
  await pool.execute(async () => 'ok', { maxAttempts: 1, model: 'm' });
}

const status = (pool: KeyPool<FakeClient>) => pool.snapshot()[0]!.status;

describe('failure thresholds', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps the old behaviour by default: the first auth failure disables the key', async () => {
    const pool = onePool();
    await fail(pool, 'auth');
    expect(status(pool)).toBe('disabled');
  });

  it('disables a key only after its third 401 in a row when the auth row says threshold 3', async () => {
    const pool = onePool({ policy: { auth: { threshold: 3 } } });
    const disabled: string[] = [];
    pool.on('key.disabled', (event) => disabled.push(event.keyId));
    await fail(pool, 'auth');
    await fail(pool, 'auth');
    expect(status(pool)).toBe('active');
    expect(disabled).toEqual([]);
    await fail(pool, 'auth');
    expect(status(pool)).toBe('disabled');
    expect(disabled).toEqual(['a']);
  });

  it('below the threshold the call still moves on to another key; the third call in a row rotates the key out', async () => {
    const adapter = new FakeAdapter();
    adapter.always(SECRET, { type: 'error', category: 'auth' });
    const pool = createKeyPool({
      adapter,
      keys: [
        { id: 'a', secret: SECRET },
        { id: 'b', secret: 'sk-threshold-bbbbbbbbbbbbbbbbbbbb' },
      ],
      policy: { auth: { threshold: 3 } },
    });
    const served: string[] = [];
    for (let call = 0; call < 4; call++) {
      served.push((await pool.chat({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })).keyId);
      served.push(pool.snapshot()[0]!.status);
    }
    expect(served).toEqual(['b', 'active', 'b', 'active', 'b', 'disabled', 'b', 'disabled']);
    expect(adapter.callsFor(SECRET)).toHaveLength(3);
  });

  it('below the threshold a retry in the same call never goes back to the key that just failed', async () => {
    const adapter = new FakeAdapter();
    adapter.always(SECRET, { type: 'error', category: 'auth' });
    // A strategy that would pick the first usable key every time: only the call's own memory moves it on.
    const pool = createKeyPool({
      adapter,
      keys: [
        { id: 'a', secret: SECRET },
        { id: 'b', secret: 'sk-threshold-bbbbbbbbbbbbbbbbbbbb' },
      ],
      policy: { auth: { threshold: 5 } },
      strategy: 'random',
      random: () => 0,
    });
    for (let call = 0; call < 3; call++) {
      const tried: string[] = [];
      const answer = await pool.chat(
        { model: 'm', messages: [{ role: 'user', content: 'hi' }] },
        { onAttempt: (attempt) => tried.push(attempt.keyId) },
      );
      expect(answer.keyId).toBe('b');
      expect(tried).toEqual(['a', 'b']);
    }
    expect(pool.snapshot()[0]!.status).toBe('active');
  });

  it('starts counting again after a success', async () => {
    const pool = onePool({ policy: { auth: { threshold: 3 } } });
    await fail(pool, 'auth');
    await fail(pool, 'auth');
    await succeed(pool);
    await fail(pool, 'auth');
    await fail(pool, 'auth');
    expect(status(pool)).toBe('active');
    await fail(pool, 'auth');
    expect(status(pool)).toBe('disabled');
  });

  it('applies the pool-wide failureThreshold to rows without their own: a rate limit cools on the second 429', async () => {
    const pool = onePool({ failureThreshold: 2, cooldown: { baseMs: 1_000, jitter: 0 } });
    const cooled: number[] = [];
    pool.on('key.cooldown', (event) => cooled.push(event.durationMs));
    await fail(pool, 'rate_limit');
    expect(status(pool)).toBe('active');
    await succeed(pool); // the key was still in rotation
    await fail(pool, 'rate_limit');
    expect(status(pool)).toBe('active');
    await fail(pool, 'rate_limit');
    expect(status(pool)).toBe('cooling');
    expect(cooled).toEqual([1_000]);
  });

  it('a row threshold beats the pool-wide one', async () => {
    const pool = onePool({ failureThreshold: 5, policy: { quota_exhausted: { threshold: 1 } } });
    await fail(pool, 'quota_exhausted');
    expect(status(pool)).toBe('cooling');
  });

  it('resets the count after a quiet period (failureResetMs), not only on a success', async () => {
    const pool = onePool({ policy: { auth: { threshold: 2 } }, failureResetMs: 60_000 });
    await fail(pool, 'auth');
    await vi.advanceTimersByTimeAsync(60_000);
    await fail(pool, 'auth'); // a minute of quiet: this is the first of a new run
    expect(status(pool)).toBe('active');
    await vi.advanceTimersByTimeAsync(59_000);
    await fail(pool, 'auth'); // within the minute: the second in a row
    expect(status(pool)).toBe('disabled');
  });

  it('counts a whole-key effect across model scopes', async () => {
    const pool = onePool({ policy: { auth: { threshold: 2 } } });
    await pool
      .execute(
        async () => {
          throw new FakeProviderError('auth');
        },
        { maxAttempts: 1, model: 'one' },
      )
      .catch(() => undefined);
    await pool
      .execute(
        async () => {
          throw new FakeProviderError('auth');
        },
        { maxAttempts: 1, model: 'two' },
      )
      .catch(() => undefined);
    expect(status(pool)).toBe('disabled');
  });

  it('enableKey forgets the count', async () => {
    const pool = onePool({ policy: { auth: { threshold: 2 } } });
    await fail(pool, 'auth');
    await fail(pool, 'auth');
    expect(status(pool)).toBe('disabled');
    await pool.enableKey('a');
    await fail(pool, 'auth');
    expect(status(pool)).toBe('active');
  });

  it('a quiet period also restarts the escalation of rate-limit cooldowns', async () => {
    const run = async (failureResetMs: number | undefined) => {
      const pool = onePool({
        cooldown: { baseMs: 1_000, maxMs: 60_000, jitter: 0 },
        ...(failureResetMs === undefined ? {} : { failureResetMs }),
      });
      const cooled: number[] = [];
      pool.on('key.cooldown', (event) => cooled.push(event.durationMs));
      await fail(pool, 'rate_limit');
      await vi.advanceTimersByTimeAsync(1_000);
      await fail(pool, 'rate_limit');
      await vi.advanceTimersByTimeAsync(30_000);
      await fail(pool, 'rate_limit');
      return cooled;
    };
    expect(await run(undefined)).toEqual([1_000, 2_000, 4_000]);
    expect(await run(10_000)).toEqual([1_000, 2_000, 1_000]);
  });
});

describe('threshold options are validated', () => {
  const bad = (options: Record<string, unknown>): string => {
    try {
      onePool(options as Partial<KeyPoolOptions<FakeClient>>);
    } catch (error) {
      expect(ConfigError.isInstance(error)).toBe(true);
      return (error as ConfigError).message;
    }
    throw new Error('no ConfigError');
  };

  it('names the bad field', () => {
    expect(bad({ failureThreshold: 0 })).toContain(
      'failureThreshold: failureThreshold must be an integer >= 1',
    );
    expect(bad({ failureThreshold: 1.5 })).toContain('failureThreshold must be an integer >= 1');
    expect(bad({ failureResetMs: -5 })).toContain('failureResetMs: failureResetMs must be > 0');
    expect(bad({ policy: { auth: { threshold: 0 } } })).toContain(
      'policy.auth.threshold: threshold must be an integer >= 1',
    );
    expect(bad({ failureTreshold: 2 })).toContain('did you mean failureThreshold?');
  });
});
