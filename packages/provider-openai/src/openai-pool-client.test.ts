import { PoolExhaustedError, ROUTED_CLIENT_API_KEY } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIPool, type OpenAIPoolOptions } from './openai-pool';

const GOOD = 'sk-client-good-000000000000000000001';
const BAD = 'sk-client-bad-0000000000000000000002';
const WORSE = 'sk-client-worse-00000000000000000003';
const SLOW = 'sk-client-slow-000000000000000000004';
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({
    logRawKeys: true,
    keys: { [GOOD]: {}, [BAD]: { invalid: true }, [WORSE]: { invalid: true }, [SLOW]: { latencyMs: 2_000 } },
    models: { 'gpt-slow': { firstTokenDelayMs: 3_000 }, 'gpt-stall': { streamStallAfterChunks: 2 } },
  });
});
afterAll(() => emulator.close());

const messages = [{ role: 'user' as const, content: 'options please' }];
const pool = (secrets: string[], options: Partial<OpenAIPoolOptions> = {}) =>
  createOpenAIPool({
    keys: secrets.map((secret, index) => ({ id: `k${index + 1}`, secret })),
    strategy: 'round-robin',
    clientOptions: { baseURL: emulator.baseURLs.openai },
    ...options,
  });
const viewOf = (error: unknown) =>
  (error as { keypool: { category: string; attempts: unknown[]; masked?: string; exhausted?: string } })
    .keypool;

describe('pool.client honours per-request options', () => {
  it('a per-request timeout throws the SDK timeout error at that time, not the pool attempt timeout', async () => {
    const target = pool([GOOD], { attemptTimeoutMs: 3_000 });
    const started = Date.now();
    const error = await target.client.chat.completions
      .create({ model: 'gpt-slow', messages }, { timeout: 300 })
      .catch((caught: unknown) => caught);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(1_500);
    expect(viewOf(error).category).toBe('timeout');
  });

  it('maxRetries caps the attempts: 0 stops after the first refused key, 2 reaches the good one', async () => {
    const capped = pool([BAD, WORSE, GOOD]);
    const error = await capped.client.chat.completions
      .create({ model: 'gpt-4o', messages }, { maxRetries: 0 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(viewOf(error).attempts).toHaveLength(1);
    expect(PoolExhaustedError.isInstance((error as { keypool: { error: unknown } }).keypool.error)).toBe(
      true,
    );

    const enough = pool([BAD, WORSE, GOOD]);
    const answer = await enough.client.chat.completions.create(
      { model: 'gpt-4o', messages },
      { maxRetries: 2 },
    );
    expect(answer.choices[0]?.message.content).toBe('Echo: options please');
  });

  it('withOptions() returns a routed client with the new defaults (never the placeholder key)', async () => {
    const target = pool([BAD, GOOD]);
    const derived = target.client.withOptions({ defaultHeaders: { 'x-team': 'blue' }, maxRetries: 0 });
    expect(derived).toBeInstanceOf(OpenAI);
    const refused = await derived.chat.completions
      .create({ model: 'gpt-4o', messages })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
    const answer = await derived.chat.completions.create({ model: 'gpt-4o', messages });
    expect(answer.choices[0]?.message.content).toBe('Echo: options please');
    expect(emulator.requestsFor(GOOD).at(-1)?.status).toBe(200);
    expect(() => target.client.withOptions({ apiKey: 'sk-other' })).toThrow(/apiKey.*set by the key pool/);
  });

  it('client.apiKey reads the masked key of the last call, never a secret', async () => {
    const target = pool([GOOD]);
    expect(target.client.apiKey).toBe(ROUTED_CLIENT_API_KEY);
    await target.client.chat.completions.create({ model: 'gpt-4o', messages });
    expect(target.client.apiKey).toBe(emulator.requestsFor(GOOD).at(-1)?.keyMasked);
    expect(target.client.apiKey).not.toContain(GOOD);
    expect(() => {
      target.client.apiKey = 'sk-new';
    }).toThrow(/read-only/);
  });
});

describe('pool.client streams', () => {
  it('a stream whose first event does not come within streamOptions.firstChunkTimeoutMs times out then', async () => {
    const target = pool([SLOW], { streamOptions: { firstChunkTimeoutMs: 200 } });
    const started = Date.now();
    const error = await target.client.chat.completions
      .create({ model: 'gpt-4o', messages, stream: true })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(target.snapshot()[0]?.counts.failures).toMatchObject({ timeout: 1 });
  });
});

describe('pool.client aborts like the SDK', () => {
  it('stream.controller.abort() mid-loop ends the loop quietly, as on the raw SDK', async () => {
    const read = async (client: OpenAI) => {
      const stream = await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true });
      let chunks = 0;
      for await (const _chunk of stream) {
        chunks += 1;
        stream.controller.abort();
      }
      return chunks;
    };
    const raw = new OpenAI({ apiKey: GOOD, baseURL: emulator.baseURLs.openai, maxRetries: 0 });
    expect(await read(pool([GOOD]).client)).toBe(await read(raw));
  });

  it('aborting the .stream() helper rejects with APIUserAbortError, as on the raw SDK', async () => {
    const run = async (client: OpenAI) => {
      const stream = client.chat.completions.stream({ model: 'gpt-stall', messages });
      stream.on('content', () => stream.abort());
      return stream.finalChatCompletion().catch((caught: unknown) => caught);
    };
    const raw = new OpenAI({ apiKey: GOOD, baseURL: emulator.baseURLs.openai, maxRetries: 0 });
    const [pooled, native] = [await run(pool([GOOD]).client), await run(raw)];
    expect(native).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(pooled).toBeInstanceOf(OpenAI.APIUserAbortError);
  });

  it('a caller signal aborted before the call rejects with APIUserAbortError without a request', async () => {
    const controller = new AbortController();
    controller.abort();
    const before = emulator.requests.length;
    const error = await pool([GOOD])
      .client.chat.completions.create({ model: 'gpt-4o', messages }, { signal: controller.signal })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIUserAbortError);
    expect(emulator.requests.length).toBe(before);
  });
});
