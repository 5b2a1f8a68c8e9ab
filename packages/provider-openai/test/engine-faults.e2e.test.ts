import { fingerprintSecret, PoolExhaustedError, ProviderError } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIPool, type OpenAIPoolOptions } from '../src/openai-pool';

// Issue 11, with the real OpenAI SDK against the emulator: what the caller got, and from the emulator's request log
// what reached each key and model.
let emulator: Emulator;
let serial = 0;
const WINDOW_MS = 1_000;

beforeAll(async () => {
  emulator = await startEmulator({
    windowMs: WINDOW_MS,
    models: { 'gpt-silent': { hangUpAfterMs: 1_500 } },
  });
});
afterAll(() => emulator.close());

function key(label: string, behaviour: Parameters<Emulator['addKey']>[1] = {}): string {
  serial += 1;
  const secret = `sk-fault-${label}-${String(serial).padStart(4, '0')}-${'y'.repeat(12)}`;
  emulator.addKey(secret, behaviour);
  return secret;
}

function pool(secrets: readonly string[], options: Partial<OpenAIPoolOptions> = {}) {
  return createOpenAIPool({
    keys: secrets.map((secret, index) => ({ id: `key-${index + 1}`, secret })),
    windowMs: WINDOW_MS,
    clientOptions: { baseURL: emulator.baseURLs.openai },
    ...options,
  });
}

const ask = (model: string) => ({ model, messages: [{ role: 'user' as const, content: 'hello' }] });

/** What reached one key, per model and status. */
function reached(secret: string) {
  const fingerprint = fingerprintSecret(secret);
  return emulator.requests.filter((entry) => entry.keyFingerprint === fingerprint);
}

describe('the engine against real fault patterns (OpenAI SDK + emulator)', () => {
  it('429 bursts with no limits and no rate-limit headers: every call served, the pool learns the rate', async () => {
    const behaviour = { rpm: 20, window: 'fixed' as const, rateLimitHeaders: false };
    const secrets = [key('burst-a', behaviour), key('burst-b', behaviour), key('burst-c', behaviour)];
    const target = pool(secrets, { random: () => 0.5 });
    const cooldowns: number[] = [];
    target.on('key.cooldown', (event) => cooldowns.push(event.durationMs));
    const total = 240;
    let started = 0;
    const errors: unknown[] = [];
    const worker = async () => {
      while (started < total) {
        started++;
        await target.chat(ask('gpt-4o-mini')).catch((error: unknown) => errors.push(error));
      }
    };
    const begun = Date.now();
    await Promise.all(Array.from({ length: 30 }, worker));
    const elapsed = Date.now() - begun;
    expect(errors).toEqual([]);
    const log = secrets.flatMap(reached);
    const limited = log.filter((entry) => entry.status === 429).length;
    const served = log.filter((entry) => entry.status === 200).length;
    expect(served).toBe(total);
    // 3 keys x 20 per second: 240 calls need 4 s at full capacity. Before, concurrent 429s escalated cooldowns to
    // tens of seconds and two thirds of the calls failed.
    expect(elapsed).toBeLessThan(9_000);
    expect(limited / log.length).toBeLessThan(0.2);
    expect(Math.max(0, ...cooldowns)).toBeLessThanOrEqual(2_000);
  }, 20_000);

  it('a 429 for one model leaves the same key serving another model', async () => {
    // No rate-limit headers, so the pool cannot see the spent window coming: the 429 really happens.
    const secret = key('scope', {
      rpm: 1,
      windowScope: 'model',
      retryAfterMs: 30_000,
      rateLimitHeaders: false,
    });
    const target = pool([secret], { maxWaitMs: 0 });
    await target.chat(ask('gpt-4o'));
    await expect(target.chat(ask('gpt-4o'))).rejects.toSatisfy(PoolExhaustedError.isInstance);
    const other = await target.chat(ask('gpt-4o-mini'));
    expect(other.keyId).toBe('key-1');
    expect(reached(secret).map((entry) => [entry.model, entry.status])).toEqual([
      ['gpt-4o', 200],
      ['gpt-4o', 429],
      ['gpt-4o-mini', 200],
    ]);
  });

  it('waits in place through a 2 s retry-after on a one-key pool, then serves', async () => {
    const secret = key('wait', { rpm: 1, retryAfterMs: 2_000, rateLimitHeaders: false });
    const target = pool([secret]);
    await target.chat(ask('gpt-4o'));
    const answer = await target.chat(ask('gpt-4o'));
    expect(answer.text.length).toBeGreaterThan(0);
    const log = reached(secret);
    expect(log.map((entry) => entry.status)).toEqual([200, 429, 200]);
    expect(log[2]!.time - log[1]!.time).toBeGreaterThanOrEqual(1_900);
  });

  it('retries go to the healthy keys: 60 concurrent calls with one key answering 500, none fails', async () => {
    const bad = key('bad', { faultRate: 1 });
    const secrets = [bad, key('good-a'), key('good-b')];
    const target = pool(secrets, { strategy: 'round-robin' });
    const results = await Promise.all(
      Array.from({ length: 60 }, () => target.chat(ask('gpt-4o')).catch((error: unknown) => error)),
    );
    expect(results.filter((result) => ProviderError.isInstance(result))).toEqual([]);
    // Sequential calls stop paying the detour once the bad key is penalised.
    const before = reached(bad).length;
    for (let index = 0; index < 30; index++) await target.chat(ask('gpt-4o'));
    expect(reached(bad).length - before).toBeLessThanOrEqual(3);
  });

  it('a silent route closed after its first-byte limit counts as timeout and is not sent again', async () => {
    const secrets = [key('silent-a'), key('silent-b')];
    const target = pool(secrets, { firstByteTimeoutMs: 1_000 });
    const error = await target.chat(ask('gpt-silent')).catch((caught: unknown) => caught);
    expect((error as ProviderError).category).toBe('timeout');
    expect(secrets.flatMap(reached).filter((entry) => entry.model === 'gpt-silent')).toHaveLength(1);
  });
});
