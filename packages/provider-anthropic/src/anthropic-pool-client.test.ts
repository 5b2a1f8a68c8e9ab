import Anthropic from '@anthropic-ai/sdk';
import { PoolExhaustedError, ROUTED_CLIENT_API_KEY } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnthropicPoolOptions, createAnthropicPool } from './anthropic-pool.ts';

const GOOD = 'sk-ant-client-good-0000000000000000001';
const BAD = 'sk-ant-client-bad-00000000000000000002';
const WORSE = 'sk-ant-client-worse-000000000000000003';
const MODEL = 'claude-emulated-1';
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({
    logRawKeys: true,
    keys: { [GOOD]: {}, [BAD]: { invalid: true }, [WORSE]: { invalid: true } },
    models: { 'claude-slow': { firstTokenDelayMs: 3_000 }, 'claude-stall': { streamStallAfterChunks: 3 } },
  });
});
afterAll(() => emulator.close());

const ask = (model = MODEL) => ({
  model,
  max_tokens: 64,
  messages: [{ role: 'user' as const, content: 'hi there' }],
});
const pool = (secrets: string[], options: Partial<AnthropicPoolOptions> = {}) =>
  createAnthropicPool({
    keys: secrets.map((secret, index) => ({ id: `k${index + 1}`, secret })),
    strategy: 'round-robin',
    clientOptions: { baseURL: emulator.baseURLs.anthropic },
    ...options,
  });
const raw = () => new Anthropic({ apiKey: GOOD, baseURL: emulator.baseURLs.anthropic, maxRetries: 0 });
const viewOf = (error: unknown) =>
  (error as { keypool: { category: string; attempts: unknown[]; error: unknown } }).keypool;

describe('pool.client honours per-request options', () => {
  it('a per-request timeout throws the SDK timeout error at that time', async () => {
    const target = pool([GOOD], { attemptTimeoutMs: 3_000 });
    const started = Date.now();
    const error = await target.client.messages
      .create(ask('claude-slow'), { timeout: 300 })
      .catch((caught: unknown) => caught);
    const elapsed = Date.now() - started;
    expect(error).toBeInstanceOf(Anthropic.APIConnectionTimeoutError);
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(1_500);
    expect(viewOf(error).category).toBe('timeout');
  });

  it('maxRetries caps the attempts: 0 stops after the first refused key, 2 reaches the good one', async () => {
    const error = await pool([BAD, WORSE, GOOD])
      .client.messages.create(ask(), { maxRetries: 0 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(viewOf(error).attempts).toHaveLength(1);
    expect(PoolExhaustedError.isInstance(viewOf(error).error)).toBe(true);
    const answer = await pool([BAD, WORSE, GOOD]).client.messages.create(ask(), { maxRetries: 2 });
    expect(answer.content[0]).toMatchObject({ type: 'text', text: 'Echo: hi there' });
  });

  it('withOptions() returns a routed client; the key stays the pool one', async () => {
    const target = pool([BAD, GOOD]);
    const derived = target.client.withOptions({ defaultHeaders: { 'x-team': 'blue' } });
    expect(derived).toBeInstanceOf(Anthropic);
    const answer = await derived.messages.create(ask());
    expect(answer.content[0]).toMatchObject({ text: 'Echo: hi there' });
    expect(emulator.requestsFor(GOOD).at(-1)?.status).toBe(200);
    expect(() => target.client.withOptions({ apiKey: 'sk-ant-other' })).toThrow(
      /apiKey.*set by the key pool/,
    );
  });

  it('client.apiKey reads the masked key of the last call, never a secret', async () => {
    const target = pool([GOOD]);
    expect(target.client.apiKey).toBe(ROUTED_CLIENT_API_KEY);
    await target.client.messages.create(ask());
    expect(target.client.apiKey).toBe(emulator.requestsFor(GOOD).at(-1)?.keyMasked);
  });
});

describe('pool.client aborts like the SDK', () => {
  it('stream.controller.abort() mid-loop ends the loop quietly, as on the raw SDK', async () => {
    const read = async (client: Anthropic) => {
      const stream = await client.messages.create({ ...ask(), stream: true });
      let events = 0;
      for await (const _event of stream) {
        events += 1;
        stream.controller.abort();
      }
      return events;
    };
    expect(await read(pool([GOOD]).client)).toBe(await read(raw()));
  });

  it('aborting messages.stream() rejects with APIUserAbortError, as on the raw SDK', async () => {
    const run = async (client: Anthropic) => {
      const stream = client.messages.stream(ask('claude-stall'));
      stream.on('text', () => stream.abort());
      return stream.finalMessage().catch((caught: unknown) => caught);
    };
    expect(await run(raw())).toBeInstanceOf(Anthropic.APIUserAbortError);
    expect(await run(pool([GOOD]).client)).toBeInstanceOf(Anthropic.APIUserAbortError);
  });

  it('a stream that stalls after its first event fails with the SDK timeout error (idle timeout)', async () => {
    const target = pool([GOOD], { streamIdleTimeoutMs: 150 });
    const error = await (async () => {
      for await (const _event of await target.client.messages.create({
        ...ask('claude-stall'),
        stream: true,
      }));
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.APIConnectionTimeoutError);
  });
});
