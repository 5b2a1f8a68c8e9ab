import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cooldownDuration, DEFAULT_COOLDOWN } from './backoff';
import { ConfigError, PoolExhaustedError, ProviderError, StreamInterruptedError } from './errors';
import { createKeyPool } from './key-pool';
import type { KeySelector } from './selectors';
import { FakeAdapter } from './testing/fake-adapter';

const secrets = [
  'sk-engine-0000000000000000000',
  'sk-engine-1111111111111111111',
  'sk-engine-2222222222222222222',
];
const [A, B, C] = secrets as [string, string, string];
const keys = secrets.map((secret, index) => ({ id: `k${index}`, secret }));
const request = { model: 'm', messages: [{ role: 'user' as const, content: 'hello' }] };
const T0 = 10_000_000;

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

async function serveMany(pool: ReturnType<typeof createKeyPool>, count: number): Promise<string[]> {
  const served: string[] = [];
  for (let index = 0; index < count; index++) served.push((await pool.chat(request)).keyId);
  return served;
}

describe('selection strategies', () => {
  it('round-robin takes each key in turn', async () => {
    const pool = createKeyPool({ adapter: new FakeAdapter(), keys, strategy: 'round-robin' });
    expect(await serveMany(pool, 6)).toEqual(['k0', 'k1', 'k2', 'k0', 'k1', 'k2']);
  });

  it('health (the default) shares traffic among equally healthy keys and avoids a failing one', async () => {
    const adapter = new FakeAdapter();
    const pool = createKeyPool({ adapter, keys });
    expect(new Set(await serveMany(pool, 6))).toEqual(new Set(['k0', 'k1', 'k2']));
    adapter.script(A, { type: 'error', category: 'server' });
    // k0 fails once (a server error: no cooldown, a retry), so it has more consecutive failures than the others.
    const pending = serveMany(pool, 4);
    await vi.advanceTimersByTimeAsync(1_000);
    const served = await pending;
    expect(served.filter((id) => id === 'k0').length).toBeLessThanOrEqual(1);
  });

  it('health prefers the key with the most remaining capacity', async () => {
    const limited = keys.map((key, index) => ({ ...key, limits: { rpm: index === 2 ? 100 : 10 } }));
    const pool = createKeyPool({ adapter: new FakeAdapter(), keys: limited, windowMs: 1_000 });
    const served = await serveMany(pool, 12);
    expect(served.filter((id) => id === 'k2').length).toBeGreaterThan(6);
  });

  it('least-used picks the key with the fewest calls in flight', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, { type: 'ok', delayMs: 1_000 });
    adapter.script(B, { type: 'ok', delayMs: 1_000 });
    const pool = createKeyPool({ adapter, keys, strategy: 'least-used' });
    const first = pool.chat(request);
    const second = pool.chat(request);
    const third = await pool.chat(request);
    expect(third.keyId).toBe('k2');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(new Set([(await first).keyId, (await second).keyId])).toEqual(new Set(['k0', 'k1']));
  });

  it('weighted sends traffic in proportion to weight', async () => {
    let seed = 1;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return (seed - 1) / 2147483646;
    };
    const weighted = [
      { id: 'heavy', secret: A, weight: 8 },
      { id: 'light', secret: B, weight: 2 },
    ];
    const pool = createKeyPool({ adapter: new FakeAdapter(), keys: weighted, strategy: 'weighted', random });
    const served = await serveMany(pool, 500);
    const heavyShare = served.filter((id) => id === 'heavy').length / served.length;
    expect(heavyShare).toBeGreaterThan(0.72);
    expect(heavyShare).toBeLessThan(0.88);
  });

  it('random spreads traffic over every key', async () => {
    const pool = createKeyPool({ adapter: new FakeAdapter(), keys, strategy: 'random' });
    expect(new Set(await serveMany(pool, 60))).toEqual(new Set(['k0', 'k1', 'k2']));
  });

  it('latency prefers the fastest key once latencies are known', async () => {
    const adapter = new FakeAdapter();
    adapter.always(A, { type: 'ok', delayMs: 300 });
    adapter.always(B, { type: 'ok', delayMs: 20 });
    adapter.always(C, { type: 'ok', delayMs: 150 });
    const pool = createKeyPool({ adapter, keys, strategy: 'latency' });
    const run = async () => {
      const call = pool.chat(request);
      await vi.advanceTimersByTimeAsync(400);
      return (await call).keyId;
    };
    for (let index = 0; index < 3; index++) await run();
    const served = [await run(), await run(), await run()];
    expect(served).toEqual(['k1', 'k1', 'k1']);
  });

  it('accepts a custom selector', async () => {
    const lastKey: KeySelector = {
      name: 'last',
      select: (candidates, context) => [...candidates].reverse().find((key) => context.usable(key)),
    };
    const pool = createKeyPool({ adapter: new FakeAdapter(), keys, strategy: lastKey });
    expect(await serveMany(pool, 2)).toEqual(['k2', 'k2']);
  });

  it('rejects an unknown strategy name with a clear error', () => {
    expect(() => createKeyPool({ adapter: new FakeAdapter(), keys, strategy: 'fastest' as never })).toThrow(
      /strategy: unknown strategy "fastest"/,
    );
  });
});

describe('cooldowns', () => {
  it('escalate with consecutive failures, with jitter, up to the cap', () => {
    const bounds = { ...DEFAULT_COOLDOWN, baseMs: 1_000, maxMs: 10_000, jitter: 0.2 };
    expect(cooldownDuration(1, undefined, bounds, () => 0)).toBe(1_000);
    expect(cooldownDuration(2, undefined, bounds, () => 0)).toBe(2_000);
    expect(cooldownDuration(3, undefined, bounds, () => 0)).toBe(4_000);
    expect(cooldownDuration(3, undefined, bounds, () => 1)).toBe(3_200);
    expect(cooldownDuration(9, undefined, bounds, () => 0)).toBe(10_000);
    expect(cooldownDuration(50, undefined, bounds, () => 0)).toBe(10_000);
  });

  it('take the provider’s hint as the cooldown, never escalated past it, capped by the maximum', () => {
    const bounds = { ...DEFAULT_COOLDOWN, baseMs: 1_000, maxMs: 60_000, jitter: 0.2 };
    expect(cooldownDuration(1, 7_000, bounds, () => 1)).toBe(7_000);
    expect(cooldownDuration(5, 2_000, bounds, () => 0)).toBe(2_000);
    expect(cooldownDuration(1, 3_600_000, bounds, () => 0)).toBe(60_000);
    // No hint (or a spent one): the escalating backoff.
    expect(cooldownDuration(5, 0, bounds, () => 0)).toBe(16_000);
  });

  it('escalate on a key that fails again right after its cooldown', async () => {
    const adapter = new FakeAdapter();
    adapter.always(A, { type: 'error', category: 'rate_limit' });
    const durations: number[] = [];
    const pool = createKeyPool({
      adapter,
      keys: [keys[0]!, keys[1]!],
      strategy: 'round-robin',
      random: () => 0,
      cooldown: { baseMs: 1_000, jitter: 0 },
    });
    pool.on('key.cooldown', (event) => {
      if (event.keyId === 'k0') durations.push(event.durationMs);
    });
    for (let round = 0; round < 3; round++) {
      await pool.chat(request);
      await vi.advanceTimersByTimeAsync(durations.at(-1) ?? 0);
      await pool.chat(request);
      await pool.chat(request);
    }
    expect(durations.slice(0, 3)).toEqual([1_000, 2_000, 4_000]);
  });

  it('never shorten an earlier deadline', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, { type: 'error', category: 'rate_limit', hints: { retryAfterMs: 30_000 } });
    const pool = createKeyPool({
      adapter,
      keys: [keys[0]!, keys[1]!],
      strategy: 'round-robin',
      random: () => 0,
    });
    await pool.chat(request);
    const until = pool.snapshot()[0]!.cooldownUntil!;
    expect(until).toBe(T0 + 30_000);
    // A shorter hint seen later (e.g. by a quota-group sibling) must not bring the key back early.
    await pool.enableKey('k1');
    expect(pool.snapshot()[0]!.cooldownUntil).toBe(until);
  });

  it('send one probe to a key back from cooldown, then full traffic once it succeeds', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, { type: 'error', category: 'rate_limit', hints: { retryAfterMs: 1_000 } });
    const events: string[] = [];
    const pool = createKeyPool({
      adapter,
      keys: [keys[0]!, keys[1]!],
      strategy: 'round-robin',
      random: () => 0,
    });
    pool.on('key.recovered', (event) => events.push(`recovered ${event.keyId}`));
    pool.on('key.selected', (event) => {
      if (event.probe) events.push(`probe ${event.keyId}`);
    });
    await pool.chat(request);
    await vi.advanceTimersByTimeAsync(1_000);
    adapter.script(A, { type: 'ok', delayMs: 100 });
    const probe = pool.chat(request);
    // While the probe is in flight, the key takes no other call.
    const others = await Promise.all([pool.chat(request), pool.chat(request)]);
    expect(others.map((result) => result.keyId)).toEqual(['k1', 'k1']);
    expect(pool.snapshot()[0]!.status).toBe('half_open');
    await vi.advanceTimersByTimeAsync(100);
    expect((await probe).keyId).toBe('k0');
    expect(events).toEqual(['probe k0', 'recovered k0']);
    expect(pool.snapshot()[0]!.status).toBe('active');
    expect(pool.snapshot()[0]!.consecutiveFailures).toBe(0);
  });

  it('disable a key on auth until it is re-enabled, keeping the reason', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, { type: 'error', category: 'auth', message: 'Incorrect API key provided' });
    const pool = createKeyPool({ adapter, keys: [keys[0]!, keys[1]!], strategy: 'round-robin' });
    await pool.chat(request);
    const snapshot = pool.snapshot()[0]!;
    expect(snapshot.status).toBe('disabled');
    expect(snapshot.reason).toContain('Incorrect API key provided');
    await vi.advanceTimersByTimeAsync(24 * 3_600_000);
    expect(await serveMany(pool, 2)).toEqual(['k1', 'k1']);
    await pool.enableKey('k0');
    expect(await serveMany(pool, 2)).toContain('k0');
  });

  it('cool a whole quota group when one of its keys hits a limit', async () => {
    const grouped = [
      { id: 'g1', secret: A, quotaGroup: 'org-1' },
      { id: 'g2', secret: B, quotaGroup: 'org-1' },
      { id: 'solo', secret: C },
    ];
    const adapter = new FakeAdapter();
    adapter.script(A, { type: 'error', category: 'rate_limit', hints: { retryAfterMs: 5_000 } });
    const pool = createKeyPool({ adapter, keys: grouped, strategy: 'round-robin', random: () => 0 });
    expect((await pool.chat(request)).keyId).toBe('solo');
    const statuses = pool.snapshot().map((key) => key.status);
    expect(statuses).toEqual(['cooling', 'cooling', 'active']);
    expect(adapter.callsFor(B)).toHaveLength(0);
  });
});

describe('proactive limits', () => {
  it('never sends more than rpm per window, waiting for the window when it frees soon enough', async () => {
    const adapter = new FakeAdapter();
    const pool = createKeyPool({
      adapter,
      keys: [{ id: 'k', secret: A, limits: { rpm: 3 } }],
      windowMs: 1_000,
      maxWaitMs: 2_000,
    });
    const calls = Array.from({ length: 7 }, () => pool.chat(request));
    await vi.advanceTimersByTimeAsync(3_500);
    await Promise.all(calls);
    const times = adapter.calls.map((call) => call.at - T0);
    for (const [index, time] of times.entries()) {
      const inWindow = times.filter((other) => other > time - 1_000 && other <= time);
      expect(inWindow.length, `call ${index} at ${time}`).toBeLessThanOrEqual(3);
    }
    expect(times).toHaveLength(7);
  });

  it('throws PoolExhaustedError with the wait when the window frees later than the wait bound', async () => {
    const pool = createKeyPool({
      adapter: new FakeAdapter(),
      keys: [{ id: 'k', secret: A, limits: { rpm: 1 } }],
      maxWaitMs: 0,
    });
    await pool.chat(request);
    const error = await pool.chat(request).catch((caught: unknown) => caught);
    expect(PoolExhaustedError.isInstance(error)).toBe(true);
    expect((error as PoolExhaustedError).retryAfterMs).toBeGreaterThan(59_000);
    expect((error as PoolExhaustedError).keys[0]!.status).toBe('limited');
  });

  it('reserves estimated tokens and reconciles them with real usage', async () => {
    const adapter = new FakeAdapter();
    adapter.always(A, { type: 'ok', text: 'x', usage: 10 });
    const pool = createKeyPool({
      adapter,
      keys: [{ id: 'k', secret: A, limits: { tpm: 1_000 } }],
      maxWaitMs: 0,
    });
    const run = (estimatedTokens: number) =>
      pool
        .run((client, key) => adapter.call(client, key), { estimatedTokens })
        .then(
          () => 'ok',
          (error: unknown) => (PoolExhaustedError.isInstance(error) ? 'exhausted' : 'other'),
        );
    expect(await run(900)).toBe('ok');
    // 900 were reserved but only 10 used: the window has 990 free again.
    expect(await run(900)).toBe('ok');
    expect(pool.snapshot()[0]!.usage.tokens).toBe(20);
    expect(await run(985)).toBe('exhausted');
  });

  it('learns remaining capacity from rate-limit headers and stops before the provider says 429', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, {
      type: 'ok',
      rateLimit: { requests: { limit: 100, remaining: 0, resetAt: T0 + 4_000 } },
    });
    const pool = createKeyPool({ adapter, keys: [keys[0]!, keys[1]!], strategy: 'round-robin' });
    const learned: number[] = [];
    pool.on('limits.learned', (event) => learned.push(event.requestsRemaining ?? -1));
    await pool.chat(request);
    expect(learned).toEqual([0]);
    expect(await serveMany(pool, 3)).toEqual(['k1', 'k1', 'k1']);
    expect(pool.snapshot()[0]!.status).toBe('limited');
    await vi.advanceTimersByTimeAsync(4_000);
    expect(await serveMany(pool, 2)).toContain('k0');
  });
});

describe('the execution loop', () => {
  it('aborts at once when the caller aborts, without retrying', async () => {
    const adapter = new FakeAdapter();
    adapter.always(A, { type: 'hang' });
    const pool = createKeyPool({ adapter, keys: [keys[0]!, keys[1]!], strategy: 'round-robin' });
    const controller = new AbortController();
    const call = pool.chat({ ...request, signal: controller.signal }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort();
    const error = await call;
    expect((error as ProviderError).category).toBe('aborted');
    expect(adapter.calls).toHaveLength(1);
  });

  it('times out an attempt and does not retry a silent route', async () => {
    const adapter = new FakeAdapter();
    adapter.always(A, { type: 'hang' });
    const pool = createKeyPool({
      adapter,
      keys: [keys[0]!, keys[1]!],
      strategy: 'round-robin',
      attemptTimeoutMs: 500,
    });
    const call = pool.chat(request).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(500);
    const error = await call;
    expect((error as ProviderError).category).toBe('timeout');
    expect(adapter.calls).toHaveLength(1);
  });

  it('keeps the total deadline across retries and waits', async () => {
    const adapter = new FakeAdapter();
    adapter.always(A, { type: 'error', category: 'server', delayMs: 400 });
    adapter.always(B, { type: 'hang' });
    const pool = createKeyPool({
      adapter,
      keys: [keys[0]!, keys[1]!],
      strategy: 'round-robin',
      deadlineMs: 1_000,
      retryBaseMs: 100,
      random: () => 0,
    });
    const call = pool.chat(request).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1_000);
    const error = await call;
    expect(ProviderError.isInstance(error)).toBe(true);
    expect((error as ProviderError).category).toBe('timeout');
    expect(Date.now() - T0).toBeLessThanOrEqual(1_000);
  });

  it('bounds attempts', async () => {
    const adapter = new FakeAdapter();
    for (const secret of secrets)
      adapter.always(secret, { type: 'error', category: 'rate_limit', hints: { retryAfterMs: 1 } });
    const pool = createKeyPool({
      adapter,
      keys,
      maxAttempts: 2,
      maxWaitMs: 10_000,
      cooldown: { baseMs: 1, maxMs: 2 },
    });
    const call = pool.chat(request).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(100);
    const error = await call;
    expect(PoolExhaustedError.isInstance(error)).toBe(true);
    expect((error as PoolExhaustedError).reason).toBe('attempts_exhausted');
    expect(adapter.calls).toHaveLength(2);
  });

  it('waits for the earliest key when it frees within the bound', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, { type: 'error', category: 'rate_limit', hints: { retryAfterMs: 800 } });
    const waits: number[] = [];
    const pool = createKeyPool({
      adapter,
      keys: [keys[0]!],
      maxWaitMs: 1_000,
      random: () => 0,
      cooldown: { baseMs: 100 },
    });
    pool.on('request.wait', (event) => waits.push(event.waitMs));
    const call = pool.chat(request);
    await vi.advanceTimersByTimeAsync(800);
    expect((await call).keyId).toBe('k0');
    expect(waits).toEqual([800]);
  });

  it('records on each attempt the key that attempt used, under concurrency', async () => {
    const adapter = new FakeAdapter();
    for (const secret of secrets) adapter.always(secret, { type: 'ok', delayMs: 5 });
    const pool = createKeyPool({ adapter, keys, strategy: 'random' });
    const selected: string[] = [];
    pool.on('request.success', (event) => selected.push(event.keyId));
    const calls = Array.from({ length: 30 }, () => pool.chat(request));
    await vi.advanceTimersByTimeAsync(50);
    const results = await Promise.all(calls);
    const byId = new Map(keys.map((key) => [key.id, key.secret]));
    const servedSecrets = adapter.calls.map((call) => call.secret).sort();
    expect(results.map((result) => byId.get(result.keyId)).sort()).toEqual(servedSecrets);
    expect(selected.sort()).toEqual(results.map((result) => result.keyId).sort());
  });
});

describe('streams', () => {
  it('fails over before the first chunk', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, { type: 'error', category: 'rate_limit' });
    adapter.script(B, { type: 'stream', chunks: ['a', 'b', 'c'] });
    const pool = createKeyPool({
      adapter,
      keys: [keys[0]!, keys[1]!],
      strategy: 'round-robin',
      random: () => 0,
    });
    const events = [];
    for await (const event of pool.stream(request)) events.push(event);
    expect(events.at(-1)).toMatchObject({ type: 'done', result: { text: 'abc', keyId: 'k1' } });
  });

  it('raises StreamInterruptedError with the partial text when the stream ends without its terminator', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, { type: 'stream', chunks: ['par', 'tial'], noTerminator: true });
    const pool = createKeyPool({ adapter, keys: [keys[0]!] });
    const error = await (async () => {
      for await (const _ of pool.stream(request, { onInterrupt: 'fail' })) {
        // consume
      }
    })().catch((caught: unknown) => caught);
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect((error as StreamInterruptedError).partialText).toBe('partial');
  });

  it('counts a stall longer than the idle timeout as an interruption', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, { type: 'stream', chunks: ['a', 'b', 'c'], chunkDelayMs: 1_000 });
    const pool = createKeyPool({ adapter, keys: [keys[0]!], streamIdleTimeoutMs: 500, onInterrupt: 'fail' });
    const consume = (async () => {
      for await (const _ of pool.stream(request)) {
        // consume
      }
    })().catch((caught: unknown) => caught);
    await vi.advanceTimersByTimeAsync(3_000);
    const error = await consume;
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect((error as StreamInterruptedError).interruptedBy).toBe('timeout');
  });

  it('moves on when the first chunk is slower than the first-chunk limit', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, { type: 'hang' });
    adapter.script(B, { type: 'stream', chunks: ['ok'] });
    const pool = createKeyPool({
      adapter,
      keys: [keys[0]!, keys[1]!],
      strategy: 'round-robin',
      policy: { timeout: { request: 'next_key' } },
    });
    const consume = (async () => {
      let text = '';
      for await (const event of pool.stream(request, { firstChunkTimeoutMs: 300 }))
        if (event.type === 'done') text = event.result.text;
      return text;
    })();
    await vi.advanceTimersByTimeAsync(300);
    expect(await consume).toBe('ok');
  });

  it('releases the key without blame when the consumer stops early', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, { type: 'stream', chunks: ['a', 'b', 'c'] });
    const pool = createKeyPool({ adapter, keys: [keys[0]!] });
    for await (const event of pool.stream(request)) {
      expect(event).toEqual({ type: 'delta', text: 'a' });
      break;
    }
    const snapshot = pool.snapshot()[0]!;
    expect(snapshot.inFlight).toBe(0);
    expect(snapshot.status).toBe('active');
    expect(snapshot.consecutiveFailures).toBe(0);
  });
});

describe('configuration', () => {
  it.each([
    [[], 'keys: keys must hold at least one key'],
    [
      [
        { id: 'a', secret: A },
        { id: 'a', secret: B },
      ],
      'keys[1].id: duplicate key id "a"',
    ],
    [[{ id: 'a', secret: '   ' }], 'keys[0].secret: secret must not be empty or whitespace'],
    [[{ id: '', secret: A }], 'keys[0].id: id must not be empty'],
    [[{ id: 'a', secret: A, limits: { rpm: -1 } }], 'keys[0].limits.rpm: rpm must be >= 0'],
    [[{ id: 'a', secret: A, weight: 0 }], 'keys[0].weight: weight must be > 0'],
  ])('names the field that is wrong (%#)', (badKeys, message) => {
    const build = () => createKeyPool({ adapter: new FakeAdapter(), keys: badKeys as never });
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(message);
  });

  it('never puts a secret in a validation message', () => {
    const secret = 'sk-canary-zzzzzzzzzzzzzzzz ';
    try {
      createKeyPool({ adapter: new FakeAdapter(), keys: [{ id: 'a', secret }] });
      expect.unreachable();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('sk-canary');
      expect(JSON.stringify(error)).not.toContain('sk-canary');
    }
  });

  it('rejects negative timing options by name', () => {
    expect(() => createKeyPool({ adapter: new FakeAdapter(), keys, deadlineMs: -5 })).toThrow(
      'deadlineMs: deadlineMs must be > 0',
    );
  });
});

describe('administration and state', () => {
  it('adds, disables, enables and removes keys at run time', async () => {
    const pool = createKeyPool({ adapter: new FakeAdapter(), keys: [keys[0]!], strategy: 'round-robin' });
    await pool.addKey({ id: 'extra', secret: B });
    expect(pool.keyIds()).toEqual(['k0', 'extra']);
    await expect(pool.addKey({ id: 'extra', secret: C })).rejects.toThrow('duplicate key id "extra"');
    await pool.disableKey('k0', 'rotating it out');
    expect(await serveMany(pool, 2)).toEqual(['extra', 'extra']);
    expect(pool.snapshot()[0]).toMatchObject({ status: 'disabled', reason: 'rotating it out' });
    await pool.enableKey('k0');
    await pool.removeKey('extra');
    expect(await serveMany(pool, 2)).toEqual(['k0', 'k0']);
    await expect(pool.removeKey('nope')).rejects.toThrow('no key with id "nope"');
    await expect(pool.removeKey('k0')).rejects.toThrow('a pool keeps at least one key');
  });

  it('saves and restores its state without secrets', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, { type: 'error', category: 'rate_limit', hints: { retryAfterMs: 60_000 } });
    adapter.script(B, { type: 'error', category: 'auth' });
    const pool = createKeyPool({ adapter, keys, strategy: 'round-robin', random: () => 0 });
    await pool.chat(request);
    const saved = JSON.parse(JSON.stringify(pool.toJSON()));
    for (const secret of secrets) expect(JSON.stringify(saved)).not.toContain(secret);
    const revived = createKeyPool({ adapter: new FakeAdapter(), keys, initialState: saved });
    await revived.whenReady();
    expect(revived.snapshot().map((key) => key.status)).toEqual(['cooling', 'disabled', 'active']);
    // A key whose secret changed starts fresh.
    const rotated = createKeyPool({
      adapter: new FakeAdapter(),
      keys: [{ id: 'k0', secret: 'sk-engine-new-secret-000000' }],
      initialState: saved,
    });
    await rotated.whenReady();
    expect(rotated.snapshot()[0]!.status).toBe('active');
  });

  it('starts a key disabled when its config says enabled: false', async () => {
    const pool = createKeyPool({
      adapter: new FakeAdapter(),
      keys: [{ ...keys[0]!, enabled: false }, keys[1]!],
    });
    expect(await serveMany(pool, 2)).toEqual(['k1', 'k1']);
    expect(pool.snapshot()[0]!.status).toBe('disabled');
  });
});

describe('errors thrown by an adapter as ProviderError', () => {
  it('keep every hint (filter reason, code, quota scope, reset, request id, model not found)', async () => {
    const adapter = new FakeAdapter();
    const pool = createKeyPool({ adapter, keys: [keys[0]!] });
    const thrown = new ProviderError({
      category: 'content_filter',
      message: 'blocked',
      provider: 'fake',
      status: 400,
      code: 'content_policy_violation',
      quotaScope: 'day',
      resetAt: T0 + 5,
      requestId: 'req_9',
      modelNotFound: true,
      filterReason: 'SAFETY',
    });
    const error = await pool.run(async () => Promise.reject(thrown)).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      category: 'content_filter',
      status: 400,
      providerCode: 'content_policy_violation',
      quotaScope: 'day',
      resetAt: T0 + 5,
      requestId: 'req_9',
      modelNotFound: true,
      filterReason: 'SAFETY',
    });
  });
});

describe('the per-call onAttempt hook', () => {
  it('reports each attempt of this call only, with its key and outcome', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, { type: 'error', category: 'rate_limit' });
    const pool = createKeyPool({
      adapter,
      keys: [keys[0]!, keys[1]!],
      strategy: 'round-robin',
      random: () => 0,
    });
    const seen: string[] = [];
    const other: string[] = [];
    await Promise.all([
      pool.chat(request, {
        onAttempt: (attempt) => seen.push(`${attempt.keyId}:${attempt.outcome}:${attempt.category ?? ''}`),
      }),
      pool.chat(request, { onAttempt: (attempt) => other.push(attempt.keyId) }),
    ]);
    expect(seen).toEqual(['k0:failure:rate_limit', 'k1:success:']);
    expect(other).toEqual(['k1']);
    const streamed: string[] = [];
    for await (const _ of pool.stream(request, {
      onAttempt: (attempt) => streamed.push(`${attempt.keyId}:${attempt.outcome}`),
    })) {
      // consume
    }
    expect(streamed).toEqual(['k1:success']);
  });
});

describe('reservation races with other processes', () => {
  it('waits and tries again instead of giving up when a shared store keeps refusing for a moment', async () => {
    const { MemoryStateStore } = await import('./memory-store');
    const inner = new MemoryStateStore();
    let refusals = 12;
    const racing = {
      kind: 'racing',
      register: inner.register.bind(inner),
      record: inner.record.bind(inner),
      setStatus: inner.setStatus.bind(inner),
      read: inner.read.bind(inner),
      remove: inner.remove.bind(inner),
      restore: inner.restore.bind(inner),
      async reserve(
        key: Parameters<typeof inner.reserve>[0],
        cost: Parameters<typeof inner.reserve>[1],
        now: number,
      ) {
        if (refusals > 0) {
          refusals--;
          const [view] = await inner.read([key], now);
          // Another process just took the capacity: free again a moment later.
          return {
            ok: false as const,
            view: { ...view!, blockedUntil: now + 5 },
            retryAt: now + 5,
            why: 'capacity' as const,
          };
        }
        return inner.reserve(key, cost, now);
      },
    };
    const pool = createKeyPool({
      adapter: new FakeAdapter(),
      keys: [keys[0]!, keys[1]!],
      store: racing,
      maxWaitMs: 100,
    });
    const call = pool.chat(request);
    await vi.advanceTimersByTimeAsync(200);
    expect((await call).text).toBe('ok');
    expect(refusals).toBe(0);
  });
});

describe('learned limits across the provider’s reset', () => {
  it('start a new window at the learned limit instead of letting every waiting call through', async () => {
    const adapter = new FakeAdapter();
    adapter.script(A, {
      type: 'ok',
      rateLimit: { requests: { limit: 2, remaining: 0, resetAt: T0 + 1_000 } },
    });
    const pool = createKeyPool({ adapter, keys: [keys[0]!], windowMs: 1_000, maxWaitMs: 0 });
    await pool.chat(request);
    await vi.advanceTimersByTimeAsync(1_000);
    const outcomes = await Promise.all(
      Array.from({ length: 4 }, () =>
        pool.chat(request).then(
          () => 'served',
          (error: unknown) => (PoolExhaustedError.isInstance(error) ? 'exhausted' : 'other'),
        ),
      ),
    );
    expect(outcomes.filter((outcome) => outcome === 'served')).toHaveLength(2);
    expect(outcomes.filter((outcome) => outcome === 'exhausted')).toHaveLength(2);
  });
});

describe('affinity', () => {
  it('keeps a conversation on one key while it is usable, and moves it when it is not', async () => {
    const adapter = new FakeAdapter();
    const pool = createKeyPool({ adapter, keys, strategy: 'round-robin', random: () => 0 });
    const served = [];
    for (let index = 0; index < 5; index++)
      served.push((await pool.chat(request, { affinity: 'conversation-42' })).keyId);
    expect(new Set(served).size).toBe(1);
    const home = served[0]!;
    const homeSecret = keys.find((key) => key.id === home)!.secret;
    adapter.script(homeSecret, { type: 'error', category: 'rate_limit', hints: { retryAfterMs: 60_000 } });
    const moved = await pool.chat(request, { affinity: 'conversation-42' });
    expect(moved.keyId).not.toBe(home);
    // Without affinity, round-robin spreads the calls.
    expect(new Set(await serveMany(pool, 2)).size).toBe(2);
  });
});
