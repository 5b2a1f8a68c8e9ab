import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { classifyHttpFailure } from './classify-http-failure';
import { KeypoolError, PoolExhaustedError } from './errors';
import { createKeyPool, type KeyPoolOptions } from './key-pool';
import { FakeAdapter, type FakeClient } from './testing/fake-adapter';

const A = 'sk-lease-aaaaaaaaaaaaaaaaaaaaaaaa';
const B = 'sk-lease-bbbbbbbbbbbbbbbbbbbbbbbb';
const T0 = 4_000_000;

function twoKeys(options: Partial<KeyPoolOptions<FakeClient>> = {}) {
  return createKeyPool({
    adapter: new FakeAdapter(),
    keys: [
      { id: 'a', secret: A },
      { id: 'b', secret: B },
    ],
    strategy: 'round-robin',
    adaptiveLimits: false,
    ...options,
  });
}

const scopeOf = (pool: ReturnType<typeof twoKeys>, id: string) =>
  pool
    .snapshot()
    .find((key) => key.id === id)!
    .scopes!.find((scope) => scope.scope === 'm')!;

describe('pool.acquire', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives the key, its secret for this call only, and a signal; succeed records the call', async () => {
    const pool = twoKeys();
    const lease = await pool.acquire({ model: 'm', estimatedTokens: 10 });
    expect(lease.keyId).toBe('a');
    expect(lease.masked).not.toContain(A);
    expect(lease.secret()).toBe(A);
    expect(lease.signal.aborted).toBe(false);
    expect(scopeOf(pool, 'a').inFlight).toBe(1);
    expect(lease.succeed({ inputTokens: 7, outputTokens: 5 })).toBe(true);
    expect(lease.settled).toBe(true);
    expect(() => lease.secret()).toThrow(KeypoolError);
    expect(() => lease.secret()).toThrow('the lease of key "a" is settled');
    const scope = scopeOf(pool, 'a');
    expect(scope.inFlight).toBe(0);
    expect(scope.counts.successes).toBe(1);
  });

  it("counts the usage a lease reports against the key's tokens per minute", async () => {
    const pool = twoKeys({ keys: [{ id: 'a', secret: A, limits: { tpm: 20 } }], maxWaitMs: 0 });
    (await pool.acquire({ model: 'm', estimatedTokens: 10 })).succeed({ inputTokens: 1, outputTokens: 1 });
    (await pool.acquire({ model: 'm', estimatedTokens: 10 })).succeed(2);
    // 2 + 2 used, 10 estimated: fits in 20 only because the real usage replaced the estimates
    (await pool.acquire({ model: 'm', estimatedTokens: 10 })).succeed(15);
    const error = await pool.acquire({ model: 'm', estimatedTokens: 10 }).catch((caught: unknown) => caught);
    expect(PoolExhaustedError.isInstance(error)).toBe(true); // 2 + 2 + 15 + 10 does not
  });

  it('a 429 with retry-after cools the key for that long; the next lease goes to the other key', async () => {
    const pool = twoKeys();
    const cooled: number[] = [];
    pool.on('key.cooldown', (event) => cooled.push(event.durationMs));
    const lease = await pool.acquire({ model: 'm' });
    const failure = lease.fail(429, { 'retry-after': '7' });
    expect(failure.applied).toBe(true);
    expect(failure.retry).toBe(true);
    expect(failure.error.category).toBe('rate_limit');
    expect(failure.error.retryAfterMs).toBe(7_000);
    expect(cooled).toEqual([7_000]);
    expect(scopeOf(pool, 'a').status).toBe('cooling');
    const next = await pool.acquire({ model: 'm' });
    expect(next.keyId).toBe('b');
    next.succeed();
  });

  it('a 401 disables the key; a 400 that says "rate limit" is a rate limit; a 429 about quota spends the quota', async () => {
    const pool = twoKeys();
    const first = await pool.acquire({ model: 'm' });
    expect(first.fail(401).error.category).toBe('auth');
    expect(pool.snapshot()[0]!.status).toBe('disabled');
    const second = await pool.acquire({ model: 'm' });
    expect(second.keyId).toBe('b');
    const failure = second.fail({
      status: 400,
      body: '{"error":{"message":"Rate limit reached, slow down"}}',
    });
    expect(failure.error.category).toBe('rate_limit');
    expect(
      classifyHttpFailure({ status: 429, body: '{"error":{"code":"insufficient_quota"}}' }, T0).category,
    ).toBe('quota_exhausted');
    expect(classifyHttpFailure({ status: 529 }, T0).category).toBe('overloaded');
    expect(classifyHttpFailure({ status: 502 }, T0).category).toBe('server');
    expect(classifyHttpFailure({ status: 422 }, T0).category).toBe('invalid_request');
  });

  it('a second settle applies nothing and releases nothing twice', async () => {
    const pool = twoKeys();
    const disabled: string[] = [];
    pool.on('key.disabled', (event) => disabled.push(event.keyId));
    const lease = await pool.acquire({ model: 'm' });
    expect(lease.succeed()).toBe(true);
    expect(lease.succeed()).toBe(false);
    const late = lease.fail(401);
    expect(late.applied).toBe(false);
    expect(late.error.category).toBe('auth');
    expect(disabled).toEqual([]);
    const scope = scopeOf(pool, 'a');
    expect(scope.inFlight).toBe(0);
    expect(scope.counts.requests).toBe(1);
    expect(scope.counts.successes).toBe(1);
    expect(pool.snapshot()[0]!.status).toBe('active');
  });

  it('a lease never settled is released at its deadline as a timeout, without blame', async () => {
    const pool = twoKeys({ keys: [{ id: 'a', secret: A, limits: { rpm: 100 } }] });
    const failures: string[] = [];
    pool.on('request.failure', (event) => failures.push(event.category));
    const lease = await pool.acquire({ model: 'm', deadlineMs: 5_000 });
    expect(lease.deadline).toBe(T0 + 5_000);
    expect(scopeOf(pool, 'a').inFlight).toBe(1);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(lease.signal.aborted).toBe(true);
    expect(lease.settled).toBe(true);
    expect(failures).toEqual(['timeout']);
    expect(scopeOf(pool, 'a').inFlight).toBe(0);
    expect(pool.snapshot()[0]!.status).toBe('active');
    expect(lease.succeed()).toBe(false); // too late: already released
    const again = await pool.acquire({ model: 'm' });
    expect(again.keyId).toBe('a');
    again.succeed();
  });

  it('many leases never settled do not leak capacity: a window of 3 requests stays usable', async () => {
    const pool = twoKeys({ keys: [{ id: 'a', secret: A }], maxWaitMs: 0 });
    for (let round = 0; round < 5; round++) {
      const leases = await Promise.all([1, 2, 3].map(() => pool.acquire({ model: 'm', deadlineMs: 1_000 })));
      expect(leases.map((lease) => lease.keyId)).toEqual(['a', 'a', 'a']);
      await vi.advanceTimersByTimeAsync(1_000);
    }
    expect(scopeOf(pool, 'a').inFlight).toBe(0);
  });

  it("the caller's abort aborts the lease's signal and releases the key as aborted", async () => {
    const pool = twoKeys();
    const controller = new AbortController();
    const lease = await pool.acquire({ model: 'm', signal: controller.signal });
    controller.abort();
    expect(lease.signal.aborted).toBe(true);
    expect(lease.settled).toBe(true);
    expect(lease.fail(new Error('aborted')).error.category).toBe('aborted');
    expect(scopeOf(pool, 'a').inFlight).toBe(0);
    expect(pool.snapshot()[0]!.status).toBe('active');
  });

  it('never shows the secret: not in the lease printed or serialised, not in a failure built from a body', async () => {
    const pool = twoKeys();
    const seen: unknown[] = [];
    pool.onAny((event) => seen.push(event));
    const lease = await pool.acquire({ model: 'm' });
    expect(inspect(lease, { depth: 10, showHidden: true })).not.toContain(A);
    expect(JSON.stringify(lease)).not.toContain(A);
    const failure = lease.fail({
      status: 401,
      body: `{"error":{"message":"Incorrect API key provided: ${A}"}}`,
    });
    expect(failure.error.category).toBe('auth');
    expect(failure.error.message).toContain('Incorrect API key provided');
    expect(failure.error.message).not.toContain(A);
    expect(inspect(failure, { depth: 10 })).not.toContain(A);
    expect(JSON.stringify(seen)).not.toContain(A);
    expect(JSON.stringify(pool.snapshot())).not.toContain(A);
    expect(() => lease.secret()).toThrow(expect.objectContaining({ code: 'lease_settled' }));
  });

  it('throws PoolExhaustedError when no key can serve', async () => {
    const pool = twoKeys({ keys: [{ id: 'a', secret: A }], maxWaitMs: 0 });
    (await pool.acquire({ model: 'm' })).fail(401);
    const error = await pool.acquire({ model: 'm' }).catch((caught: unknown) => caught);
    expect(PoolExhaustedError.isInstance(error)).toBe(true);
  });

  it('learns limits from the response headers (x-ratelimit-*) with an adapter that reads none itself', async () => {
    const pool = twoKeys({ keys: [{ id: 'a', secret: A }], maxWaitMs: 0 });
    const lease = await pool.acquire({ model: 'm' });
    lease.succeed(3, {
      'x-ratelimit-limit-requests': '100',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '20s',
    });
    expect(scopeOf(pool, 'a').learned?.requests).toMatchObject({ limit: 100, remaining: 0 });
    const error = await pool.acquire({ model: 'm' }).catch((caught: unknown) => caught);
    expect(PoolExhaustedError.isInstance(error)).toBe(true);
    expect((error as PoolExhaustedError).retryAfterMs).toBeGreaterThan(19_000);
  });
});
