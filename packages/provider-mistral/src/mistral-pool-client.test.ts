import { ROUTED_CLIENT_API_KEY } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { HTTPClient, Mistral } from '@mistralai/mistralai';
import { RequestAbortedError, RequestTimeoutError } from '@mistralai/mistralai/models/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMistralPool } from './mistral-pool';

const GOOD = 'MistralClientGood0000000000000001';
const MODEL = 'mistral-small-latest';
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({
    keys: { [GOOD]: {} },
    models: { [MODEL]: {}, 'mistral-silent': { noResponse: true } },
  });
});
afterAll(() => emulator.close());

const messages = [{ role: 'user' as const, content: 'one two three four' }];
const pool = () =>
  createMistralPool({
    keys: [{ id: 'good', secret: GOOD }],
    clientOptions: { serverURL: emulator.baseURLs.mistral },
  });
const raw = () => new Mistral({ apiKey: GOOD, serverURL: emulator.baseURLs.mistral });

describe('pool.client aborts and times out like @mistralai/mistralai', () => {
  it('a per-request timeoutMs throws RequestTimeoutError at that time, as the raw SDK does', async () => {
    // The raw SDK's own timer can be lost to garbage collection (see mistral-gc-signals.test.ts), so its side is
    // asked what it throws for a timeout through a fetch that times out at once.
    const timingOut = new Mistral({
      apiKey: GOOD,
      serverURL: emulator.baseURLs.mistral,
      httpClient: new HTTPClient({
        fetcher: () => Promise.reject(new DOMException('The operation timed out.', 'TimeoutError')),
      }),
    });
    const native = await timingOut.chat
      .complete({ model: MODEL, messages })
      .catch((caught: unknown) => caught);
    const started = Date.now();
    const pooled = await pool()
      .client.chat.complete({ model: 'mistral-silent', messages }, { timeoutMs: 200 })
      .catch((caught: unknown) => caught);
    const elapsed = Date.now() - started;
    expect(native).toBeInstanceOf(RequestTimeoutError);
    expect(pooled).toBeInstanceOf(RequestTimeoutError);
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1_000);
  });

  it("the caller's signal rejects with RequestAbortedError, as the raw SDK does", async () => {
    const run = async (client: Mistral) => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      return client.chat
        .complete({ model: 'mistral-silent', messages }, { signal: controller.signal })
        .catch((caught: unknown) => caught);
    };
    expect(await run(raw())).toBeInstanceOf(RequestAbortedError);
    expect(await run(pool().client)).toBeInstanceOf(RequestAbortedError);
  });

  it('stream.controller.abort() mid-loop ends the loop quietly; cancelling the reader frees the key', async () => {
    const target = pool();
    const stream = await target.client.chat.stream({ model: MODEL, messages });
    let events = 0;
    for await (const _event of stream) {
      events += 1;
      (stream as unknown as { controller: AbortController }).controller.abort();
    }
    expect(events).toBe(1);
    const reader = (await target.client.chat.stream({ model: MODEL, messages })).getReader();
    await reader.read();
    await reader.cancel();
    expect(target.snapshot()[0]?.status).toBe('active');
  });

  it('client.apiKey reads the masked key of the last call, never a secret', async () => {
    const target = pool();
    const read = () => (target.client as unknown as { apiKey: string }).apiKey;
    expect(read()).toBe(ROUTED_CLIENT_API_KEY);
    await target.client.chat.complete({ model: MODEL, messages });
    expect(read()).toBe(emulator.requestsFor(GOOD).at(-1)?.keyMasked);
  });
});
