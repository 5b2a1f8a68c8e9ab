import { fingerprintSecret } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMistralPool } from '../src/mistral-pool';

// Issue 11, point 5: Mistral answers `retry-after: 1` while `x-ratelimit-remaining-req-minute` says 0. The explicit
// retry-after decides, so a 1 s limit never becomes a 59 s outage.
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ windowMs: 60_000 });
});
afterAll(() => emulator.close());

describe('provider hints in order (Mistral SDK + emulator)', () => {
  it('serves the rate-limited call after the retry-after, not at the end of the minute', async () => {
    const secret = `sk-mistral-order-${'z'.repeat(20)}`;
    emulator.addKey(secret, { rpm: 1, retryAfterMs: 1_000 });
    const pool = createMistralPool({
      keys: [{ id: 'only', secret }],
      windowMs: 60_000,
      clientOptions: { serverURL: emulator.baseURLs.mistral },
    });
    const ask = { model: 'mistral-small-latest', messages: [{ role: 'user' as const, content: 'hi' }] };
    const started = Date.now();
    // Two calls at once: the provider answers one and refuses the other with retry-after 1 and 0 left this minute.
    const answers = await Promise.all([pool.chat(ask), pool.chat(ask)]);
    expect(answers.every((answer) => answer.text.length > 0)).toBe(true);
    expect(Date.now() - started).toBeLessThan(4_000);
    const log = emulator.requests.filter((entry) => entry.keyFingerprint === fingerprintSecret(secret));
    expect(log.map((entry) => entry.status)).toEqual([200, 429, 200]);
    expect(log[2]!.time - log[1]!.time).toBeGreaterThanOrEqual(900);
  });
});
