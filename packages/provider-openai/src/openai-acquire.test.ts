import { PoolExhaustedError } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIPool } from './openai-pool';

// `pool.acquire` for an app that calls the provider by hand: plain `fetch` against the emulator, no SDK call at all.
let emulator: Emulator;
const LIMITED = 'sk-acquire-limited-000000000000000000';
const REVOKED = 'sk-acquire-revoked-111111111111111111';
const GOOD = 'sk-acquire-good-2222222222222222222222';

beforeAll(async () => {
  emulator = await startEmulator({
    windowMs: 60_000,
    logRawKeys: true,
    keys: {
      // A host that sends no rate-limit headers, only a retry-after on its 429s.
      [LIMITED]: { rpm: 1, rateLimitHeaders: false, retryAfterMs: 30_000 },
      [REVOKED]: { invalid: true },
      [GOOD]: { rpm: 1_000 },
    },
  });
});
afterAll(() => emulator.close());

/** The app's own HTTP call, as it would write it without an SDK. */
async function chatByHand(baseURL: string, secret: string, signal: AbortSignal): Promise<Response> {
  return fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi by hand' }] }),
    signal,
  });
}

/** One call through a lease: acquire, fetch, settle with the status, headers and usage. */
async function callOnce(pool: ReturnType<typeof createOpenAIPool>) {
  const lease = await pool.acquire({ model: 'gpt-4o-mini', estimatedTokens: 20 });
  const response = await chatByHand(emulator.baseURLs.openai, lease.secret(), lease.signal);
  if (response.ok) {
    const body = (await response.json()) as { usage: { total_tokens: number } };
    lease.succeed(body.usage.total_tokens, response.headers);
    return { keyId: lease.keyId, status: response.status };
  }
  const failure = lease.fail({
    status: response.status,
    headers: response.headers,
    body: await response.text(),
  });
  return { keyId: lease.keyId, status: response.status, failure };
}

describe('pool.acquire with a hand-written fetch against the emulator', () => {
  it('a 429 with retry-after cools the key, a 401 disables it, and the other key serves', async () => {
    const pool = createOpenAIPool({
      keys: [
        { id: 'limited', secret: LIMITED },
        { id: 'revoked', secret: REVOKED },
        { id: 'good', secret: GOOD },
      ],
      strategy: 'round-robin',
      adaptiveLimits: false,
    });
    const events: string[] = [];
    pool.on('key.cooldown', (event) => events.push(`cooldown ${event.keyId} ${event.category}`));
    pool.on('key.disabled', (event) => events.push(`disabled ${event.keyId} ${event.category}`));

    const first = await callOnce(pool); // limited: its one request of the minute
    expect(first).toEqual({ keyId: 'limited', status: 200 });
    const second = await callOnce(pool); // revoked: 401
    expect(second.keyId).toBe('revoked');
    expect(second.status).toBe(401);
    expect(second.failure?.error.category).toBe('auth');
    expect(second.failure?.retry).toBe(true);
    const third = await callOnce(pool); // good
    expect(third).toEqual({ keyId: 'good', status: 200 });
    const fourth = await callOnce(pool); // limited again: 429 with retry-after
    expect(fourth.keyId).toBe('limited');
    expect(fourth.status).toBe(429);
    expect(fourth.failure?.error.category).toBe('rate_limit');
    expect(fourth.failure?.error.retryAfterMs).toBe(30_000);

    expect(events).toEqual(['disabled revoked auth', 'cooldown limited rate_limit']);
    const snapshot = pool.snapshot();
    expect(snapshot.find((key) => key.id === 'revoked')?.status).toBe('disabled');
    expect(snapshot.find((key) => key.id === 'limited')?.status).toBe('cooling');
    const limited = snapshot.find((key) => key.id === 'limited');
    expect(limited?.cooldownRemainingMs).toBeGreaterThan(29_000);
    // The budget the good key's answers announced in their x-ratelimit-* headers was learned through succeed().
    expect(snapshot.find((key) => key.id === 'good')?.scopes?.[0]?.learned?.requests?.limit).toBe(1_000);

    // Only the good key is left: every further lease goes to it, and the emulator saw exactly these keys.
    for (let index = 0; index < 3; index++) expect((await callOnce(pool)).keyId).toBe('good');
    expect(emulator.requests.slice(-7).map((entry) => entry.status)).toEqual([
      200, 401, 200, 429, 200, 200, 200,
    ]);
    expect(snapshot.every((key) => key.scopes?.every((scope) => scope.inFlight === 0) ?? true)).toBe(true);

    // Nothing that left the pool carries a secret.
    const seen = JSON.stringify({ events, snapshot, failure: fourth.failure?.error.toJSON() });
    for (const secret of [LIMITED, REVOKED, GOOD]) expect(seen).not.toContain(secret);
    expect(String(second.failure?.error.message)).not.toContain(REVOKED);
  });

  it('throws PoolExhaustedError with the wait when every key is out', async () => {
    const pool = createOpenAIPool({ keys: [{ id: 'revoked', secret: REVOKED }], maxWaitMs: 0 });
    const result = await callOnce(pool);
    expect(result.failure?.error.category).toBe('auth');
    const error = await pool.acquire({ model: 'gpt-4o-mini' }).catch((caught: unknown) => caught);
    expect(PoolExhaustedError.isInstance(error)).toBe(true);
  });
});
