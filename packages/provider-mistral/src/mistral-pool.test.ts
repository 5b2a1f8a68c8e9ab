import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  fingerprintSecret,
  KeypoolError,
  type PoolEvent,
  PoolExhaustedError,
  ProviderError,
  StreamInterruptedError,
} from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { Mistral } from '@mistralai/mistralai';
import { RequestAbortedError, RequestTimeoutError, SDKError } from '@mistralai/mistralai/models/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from './__fixtures__/rejection';
import { createMistralPool, type MistralPoolOptions } from './mistral-pool';

const MODEL = 'mistral-small-latest';
const messages = [{ role: 'user' as const, content: 'hello there world' }];
let emu: Emulator;
let counter = 0;

beforeAll(async () => {
  emu = await startEmulator({ windowMs: 1000, logRawKeys: true });
});
afterAll(() => emu.close());

/** A fresh key known to the emulator, with a Mistral-like 32-character shape. */
function key(label: string, behaviour = {}): string {
  counter += 1;
  const secret = `${label}${String(counter).padStart(4, '0')}`.padEnd(32, 'x').slice(0, 32);
  emu.addKey(secret, behaviour);
  return secret;
}

function model(label: string, behaviour: Parameters<Emulator['setModelBehaviour']>[1]): string {
  counter += 1;
  const name = `${label}-${counter}`;
  emu.setModelBehaviour(name, behaviour);
  return name;
}

/** The raw SDK on one key, retries off: what pool.client must behave like. */
function rawClient(secret: string): Mistral {
  return new Mistral({ apiKey: secret, serverURL: emu.baseURLs.mistral });
}

/** Keypool's view on an error thrown by pool.client. */
const viewOf = (error: unknown) => (error as { keypool: { category: string; error: unknown } }).keypool;

function pool(secrets: string[], options: Partial<MistralPoolOptions> = {}) {
  return createMistralPool({
    keys: secrets.map((secret, index) => ({ id: `key-${index + 1}`, secret })),
    windowMs: 1000,
    ...options,
    clientOptions: { serverURL: emu.baseURLs.mistral, ...options.clientOptions },
  });
}

describe('createMistralPool: failover over real keys', () => {
  it('serves every call with one invalid, one rate-limited and one healthy key', async () => {
    const invalid = key('invalid', { invalid: true });
    const limited = key('limited', { rpm: 1 });
    const healthy = key('healthy');
    // Spend the limited key's one request of this window, outside the pool.
    await new Mistral({ apiKey: limited, serverURL: emu.baseURLs.mistral }).chat.complete({
      model: MODEL,
      messages,
    });

    const retryAfterHeaders: number[] = [];
    const keypool = pool([invalid, limited, healthy], {
      strategy: 'round-robin',
      clientOptions: {
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          if (response.status === 429)
            retryAfterHeaders.push(Number(response.headers.get('retry-after')) * 1000);
          return response;
        },
      },
    });
    const cooldowns: PoolEvent[] = [];
    let atCooldown: ReturnType<typeof keypool.snapshot> = [];
    keypool.onAny((event) => {
      if (event.type === 'key.cooldown' || event.type === 'key.disabled') cooldowns.push(event);
      if (event.type === 'key.cooldown') atCooldown = keypool.snapshot();
    });

    const answers = [];
    for (let index = 0; index < 10; index++) {
      answers.push(await keypool.client.chat.complete({ model: MODEL, messages }));
    }
    expect(answers.map((answer) => answer.choices[0]?.message?.content)).toEqual(
      Array(10).fill('Echo: hello there world'),
    );

    // The invalid key: exactly one upstream attempt, then disabled.
    expect(emu.requestsFor(invalid)).toHaveLength(1);
    expect(emu.requestsFor(invalid)[0]?.status).toBe(401);
    const [invalidState, limitedState, healthyState] = keypool.snapshot();
    expect(invalidState).toMatchObject({ status: 'disabled', category: 'auth' });

    // The limited key: one 429 in the pool, cooling for the retry-after the emulator sent.
    expect(emu.requestsFor(limited).filter((entry) => entry.status === 429)).toHaveLength(1);
    expect(retryAfterHeaders).toHaveLength(1);
    const cooldown = cooldowns.find((event) => event.type === 'key.cooldown');
    expect(cooldown).toMatchObject({ keyId: 'key-2', category: 'rate_limit' });
    const hint = retryAfterHeaders[0]!;
    expect(cooldown?.type === 'key.cooldown' && cooldown.durationMs).toBe(hint);
    // The snapshot taken as the key cooled shows the whole hint; the later one shows the same deadline.
    expect(atCooldown[1]).toMatchObject({ status: 'cooling', category: 'rate_limit' });
    expect(atCooldown[1]?.cooldownRemainingMs).toBeGreaterThan(hint - 50);
    expect(atCooldown[1]?.cooldownRemainingMs).toBeLessThanOrEqual(hint);
    expect(limitedState?.cooldownUntil).toBe(atCooldown[1]?.cooldownUntil);
    expect(limitedState?.cooldownRemainingMs ?? 0).toBeLessThanOrEqual(hint);
    expect(healthyState?.counts.successes).toBe(10);
  });

  it('sends each attempt with the key the engine recorded for it', async () => {
    const secrets = [key('trace-a'), key('trace-b'), key('trace-c', { invalid: true })];
    const keypool = pool(secrets, { strategy: 'round-robin' });
    const fingerprintOf = new Map(
      secrets.map((secret, index) => [`key-${index + 1}`, fingerprintSecret(secret)]),
    );
    const selected: string[] = [];
    const settled: string[] = [];
    keypool.on('key.selected', (event) => selected.push(event.keyId));
    keypool.on('request.success', (event) => settled.push(event.keyId));
    keypool.on('request.failure', (event) => settled.push(event.keyId));
    for (let index = 0; index < 6; index++) await keypool.client.chat.complete({ model: MODEL, messages });
    await keypool.chat({ model: MODEL, messages: [{ role: 'user', content: 'unified' }] });

    const mine = new Set(fingerprintOf.values());
    const log = emu.requests.filter(
      (entry) => entry.keyFingerprint !== null && mine.has(entry.keyFingerprint),
    );
    expect(log.map((entry) => entry.keyFingerprint)).toEqual(selected.map((id) => fingerprintOf.get(id)));
    expect(settled).toEqual(selected);
    expect(log.map((entry) => entry.key)).toEqual(selected.map((id) => secrets[Number(id.slice(4)) - 1]));
  });

  it('sees no upstream 429 in a 100-call burst (16 in flight) when the pool knows the limits', async () => {
    const secrets = [key('burst-a', { rpm: 40 }), key('burst-b', { rpm: 40 }), key('burst-c', { rpm: 40 })];
    const keypool = createMistralPool({
      keys: secrets.map((secret, index) => ({ id: `key-${index + 1}`, secret, limits: { rpm: 40 } })),
      windowMs: 1000,
      maxWaitMs: 2_000,
      clientOptions: { serverURL: emu.baseURLs.mistral },
    });
    const selected = new Map<string, number>();
    keypool.on('key.selected', (event) => selected.set(event.keyId, (selected.get(event.keyId) ?? 0) + 1));
    let next = 0;
    const worker = async () => {
      while (next < 100) {
        next += 1;
        await keypool.client.chat.complete({ model: MODEL, messages });
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));

    const entries = secrets.flatMap((secret) => emu.requestsFor(secret));
    expect(entries).toHaveLength(100);
    expect(entries.filter((entry) => entry.status !== 200)).toEqual([]);
    for (const [index, secret] of secrets.entries()) {
      expect(emu.requestsFor(secret).length).toBe(selected.get(`key-${index + 1}`));
    }
    expect(keypool.snapshot().reduce((sum, state) => sum + state.counts.successes, 0)).toBe(100);
  }, 15_000);
});

describe('createMistralPool: streaming', () => {
  it('streams through pool.client (native form), failing over a rate-limited first key', async () => {
    const limited = key('stream-limited', { rpm: 1 });
    await new Mistral({ apiKey: limited, serverURL: emu.baseURLs.mistral }).chat.complete({
      model: MODEL,
      messages,
    });
    const healthy = key('stream-healthy');
    const keypool = pool([limited, healthy], { strategy: 'round-robin' });
    const stream = await keypool.client.chat.stream({ model: MODEL, messages });
    let text = '';
    let last: string | null | undefined;
    for await (const event of stream) {
      text += event.data.choices[0]?.delta.content ?? '';
      last = event.data.choices[0]?.finishReason;
    }
    expect(text).toBe('Echo: hello there world');
    expect(last).toBe('stop');
    expect(emu.requestsFor(limited).at(-1)?.status).toBe(429);
    expect(keypool.snapshot()[0]?.status).toBe('cooling');
  });

  it('streams through pool.stream(), retrying a model that fails once before the first chunk', async () => {
    const flaky = model('flaky', { serverErrorOnce: true });
    const keypool = pool([key('unified-a'), key('unified-b')], { retryBaseMs: 5 });
    const retries: PoolEvent[] = [];
    keypool.onAny((event) => event.type === 'request.retry' && retries.push(event));
    const parts = [];
    for await (const part of keypool.stream({ model: flaky, messages })) parts.push(part);
    const done = parts.at(-1);
    expect(done?.type).toBe('done');
    expect(done?.type === 'done' && done.result).toMatchObject({
      text: 'Echo: hello there world',
      finishReason: 'stop',
      provider: 'mistral',
      usage: { inputTokens: 5, outputTokens: 6, totalTokens: 11 },
    });
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ category: 'server' });
  });

  it('fails over an overloaded model (outage) before the first chunk of a native stream', async () => {
    const flapping = model('outage', { outage: { downMs: 30 } });
    const keypool = pool([key('outage-a')], { retryBaseMs: 80 });
    const stream = await keypool.client.chat.stream({ model: flapping, messages });
    const chunks = [];
    for await (const event of stream) chunks.push(event);
    expect(chunks.at(-1)?.data.choices[0]?.finishReason).toBe('stop');
    expect(keypool.snapshot()[0]?.counts.failures).toMatchObject({ overloaded: 1 });
  });

  it('raises StreamInterruptedError with the partial text when the stream is cut after its first chunk', async () => {
    const cut = model('cut', { streamCutAfterChunks: 2 });
    const keypool = pool([key('cut-a'), key('cut-b')]);

    const native = await keypool.client.chat.stream({ model: cut, messages });
    let text = '';
    const nativeError = await rejection(
      (async () => {
        for await (const event of native) text += event.data.choices[0]?.delta.content ?? '';
      })(),
    );
    // pool.client throws what the SDK's stream threw; Keypool's view holds the partial text.
    expect(KeypoolError.isInstance(nativeError)).toBe(false);
    expect(viewOf(nativeError).error).toMatchObject({ partialText: 'Echo: hello', interruptedBy: 'network' });
    expect(text).toBe('Echo: hello');

    const unifiedError = await rejection(
      (async () => {
        for await (const _part of keypool.stream({ model: cut, messages }, { onInterrupt: 'fail' })) {
          // drain
        }
      })(),
    );
    expect(StreamInterruptedError.isInstance(unifiedError)).toBe(true);
    expect((unifiedError as StreamInterruptedError).partialText).toBe('Echo: hello');
    // Two streams, two upstream requests: no retry after the first chunk.
    expect(emu.requests.filter((entry) => entry.model === cut)).toHaveLength(2);
  });

  it('throws what the raw SDK throws for a malformed chunk and an error event mid-stream', async () => {
    for (const behaviour of [{ malformedChunk: true }, { midStreamError: true }]) {
      const broken = model('broken', behaviour);
      const keypool = pool([key('broken')]);
      const stream = await keypool.client.chat.stream({ model: broken, messages });
      const error = await rejection(
        (async () => {
          for await (const _event of stream) {
            // drain
          }
        })(),
      );
      const rawError = await rejection(
        (async () => {
          const raw = await rawClient(key('broken-raw')).chat.stream({ model: broken, messages });
          for await (const _event of raw) {
            // drain
          }
        })(),
      );
      expect((error as Error).constructor).toBe((rawError as Error).constructor);
      expect(viewOf(error).error).toMatchObject({
        code: 'stream_interrupted',
        interruptedBy: 'server',
        partialText: 'Echo:',
      });
    }
  });

  it('treats a stream that ends after its finish chunk without [DONE] as complete', async () => {
    const open = model('no-done', { noTerminator: true });
    const keypool = pool([key('no-done')]);
    let text = '';
    for await (const part of keypool.stream({ model: open, messages }))
      if (part.type === 'done') text = part.result.text;
    expect(text).toBe('Echo: hello there world');
  });
});

describe('createMistralPool: errors, aborts and secrets', () => {
  it('throws PoolExhaustedError when every key is unusable, and a typed error for a bad model', async () => {
    const keypool = pool([key('dead-a', { invalid: true }), key('dead-b', { quotaExhausted: true })]);
    const error = await rejection(keypool.client.chat.complete({ model: MODEL, messages }));
    // The last upstream error (the SDK's own class), with the exhausted pool in its keypool view.
    expect(error).toBeInstanceOf(SDKError);
    expect(PoolExhaustedError.isInstance(viewOf(error).error)).toBe(true);
    expect(keypool.snapshot().map((state) => [state.status, state.category])).toEqual([
      ['disabled', 'auth'],
      ['cooling', 'quota_exhausted'],
    ]);
    const missing = model('missing', { notFound: true });
    const notFound = await rejection(pool([key('nf')]).chat({ model: missing, messages }));
    expect(ProviderError.isInstance(notFound) && notFound).toMatchObject({
      category: 'invalid_request',
      modelNotFound: true,
    });
    const tooLong = model('small-window', { contextWindow: 2 });
    const context = await rejection(pool([key('ctx')]).client.chat.complete({ model: tooLong, messages }));
    expect(context).toBeInstanceOf(SDKError);
    expect(context).toMatchObject({ statusCode: 400 });
    expect(viewOf(context).category).toBe('context_length');
  });

  it('stops at once on the caller abort (signal and fetchOptions.signal), without retrying', async () => {
    const silent = model('silent', { noResponse: true });
    const secret = key('abort');
    const keypool = pool([secret, key('abort-b')]);
    for (const place of ['signal', 'fetchOptions'] as const) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const options =
        place === 'signal' ? { signal: controller.signal } : { fetchOptions: { signal: controller.signal } };
      const error = await rejection(keypool.client.chat.complete({ model: silent, messages }, options));
      expect(error).toBeInstanceOf(RequestAbortedError);
      expect(viewOf(error).category).toBe('aborted');
    }
    expect(emu.requests.filter((entry) => entry.model === silent)).toHaveLength(2);
  });

  it('applies the client timeoutMs per attempt (the SDK drops it when given a signal)', async () => {
    const silent = model('slow', { noResponse: true });
    const keypool = pool([key('timeout')], { clientOptions: { timeoutMs: 100 } });
    const started = Date.now();
    const error = await rejection(keypool.client.chat.complete({ model: silent, messages }));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect(viewOf(error).category).toBe('timeout');
  });

  it('never shows a secret in thrown errors, their JSON, or events', async () => {
    const canary = 'Cnry7Rk2Lm9Xp4Tn6Wv1Ys3Ub8Hc5Jd0';
    emu.addKey(canary, { invalid: true });
    const spent = key('secret-spent', { quotaExhausted: true });
    const events: PoolEvent[] = [];
    // A proxy in front of the API that echoes the key into its error body.
    const keypool = pool([canary, spent], {
      strategy: 'round-robin',
      maxWaitMs: 0,
      clientOptions: {
        fetch: async (input, init) => {
          const request = new Request(input, init);
          const response = await fetch(request);
          if (response.status !== 401) return response;
          const echoed = request.headers.get('authorization') ?? '';
          return new Response(JSON.stringify({ message: `Unauthorized: ${echoed}`, key: echoed }), {
            status: 401,
            headers: { 'content-type': 'application/json', 'x-echo': echoed },
          });
        },
      },
    });
    keypool.onAny((event) => events.push(event));
    const errors = [
      await rejection(keypool.client.chat.complete({ model: MODEL, messages })),
      await rejection(keypool.chat({ model: MODEL, messages })),
    ];
    // pool.client: the SDK's error, scrubbed (message, body, headers); the unified API: Keypool's typed error.
    const native = errors[0] as SDKError;
    expect(native).toBeInstanceOf(SDKError);
    expect(`${native.message} ${native.body} ${JSON.stringify([...native.headers])}`).not.toContain(canary);
    expect(JSON.stringify(viewOf(native))).not.toContain(canary);
    for (const error of [viewOf(native).error, errors[1]]) {
      expect(KeypoolError.isInstance(error)).toBe(true);
      const typed = error as PoolExhaustedError;
      expect(typed.message).not.toContain(canary);
      expect(JSON.stringify(typed)).not.toContain(canary);
      for (const inner of typed.errors ?? []) {
        expect(inner.message).not.toContain(canary);
        const raw = inner.cause as { message?: string; body?: string; headers?: Headers } | undefined;
        expect(String(raw?.message)).not.toContain(canary);
        expect(String(raw?.body)).not.toContain(canary);
        expect(JSON.stringify([...(raw?.headers ?? [])])).not.toContain(canary);
      }
    }
    expect(events.length).toBeGreaterThan(0);
    expect(JSON.stringify(events)).not.toContain(canary);
    expect(emu.requestsFor(canary)).toHaveLength(1);
  });
});

describe('createMistralPool: other model calls', () => {
  let server: Server;
  let url: string;
  const GOOD = 'StubGood7Rk2Lm9Xp4Tn6Wv1Ys3Ub8Hc';
  const seen: { path: string; key: string }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const keyUsed = (request.headers.authorization ?? '').replace(/^Bearer /, '');
      seen.push({ path: request.url ?? '', key: keyUsed });
      request.resume();
      request.on('end', () => {
        response.setHeader('content-type', 'application/json');
        response.setHeader('x-ratelimit-limit-req-minute', '60');
        response.setHeader('x-ratelimit-remaining-req-minute', '59');
        if (keyUsed !== GOOD) {
          response.statusCode = 401;
          response.end(JSON.stringify({ detail: 'Unauthorized' }));
          return;
        }
        const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };
        if (request.url === '/v1/embeddings') {
          response.end(
            JSON.stringify({
              id: 'emb-1',
              object: 'list',
              model: 'mistral-embed',
              usage: { prompt_tokens: 3, total_tokens: 3 },
              data: [{ object: 'embedding', embedding: [0.1, 0.2], index: 0 }],
            }),
          );
          return;
        }
        response.end(
          JSON.stringify({
            id: 'fim-1',
            object: 'chat.completion',
            model: 'codestral-latest',
            created: 1,
            usage,
            choices: [
              { index: 0, message: { role: 'assistant', content: 'return a + b' }, finish_reason: 'stop' },
            ],
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('routes embeddings.create and fim.complete through the pool (failing over a bad key)', async () => {
    const bad = 'StubBad07Rk2Lm9Xp4Tn6Wv1Ys3Ub8Hc';
    const keypool = createMistralPool({
      keys: [
        { id: 'bad', secret: bad },
        { id: 'good', secret: GOOD },
      ],
      strategy: 'round-robin',
      clientOptions: { serverURL: url },
    });
    const embedding = await keypool.client.embeddings.create({ model: 'mistral-embed', inputs: ['hello'] });
    expect(embedding.data[0]?.embedding).toEqual([0.1, 0.2]);
    const fim = await keypool.client.fim.complete({ model: 'codestral-latest', prompt: 'def add(a, b):' });
    expect(fim.choices[0]?.message?.content).toBe('return a + b');
    expect(seen.map((entry) => [entry.path, entry.key === GOOD])).toEqual([
      ['/v1/embeddings', false],
      ['/v1/embeddings', true],
      ['/v1/fim/completions', true],
    ]);
    expect(keypool.snapshot()[0]?.status).toBe('disabled');
    expect(keypool.snapshot()[1]?.learned?.requests).toMatchObject({ limit: 60, remaining: 59 });
  });

  it('passes non-model methods through to the template client (placeholder key, never a real one)', async () => {
    const keypool = createMistralPool({
      keys: [{ id: 'good', secret: GOOD }],
      clientOptions: { serverURL: url },
    });
    expect(keypool.client._options.apiKey).not.toBe(GOOD);
    expect(typeof keypool.client.models.list).toBe('function');
    expect(keypool.client.chat.complete).not.toBe(keypool.client.models.list);
  });
});
