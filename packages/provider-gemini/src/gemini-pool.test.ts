import { ApiError, GoogleGenAI } from '@google/genai';
import {
  fingerprintSecret,
  KeypoolError,
  PoolExhaustedError,
  type PoolStreamEvent,
  ProviderError,
  StreamInterruptedError,
} from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type FixtureServer, startFixtureServer } from '../test/fixture-server.ts';
import { createGeminiPool, type GeminiPool } from './gemini-pool.ts';
import { nextGeminiDailyReset } from './gemini-quota-reset.ts';

/** Keypool's view on an error thrown by pool.client. */
const viewOf = (error: unknown) => (error as { keypool: { category: string; error: unknown } }).keypool;

const MODEL = 'gemini-2.5-flash';
const WINDOW_MS = 1000;
const KEYS = {
  invalid: 'AIzaSyPOOL-invalid-000000000000000000001',
  limited: 'AIzaSyPOOL-limited-000000000000000000001',
  healthy: 'AIzaSyPOOL-healthy-000000000000000000001',
  burst1: 'AIzaSyPOOL-burst-1-000000000000000000001',
  burst2: 'AIzaSyPOOL-burst-2-000000000000000000002',
  burst3: 'AIzaSyPOOL-burst-3-000000000000000000003',
  stream1: 'AIzaSyPOOL-stream-1-00000000000000000001',
  stream2: 'AIzaSyPOOL-stream-2-00000000000000000002',
  canary: 'AIzaSyCANARY-pool-secret-0000000000000001',
  spent: 'AIzaSyPOOL-spent-0000000000000000000001',
};

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({
    windowMs: WINDOW_MS,
    logRawKeys: true,
    keys: {
      [KEYS.invalid]: { invalid: true },
      [KEYS.limited]: { rpm: 1 },
      [KEYS.healthy]: {},
      [KEYS.burst1]: { rpm: 40 },
      [KEYS.burst2]: { rpm: 40 },
      [KEYS.burst3]: { rpm: 40 },
      [KEYS.stream1]: {},
      [KEYS.stream2]: {},
      [KEYS.canary]: { invalid: true },
      [KEYS.spent]: { quotaExhausted: true },
    },
    models: {
      flaky: { serverErrorOnce: true },
      cut: { streamCutAfterChunks: 2 },
      unterminated: { noTerminator: true },
      silent: { noResponse: true },
      'stream-overloaded': { overloaded: true },
      unsafe: { contentFilter: true },
    },
  });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const baseUrl = () => emu.baseURLs.gemini;

/** Spends the limited key's one request of this window outside the pool, as another process would. */
async function spendLimitedKey(contents: string): Promise<void> {
  const client = new GoogleGenAI({ apiKey: KEYS.limited, httpOptions: { baseUrl: baseUrl() } });
  await client.models.generateContent({ model: MODEL, contents });
}

/** Records each attempt's key (from the pool's events), to compare with the keys the emulator saw. */
function recordAttempts(pool: GeminiPool): { keyIds: string[]; selected: string[] } {
  const record = { keyIds: [] as string[], selected: [] as string[] };
  pool.on('key.selected', (event) => record.selected.push(event.keyId));
  pool.on('request.success', (event) => record.keyIds.push(event.keyId));
  pool.on('request.failure', (event) => record.keyIds.push(event.keyId));
  return record;
}

function fingerprintsOf(pool: GeminiPool, keyIds: readonly string[]): string[] {
  const byId = new Map(pool.snapshot().map((key) => [key.id, key.fingerprint]));
  return keyIds.map((id) => byId.get(id)!);
}

describe('a pool of an invalid, a rate-limited and a healthy key', () => {
  it('serves every call; disables the bad key after one attempt; cools the limited one for the hint it got', async () => {
    await spendLimitedKey('spent');
    emu.reset();
    await spendLimitedKey('spent again');
    const seenRetryDelays: string[] = [];
    const pool = createGeminiPool({
      keys: [
        { id: 'invalid', secret: KEYS.invalid },
        { id: 'limited', secret: KEYS.limited },
        { id: 'healthy', secret: KEYS.healthy },
      ],
      strategy: 'round-robin',
      windowMs: WINDOW_MS,
      clientOptions: {
        httpOptions: {
          baseUrl: baseUrl(),
          fetch: async (input, init) => {
            const response = await fetch(input, init);
            if (response.status === 429) {
              const body = JSON.parse(await response.clone().text());
              for (const detail of body.error.details ?? [])
                if (String(detail['@type']).endsWith('RetryInfo')) seenRetryDelays.push(detail.retryDelay);
            }
            return response;
          },
        },
      },
    });
    const attempts = recordAttempts(pool);
    const cooldowns: { durationMs: number; remainingMs: number | undefined }[] = [];
    pool.on('key.cooldown', (event) => {
      if (event.keyId !== 'limited') return;
      const snapshot = pool.snapshot().find((key) => key.id === 'limited');
      cooldowns.push({ durationMs: event.durationMs, remainingMs: snapshot?.cooldownRemainingMs });
    });
    const logBefore = emu.requests.length;

    const answers = [];
    for (let index = 0; index < 10; index++) {
      const response = await pool.client.models.generateContent({ model: MODEL, contents: `call ${index}` });
      answers.push(response.text);
    }

    expect(answers).toHaveLength(10);
    for (const [index, text] of answers.entries()) expect(text).toBe(`Echo: call ${index}`);
    // The bad key: one upstream attempt, then disabled.
    expect(emu.requestsFor(KEYS.invalid)).toHaveLength(1);
    const invalid = pool.snapshot().find((key) => key.id === 'invalid')!;
    expect(invalid.status).toBe('disabled');
    expect(invalid.reason).toContain('auth');
    // The limited key: cooled for exactly the wait the emulator asked for (RetryInfo), not an invented backoff.
    expect(seenRetryDelays.length).toBeGreaterThanOrEqual(1);
    expect(cooldowns.length).toBeGreaterThanOrEqual(1);
    const hintMs = Number.parseFloat(seenRetryDelays[0]!) * 1000;
    expect(cooldowns[0]!.durationMs).toBe(hintMs);
    expect(cooldowns[0]!.remainingMs).toBeGreaterThan(hintMs - 100);
    expect(cooldowns[0]!.remainingMs).toBeLessThanOrEqual(hintMs);
    // Every upstream request carried the key the engine recorded for that attempt, in order.
    const upstream = emu.requests.slice(logBefore).map((entry) => entry.keyFingerprint);
    expect(upstream).toEqual(fingerprintsOf(pool, attempts.keyIds));
    expect(attempts.selected).toEqual(attempts.keyIds);
    expect(
      upstream.every(
        (fingerprint) => fingerprint !== fingerprintSecret('keypool-placeholder-not-a-real-key'),
      ),
    ).toBe(true);
  });
});

describe('daily quotas and safety blocks', () => {
  it('parks a key whose daily quota is spent until the next midnight Pacific, and serves from another', async () => {
    const pool = createGeminiPool({
      keys: [
        { id: 'spent', secret: KEYS.spent },
        { id: 'healthy', secret: KEYS.healthy },
      ],
      strategy: 'round-robin',
      clientOptions: { httpOptions: { baseUrl: baseUrl() } },
    });
    const response = await pool.client.models.generateContent({ model: MODEL, contents: 'quota' });
    expect(response.text).toBe('Echo: quota');
    const spent = pool.snapshot().find((key) => key.id === 'spent')!;
    expect(spent.status).toBe('cooling');
    expect(spent.category).toBe('quota_exhausted');
    expect(Math.abs(spent.cooldownUntil! - nextGeminiDailyReset(Date.now()))).toBeLessThan(5_000);
    expect(emu.requestsFor(KEYS.spent)).toHaveLength(1);
  });

  it('surfaces a safety block as content_filter with its reason, without retrying, in chat and stream', async () => {
    const pool = createGeminiPool({
      keys: [
        { id: 'h', secret: KEYS.healthy },
        { id: 's1', secret: KEYS.stream1 },
      ],
      clientOptions: { httpOptions: { baseUrl: baseUrl() } },
    });
    const chatError = await pool
      .chat({ model: 'unsafe', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(ProviderError.isInstance(chatError) && chatError.category).toBe('content_filter');
    expect((chatError as ProviderError).filterReason).toBe(
      'prompt blocked: SAFETY (HARM_CATEGORY_DANGEROUS_CONTENT: HIGH)',
    );
    const streamError = await (async () => {
      for await (const _event of pool.stream({
        model: 'unsafe',
        messages: [{ role: 'user', content: 'x' }],
      })) {
        // unreachable
      }
    })().catch((e: unknown) => e);
    expect(ProviderError.isInstance(streamError) && streamError.filterReason).toContain(
      'prompt blocked: SAFETY',
    );
    expect(emu.requests).toHaveLength(2);
    for (const key of pool.snapshot()) expect(key.status).toBe('active');
  });
});

describe('a burst over limited keys', () => {
  it('sends 100 calls, 16 in flight, with no upstream 429 when the pool knows the limits', async () => {
    const pool = createGeminiPool({
      keys: [
        { id: 'b1', secret: KEYS.burst1, limits: { rpm: 40 } },
        { id: 'b2', secret: KEYS.burst2, limits: { rpm: 40 } },
        { id: 'b3', secret: KEYS.burst3, limits: { rpm: 40 } },
      ],
      windowMs: WINDOW_MS,
      maxWaitMs: 2_000,
      clientOptions: { httpOptions: { baseUrl: baseUrl() } },
    });
    const attempts = recordAttempts(pool);
    let next = 0;
    const results: string[] = [];
    const worker = async () => {
      while (next < 100) {
        const index = next++;
        const response = await pool.client.models.generateContent({
          model: MODEL,
          contents: `burst ${index}`,
        });
        results.push(response.text ?? '');
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));

    expect(results).toHaveLength(100);
    const statuses = emu.requests.map((entry) => entry.status);
    expect(statuses.filter((status) => status === 429)).toHaveLength(0);
    expect(emu.requests).toHaveLength(100);
    // The multiset of keys the engine recorded equals the multiset the emulator saw.
    const count = (values: readonly string[]) =>
      values.reduce<Record<string, number>>((counts, value) => {
        counts[value] = (counts[value] ?? 0) + 1;
        return counts;
      }, {});
    expect(count(emu.requests.map((entry) => entry.keyFingerprint ?? ''))).toEqual(
      count(fingerprintsOf(pool, attempts.keyIds)),
    );
    for (const key of pool.snapshot()) expect(key.counts.successes).toBeGreaterThan(20);
  }, 20_000);
});

describe('streaming', () => {
  const streamPool = (keys: { id: string; secret: string }[], extra: Record<string, unknown> = {}) =>
    createGeminiPool({
      keys,
      strategy: 'round-robin',
      windowMs: WINDOW_MS,
      clientOptions: { httpOptions: { baseUrl: baseUrl() } },
      ...extra,
    });

  it('works through pool.client (the native generateContentStream)', async () => {
    const pool = streamPool([{ id: 's1', secret: KEYS.stream1 }]);
    const stream = await pool.client.models.generateContentStream({
      model: MODEL,
      contents: 'stream me please',
    });
    let text = '';
    let finishReason: string | undefined;
    for await (const chunk of stream) {
      text += chunk.text ?? '';
      finishReason = chunk.candidates?.[0]?.finishReason ?? finishReason;
    }
    expect(text).toBe('Echo: stream me please');
    expect(finishReason).toBe('STOP');
    expect(pool.snapshot()[0]!.counts.successes).toBe(1);
  });

  it('resolves to a real AsyncGenerator, as genai does (next, return, controller)', async () => {
    const pool = streamPool([{ id: 's1', secret: KEYS.stream1 }]);
    const stream = await pool.client.models.generateContentStream({ model: MODEL, contents: 'step by step' });
    expect(stream[Symbol.asyncIterator]()).toBe(stream);
    const first = await stream.next();
    expect(first.done).toBe(false);
    expect(first.value?.text).toBe('Echo:');
    expect(await stream.return(undefined)).toEqual({ done: true, value: undefined });
    expect((stream as unknown as { controller: AbortController }).controller).toBeInstanceOf(AbortController);
    expect(pool.client.models).toBe(pool.client.models);
  });

  it('fails over before the first chunk: a rate-limited first key, through pool.client and pool.stream()', async () => {
    await spendLimitedKey('spend it');
    const pool = streamPool([
      { id: 'limited', secret: KEYS.limited },
      { id: 's1', secret: KEYS.stream1 },
    ]);
    const stream = await pool.client.models.generateContentStream({
      model: MODEL,
      contents: 'native failover',
    });
    let text = '';
    for await (const chunk of stream) text += chunk.text ?? '';
    expect(text).toBe('Echo: native failover');
    expect(emu.requestsFor(KEYS.limited).map((entry) => entry.status)).toEqual([200, 429]);
    expect(pool.snapshot().find((key) => key.id === 'limited')!.status).toBe('cooling');

    const events: PoolStreamEvent[] = [];
    for await (const event of pool.stream({
      model: MODEL,
      messages: [{ role: 'user', content: 'unified failover' }],
    }))
      events.push(event);
    const done = events.at(-1);
    expect(done?.type).toBe('done');
    if (done?.type === 'done') {
      expect(done.result.text).toBe('Echo: unified failover');
      expect(done.result.keyId).toBe('s1');
      expect(done.result.finishReason).toBe('stop');
    }
  });

  it('retries a server error before the first chunk (model fails once)', async () => {
    const pool = streamPool(
      [
        { id: 's1', secret: KEYS.stream1 },
        { id: 's2', secret: KEYS.stream2 },
      ],
      { retryBaseMs: 10 },
    );
    const stream = await pool.client.models.generateContentStream({ model: 'flaky', contents: 'once more' });
    let text = '';
    for await (const chunk of stream) text += chunk.text ?? '';
    expect(text).toBe('Echo: once more');
    expect(emu.requests.map((entry) => entry.status)).toEqual([500, 200]);
  });

  it('a model overloaded on every key ends as a typed error, never a success', async () => {
    const pool = streamPool([{ id: 's1', secret: KEYS.stream1 }], { retryBaseMs: 10 });
    const error = await (async () => {
      for await (const _event of pool.stream({
        model: 'stream-overloaded',
        messages: [{ role: 'user', content: 'x' }],
      })) {
        // unreachable
      }
    })().catch((caught: unknown) => caught);
    expect(ProviderError.isInstance(error) && error.category).toBe('overloaded');
  });

  it('raises StreamInterruptedError with the partial text when the stream is cut after its first chunk', async () => {
    const pool = streamPool([{ id: 's1', secret: KEYS.stream1 }]);
    const stream = await pool.client.models.generateContentStream({
      model: 'cut',
      contents: 'one two three four five',
    });
    let text = '';
    const native = await (async () => {
      for await (const chunk of stream) text += chunk.text ?? '';
    })().catch((caught: unknown) => caught);
    // pool.client throws what genai threw (never a quiet, truncated end); Keypool's view holds the partial text.
    expect(KeypoolError.isInstance(native)).toBe(false);
    expect(native).toBeInstanceOf(Error);
    const interrupted = viewOf(native).error as StreamInterruptedError;
    expect(StreamInterruptedError.isInstance(interrupted)).toBe(true);
    expect(interrupted.partialText).toBe(text);
    expect(text.length).toBeGreaterThan(0);
    expect(interrupted.interruptedBy).toBe('network');

    let unifiedText = '';
    const unified = await (async () => {
      // The engine's own interruption (continuation is off here; it has its own conformance suite).
      for await (const event of pool.stream(
        { model: 'cut', messages: [{ role: 'user', content: 'one two three four five' }] },
        { onInterrupt: 'fail' },
      ))
        if (event.type === 'delta') unifiedText += event.text;
    })().catch((caught: unknown) => caught);
    expect(StreamInterruptedError.isInstance(unified)).toBe(true);
    expect((unified as StreamInterruptedError).partialText).toBe(unifiedText);
    expect(unifiedText).toBe(text);
  });

  it('a stream that ends without finishReason is interrupted, and genai does not reconnect it', async () => {
    const pool = streamPool([{ id: 's1', secret: KEYS.stream1 }]);
    const stream = await pool.client.models.generateContentStream({
      model: 'unterminated',
      contents: 'a b c',
    });
    const native = await (async () => {
      for await (const _chunk of stream) {
        // drain
      }
    })().catch((caught: unknown) => caught);
    expect(viewOf(native).category).toBe('stream_interrupted');
    expect((viewOf(native).error as StreamInterruptedError).interruptedBy).toBe('stream_interrupted');
    const unified = await (async () => {
      for await (const _event of pool.stream(
        { model: 'unterminated', messages: [{ role: 'user', content: 'a b c' }] },
        { onInterrupt: 'fail' },
      )) {
        // drain
      }
    })().catch((caught: unknown) => caught);
    expect(StreamInterruptedError.isInstance(unified)).toBe(true);
    expect(emu.requests).toHaveLength(2);
  });
});

describe('the native client surface', () => {
  it('routes chats.create() sessions through the pool (plain and streaming)', async () => {
    const pool = createGeminiPool({
      keys: [{ id: 'h', secret: KEYS.healthy }],
      clientOptions: { httpOptions: { baseUrl: baseUrl() } },
    });
    const chat = pool.client.chats.create({ model: MODEL });
    const first = await chat.sendMessage({ message: 'hello chat' });
    expect(first.text).toBe('Echo: hello chat');
    let streamed = '';
    for await (const chunk of await chat.sendMessageStream({ message: 'and stream' }))
      streamed += chunk.text ?? '';
    expect(streamed).toBe('Echo: and stream');
    const history = chat.getHistory(true);
    expect(history[0]).toMatchObject({ role: 'user', parts: [{ text: 'hello chat' }] });
    expect(history[1]).toMatchObject({ role: 'model', parts: [{ text: 'Echo: hello chat' }] });
    expect(history.at(-1)?.role).toBe('model');
    expect(emu.requests.map((entry) => entry.key)).toEqual([KEYS.healthy, KEYS.healthy]);
    expect(pool.snapshot()[0]!.counts.successes).toBe(2);
  });

  it('honours the caller abortSignal in config: aborted at once, no retry', async () => {
    const pool = createGeminiPool({
      keys: [
        { id: 'h', secret: KEYS.healthy },
        { id: 's1', secret: KEYS.stream1 },
      ],
      clientOptions: { httpOptions: { baseUrl: baseUrl() } },
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const error = await pool.client.models
      .generateContent({
        model: 'silent',
        contents: 'x',
        config: { abortSignal: controller.signal, temperature: 0 },
      })
      .catch((caught: unknown) => caught);
    expect(Date.now() - started).toBeLessThan(2_000);
    // What genai itself throws for an abort: fetch's AbortError.
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('AbortError');
    expect(viewOf(error).category).toBe('aborted');
    expect(emu.requests).toHaveLength(1);
  });

  it("the pool's attempt timeout is a timeout (not an abort), and is not retried", async () => {
    const pool = createGeminiPool({
      keys: [
        { id: 'h', secret: KEYS.healthy },
        { id: 's1', secret: KEYS.stream1 },
      ],
      attemptTimeoutMs: 100,
      clientOptions: { httpOptions: { baseUrl: baseUrl() } },
    });
    const error = await pool.client.models
      .generateContent({ model: 'silent', contents: 'x' })
      .catch((e: unknown) => e);
    // genai's own timeout aborts the fetch: the caller sees fetch's AbortError, Keypool's view says timeout.
    expect((error as DOMException).name).toBe('AbortError');
    expect(viewOf(error).category).toBe('timeout');
    expect(emu.requests).toHaveLength(1);
  });

  it("the clients' own httpOptions.timeout is a timeout too", async () => {
    const pool = createGeminiPool({
      keys: [{ id: 'h', secret: KEYS.healthy }],
      clientOptions: { httpOptions: { baseUrl: baseUrl(), timeout: 100 } },
    });
    const error = await pool.client.models
      .generateContent({ model: 'silent', contents: 'x' })
      .catch((e: unknown) => e);
    expect((error as DOMException).name).toBe('AbortError');
    expect(viewOf(error).category).toBe('timeout');
  });
});

describe('calls the emulator does not serve: countTokens, embedContent, pass-through', () => {
  let server: FixtureServer;
  let pool: GeminiPool;
  beforeAll(async () => {
    server = await startFixtureServer();
    pool = createGeminiPool({
      keys: [
        { id: 'a', secret: KEYS.stream1 },
        { id: 'b', secret: KEYS.stream2 },
      ],
      strategy: 'round-robin',
      clientOptions: { httpOptions: { baseUrl: server.baseUrl } },
    });
  });
  afterAll(() => server.close());

  it('routes countTokens and embedContent through the pool, each on a pool key', async () => {
    const counted = await pool.client.models.countTokens({ model: 'm', contents: 'count me' });
    expect(counted.totalTokens).toBe(7);
    const embedded = await pool.client.models.embedContent({ model: 'e', contents: 'embed me' });
    expect(embedded.embeddings?.[0]?.values).toEqual([0.125, -0.5, 0.75]);
    const keys = server.seen.slice(-2).map((request) => request.headers['x-goog-api-key']);
    expect(keys).toEqual([KEYS.stream1, KEYS.stream2]);
    expect(server.seen.at(-2)!.path).toBe('/v1/models/m:countTokens');
    expect(server.seen.at(-1)!.path).toBe('/v1/models/e:batchEmbedContents');
  });

  it("keeps genai's automatic stream continuation inside one attempt, on the same key", async () => {
    const before = server.seen.length;
    const stream = await pool.client.models.generateContentStream({
      model: 'continues',
      contents: 'long decode',
    });
    let text = '';
    for await (const chunk of stream) text += chunk.text ?? '';
    expect(text).toBe('first half, second half');
    const hops = server.seen.slice(before);
    expect(hops).toHaveLength(2);
    expect(new Set(hops.map((request) => request.headers['x-goog-api-key'])).size).toBe(1);
    expect(JSON.stringify(hops[1]!.body)).toContain('checkpoint-1');
  });

  it('routes every other method that reaches the network through the pool, on a pool key', async () => {
    await pool.client.models.get({ model: 'some-model' }).catch(() => undefined);
    const request = server.seen.at(-1)!;
    expect(request.method).toBe('GET');
    expect([KEYS.stream1, KEYS.stream2]).toContain(request.headers['x-goog-api-key']);
    expect(pool.snapshot().reduce((sum, key) => sum + key.counts.requests, 0)).toBe(4);
  });
});

describe('secrets', () => {
  it('no secret in any thrown error (message, JSON, causes) or any event', async () => {
    const pool = createGeminiPool({
      keys: [{ id: 'canary', secret: KEYS.canary }],
      clientOptions: { httpOptions: { baseUrl: baseUrl() } },
    });
    const events: unknown[] = [];
    pool.onAny((event) => events.push(event));
    const errors: unknown[] = [];
    errors.push(
      await pool.client.models.generateContent({ model: MODEL, contents: 'x' }).catch((e: unknown) => e),
    );
    errors.push(
      await pool.chat({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e),
    );
    errors.push(
      await (async () => {
        for await (const _ of pool.stream({ model: MODEL, messages: [{ role: 'user', content: 'x' }] })) {
          // drain
        }
      })().catch((e: unknown) => e),
    );
    expect(emu.requestsFor(KEYS.canary)).toHaveLength(1);
    // pool.client throws genai's ApiError (message: the body as JSON, scrubbed); the unified API throws Keypool's.
    expect(errors[0]).toBeInstanceOf(ApiError);
    expect(JSON.parse((errors[0] as ApiError).message).error.status).toBeDefined();
    expect(`${(errors[0] as Error).message} ${JSON.stringify(viewOf(errors[0]))}`).not.toContain(KEYS.canary);
    for (const error of errors.slice(1)) {
      expect(KeypoolError.isInstance(error)).toBe(true);
      let current: unknown = error;
      while (current instanceof Error) {
        expect(current.message).not.toContain(KEYS.canary);
        current = current.cause;
      }
      expect(JSON.stringify(error)).not.toContain(KEYS.canary);
    }
    expect(PoolExhaustedError.isInstance(errors[1])).toBe(true);
    expect(JSON.stringify(events)).not.toContain(KEYS.canary);
    expect(JSON.stringify(pool.snapshot())).not.toContain(KEYS.canary);
    expect(JSON.stringify(pool.toJSON())).not.toContain(KEYS.canary);
  });
});
