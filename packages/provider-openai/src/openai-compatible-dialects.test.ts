import { firstHeader } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAICompatiblePool, type OpenAICompatiblePresetName } from './openai-compatible-presets';
import type { OpenAIPool } from './openai-pool';

type EmulatorKey = Parameters<Emulator['addKey']>[1];

let emulator: Emulator;
let serial = 0;

beforeAll(async () => {
  emulator = await startEmulator({ windowMs: 60_000, dayMs: 86_400_000 });
});
afterAll(() => emulator.close());

function key(label: string, behaviour: EmulatorKey = {}): string {
  serial += 1;
  const secret = `sk-dialect-${label}-${String(serial).padStart(4, '0')}-${'x'.repeat(12)}`;
  emulator.addKey(secret, behaviour);
  return secret;
}

function presetPool(
  preset: OpenAICompatiblePresetName,
  secrets: readonly string[],
  target: Emulator = emulator,
  fetch?: typeof globalThis.fetch,
): OpenAIPool {
  return createOpenAICompatiblePool(preset, {
    keys: secrets.map((secret, index) => ({ id: `key-${index + 1}`, secret })),
    // The first usable key takes every call: a call moves to key-2 only when key-1 is known to be spent.
    strategy: 'priority',
    adaptiveLimits: false,
    clientOptions: { baseURL: target.baseURLs.openai, ...(fetch ? { fetch } : {}) },
  });
}

const ask = (pool: OpenAIPool) =>
  pool.client.chat.completions.create({
    model: 'llama-3.3-70b',
    messages: [{ role: 'user', content: 'hi' }],
  });

function selections(pool: OpenAIPool): string[] {
  const ids: string[] = [];
  pool.on('key.selected', (event) => ids.push(event.keyId));
  return ids;
}

const learnedOf = (pool: OpenAIPool, id: string) =>
  pool.snapshot().find((entry) => entry.id === id)?.scopes?.[0]?.learned;

// Each preset's dialect, and a key behaviour whose first answer says "nothing left" in that dialect.
const CASES = [
  { preset: 'groq', spent: { rpd: 1, tpm: 100_000 }, budget: 'day' },
  { preset: 'cerebras', spent: { rpd: 1, tpm: 100_000 }, budget: 'day' },
  { preset: 'openrouter', spent: { rpd: 1 }, budget: 'day' },
  { preset: 'together', spent: { rpm: 1, tpm: 100_000 }, budget: 'minute' },
] as const;

describe.each(CASES)('the $preset preset reads its own rate-limit headers', ({ preset, spent, budget }) => {
  it('learns the budget from the first answer and sends the next call to another key, with no 429', async () => {
    const limited = key(`${preset}-limited`, { ...spent, rateLimitDialect: preset });
    const spare = key(`${preset}-spare`, { rateLimitDialect: preset });
    const pool = presetPool(preset, [limited, spare]);
    const ids = selections(pool);
    const learnedEvents: { provider: string; keyId: string; requestsRemaining?: number }[] = [];
    pool.on('limits.learned', (event) => learnedEvents.push(event));

    await ask(pool);
    const learned = learnedOf(pool, 'key-1');
    expect(learned?.requests).toMatchObject({ limit: 1, remaining: 0 });
    const resetIn = (learned?.requests?.resetAt ?? 0) - Date.now();
    if (budget === 'day') expect(resetIn).toBeGreaterThan(86_000_000);
    else expect(resetIn).toBeGreaterThan(50_000);
    expect(learnedEvents[0]).toMatchObject({ provider: preset, keyId: 'key-1', requestsRemaining: 0 });

    for (let call = 0; call < 3; call++) {
      const completion = await ask(pool);
      expect(completion.choices[0]?.message.content).toBe('Echo: hi');
    }
    expect(ids).toEqual(['key-1', 'key-2', 'key-2', 'key-2']);
    expect(emulator.requestsFor(limited).map((entry) => entry.status)).toEqual([200]);
  });

  it('ignores garbled values of its headers: nothing is learned, and a 429 still fails over', async () => {
    const limited = key(`${preset}-garbled`, {
      ...spent,
      rateLimitDialect: preset,
      garbledRateLimitHeaders: true,
    });
    const spare = key(`${preset}-garbled-spare`, { rateLimitDialect: preset });
    const pool = presetPool(preset, [limited, spare]);
    const ids = selections(pool);

    await ask(pool);
    expect(learnedOf(pool, 'key-1')).toBeUndefined();
    const completion = await ask(pool); // key-1 is asked again (nothing said it was spent): 429, then key-2
    expect(completion.choices[0]?.message.content).toBe('Echo: hi');
    expect(ids).toEqual(['key-1', 'key-1', 'key-2']);
    expect(emulator.requestsFor(limited).map((entry) => entry.status)).toEqual([200, 429]);
    expect(JSON.stringify(pool.snapshot())).not.toContain(limited);
  });
});

describe('what each dialect teaches', () => {
  it('cerebras: a spent day whose reset is near makes the only key wait for it, without a 429', async () => {
    const shortDay = await startEmulator({ windowMs: 60_000, dayMs: 1_200 });
    try {
      const secret = 'sk-dialect-cerebras-short-day-xxxxxxxxxxxx';
      shortDay.addKey(secret, { rpd: 1, tpm: 100_000, rateLimitDialect: 'cerebras' });
      const pool = presetPool('cerebras', [secret], shortDay);
      await ask(pool);
      const started = Date.now();
      await ask(pool);
      expect(Date.now() - started).toBeGreaterThan(800);
      expect(shortDay.requestsFor(secret).map((entry) => entry.status)).toEqual([200, 200]);
    } finally {
      await shortDay.close();
    }
  });

  it('cerebras: tokens are the minute budget', async () => {
    const secret = key('cerebras-tokens', { rpd: 100, tpm: 5_000, rateLimitDialect: 'cerebras' });
    const pool = presetPool('cerebras', [secret]);
    await ask(pool);
    const tokens = learnedOf(pool, 'key-1')?.tokens;
    expect(tokens?.limit).toBe(5_000);
    expect(tokens?.remaining).toBeLessThan(5_000);
    expect((tokens?.resetAt ?? 0) - Date.now()).toBeLessThanOrEqual(60_000);
  });

  it('openrouter: the copy in a 429 body is learned when the answer has no such headers', async () => {
    const limited = key('openrouter-body', { rpd: 1, rateLimitDialect: 'openrouter' });
    const spare = key('openrouter-body-spare', { rateLimitDialect: 'openrouter' });
    // A proxy that drops the rate-limit headers: only the 429 body still says when the day resets.
    const stripping: typeof globalThis.fetch = async (input, init) => {
      const response = await globalThis.fetch(input, init);
      const headers = new Headers(response.headers);
      for (const name of ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'])
        headers.delete(name);
      return new Response(response.body, { status: response.status, headers });
    };
    const pool = presetPool('openrouter', [limited, spare], emulator, stripping);
    await ask(pool);
    expect(learnedOf(pool, 'key-1')).toBeUndefined();
    await ask(pool); // key-1 answers 429 (its day is spent); the body's copy is learned; key-2 serves
    const learned = learnedOf(pool, 'key-1')?.requests;
    expect(learned).toMatchObject({ limit: 1, remaining: 0 });
    // The body said "tomorrow"; the engine holds the key until the 429's retry-after, capped by its longest cooldown.
    expect((learned?.resetAt ?? 0) - Date.now()).toBeGreaterThan(60_000);
    expect(emulator.requestsFor(spare).map((entry) => entry.status)).toEqual([200]);
  });

  it('cerebras: a lease settled by hand with a plain header record learns the same budgets', async () => {
    const secret = key('cerebras-lease');
    const pool = presetPool('cerebras', [secret]);
    const lease = await pool.acquire({ model: 'llama3.1-8b' });
    lease.succeed(12, {
      'x-ratelimit-limit-requests-day': '14400',
      'x-ratelimit-remaining-requests-day': '0',
      'x-ratelimit-reset-requests-day': '3600.5',
      'x-ratelimit-remaining-tokens-minute': 'plenty',
    });
    const learned = pool.snapshot()[0]?.scopes?.[0]?.learned;
    expect(learned?.requests).toMatchObject({ limit: 14_400, remaining: 0 });
    expect((learned?.requests?.resetAt ?? 0) - Date.now()).toBeGreaterThan(3_500_000);
    expect(learned?.tokens).toBeUndefined();
  });

  it('a custom preset brings its own parser', async () => {
    const secret = key('custom', { rpm: 1, rateLimitDialect: 'together' });
    const pool = createOpenAICompatiblePool(
      {
        provider: 'acme',
        baseURL: emulator.baseURLs.openai,
        envVars: ['ACME_API_KEY'],
        rateLimitHeaders: (headers, now) => {
          const left = firstHeader(headers, 'x-ratelimit-remaining');
          return left === null ? undefined : { requests: { remaining: Number(left), resetAt: now + 5_000 } };
        },
      },
      { keys: [{ id: 'acme-1', secret }] },
    );
    await ask(pool);
    expect(learnedOf(pool, 'acme-1')?.requests?.remaining).toBe(0);
  });
});
