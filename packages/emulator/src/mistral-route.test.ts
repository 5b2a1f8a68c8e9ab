import { HTTPClient, Mistral } from '@mistralai/mistralai';
import { MistralCore } from '@mistralai/mistralai/core.js';
import { chatComplete } from '@mistralai/mistralai/funcs/chatComplete.js';
import {
  ConnectionError,
  MistralError,
  RequestTimeoutError,
  SDKError,
} from '@mistralai/mistralai/models/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { behaviourSetters, drain, rejectionOf, sleep, waitUntil } from '../test/helpers.ts';
import { estimateTokens } from './estimate-tokens.ts';
import type { Emulator } from './server.ts';
import { startEmulator } from './server.ts';

let emu: Emulator;
const GOOD = 'mistral-good-111111111111';
const MODEL = 'mistral-small-latest';

beforeAll(async () => {
  emu = await startEmulator({ windowMs: 1000, keys: { [GOOD]: {} } });
});
afterAll(() => emu.close());

function client(apiKey: string, options: { timeoutMs?: number; signal?: AbortSignal } = {}): Mistral {
  const { timeoutMs, signal } = options;
  if (timeoutMs === undefined && signal === undefined)
    return new Mistral({ apiKey, serverURL: emu.baseURLs.mistral });
  // The SDK's own timeout and signal ride on `new Request(...)` and a clone of it, which Undici follows through weakly
  // held controllers: garbage collection can lose them and leave the test waiting. This fetch takes them directly.
  const direct = timeoutMs === undefined ? signal : AbortSignal.timeout(timeoutMs);
  return new Mistral({
    apiKey,
    serverURL: emu.baseURLs.mistral,
    httpClient: new HTTPClient({
      fetcher: async (input) => {
        const request = input as Request;
        return fetch(request.url, {
          method: request.method,
          headers: request.headers,
          ...(request.method === 'GET' ? {} : { body: await request.text() }),
          ...(direct ? { signal: direct } : {}),
        });
      },
    }),
  });
}

const { keyWith, modelWith } = behaviourSetters(() => emu, 'mis');

const messages = [{ role: 'user' as const, content: 'hello there world' }];

function ask(apiKey: string, model = MODEL, options: { timeoutMs?: number } = {}) {
  return client(apiKey, options).chat.complete({ model, messages });
}

function askStream(apiKey: string, model = MODEL) {
  return client(apiKey).chat.stream({ model, messages });
}

function mistralError(error: unknown): MistralError & { parsed: Record<string, unknown> } {
  expect(error).toBeInstanceOf(MistralError);
  const typed = error as MistralError;
  return Object.assign(typed, { parsed: JSON.parse(typed.body) as Record<string, unknown> });
}

describe('mistral: success', () => {
  it('answers a plain call with echo text and consistent usage', async () => {
    const response = await ask(GOOD);
    expect(response.choices?.[0]?.message?.content).toBe('Echo: hello there world');
    expect(response.choices?.[0]?.finishReason).toBe('stop');
    expect(response.usage).toMatchObject({
      promptTokens: estimateTokens('hello there world'),
      completionTokens: estimateTokens('Echo: hello there world'),
      totalTokens: 11,
    });
  });

  it('streams several chunks, usage on the last, then [DONE]', async () => {
    const { items, error } = await drain(await askStream(GOOD));
    expect(error).toBeUndefined();
    const text = items.map((event) => event.data.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('Echo: hello there world');
    expect(items.length).toBeGreaterThanOrEqual(5);
    expect(items.at(-1)?.data.choices[0]?.finishReason).toBe('stop');
    expect(items.at(-1)?.data.usage?.completionTokens).toBe(6);
  });

  it('truncates to max_tokens with finish_reason length', async () => {
    const response = await client(GOOD).chat.complete({ model: MODEL, messages, maxTokens: 2 });
    expect(response.choices?.[0]?.message?.content).toBe('Echo: he');
    expect(response.choices?.[0]?.finishReason).toBe('length');
  });

  it('sends x-ratelimit-*-minute headers on success', async () => {
    const key = keyWith({ rpm: 4, tpm: 100 });
    const core = new MistralCore({ apiKey: key, serverURL: emu.baseURLs.mistral });
    const [result, { response }] = await chatComplete(core, { model: MODEL, messages }).$inspect();
    expect(result.ok).toBe(true);
    expect(response?.headers.get('x-ratelimit-limit-req-minute')).toBe('4');
    expect(response?.headers.get('x-ratelimit-remaining-req-minute')).toBe('3');
    expect(response?.headers.get('x-ratelimit-limit-tokens-minute')).toBe('100');
    expect(response?.headers.get('x-ratelimit-remaining-tokens-minute')).toBe('89');
    expect(response?.headers.get('x-ratelimit-tokens-query-cost')).toBe('11');
  });
});

describe('mistral: key behaviours', () => {
  it('rpm: 429 rate_limited with retry-after and remaining 0', async () => {
    const key = keyWith({ rpm: 1 });
    await ask(key);
    const error = mistralError(await rejectionOf(ask(key)));
    expect(error).toBeInstanceOf(SDKError);
    expect(error.statusCode).toBe(429);
    expect(error.parsed).toMatchObject({ object: 'error', type: 'rate_limited', code: '1300' });
    expect(error.headers.get('retry-after')).toBe('1');
    expect(error.headers.get('x-ratelimit-remaining-req-minute')).toBe('0');
  });

  it('tpm: 429 with the tokens remaining header', async () => {
    const key = keyWith({ tpm: 15 });
    await ask(key);
    const error = mistralError(await rejectionOf(ask(key)));
    expect(error.statusCode).toBe(429);
    expect(error.headers.get('x-ratelimit-remaining-tokens-minute')).toBe('4');
  });

  it('rpd: 429 rate_limited', async () => {
    const key = keyWith({ rpd: 1 });
    await ask(key);
    expect(mistralError(await rejectionOf(ask(key))).parsed).toMatchObject({ type: 'rate_limited' });
  });

  it('latencyMs delays the answer', async () => {
    const started = performance.now();
    await ask(keyWith({ latencyMs: 80 }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('invalid and unknown keys: 401 Unauthorized', async () => {
    for (const key of [keyWith({ invalid: true }), 'mistral-unknown-0000000000']) {
      const error = mistralError(await rejectionOf(ask(key)));
      expect(error.statusCode).toBe(401);
      expect(error.parsed.message).toBe('Unauthorized');
    }
  });

  it('quotaExhausted: 429 about the monthly limit, no retry-after', async () => {
    const error = mistralError(await rejectionOf(ask(keyWith({ quotaExhausted: true }))));
    expect(error.statusCode).toBe(429);
    expect(String(error.parsed.message)).toContain('monthly');
    expect(error.headers.get('retry-after')).toBeNull();
  });

  it('revokeAfter, leaked, faultRate', async () => {
    const revoked = keyWith({ revokeAfter: 1 });
    await ask(revoked);
    expect(mistralError(await rejectionOf(ask(revoked))).statusCode).toBe(401);
    expect(mistralError(await rejectionOf(ask(keyWith({ leaked: true })))).statusCode).toBe(401);
    expect(mistralError(await rejectionOf(ask(keyWith({ faultRate: 1 })))).statusCode).toBe(500);
  });
});

describe('mistral: model behaviours', () => {
  it('overloaded and outage: 503', async () => {
    expect(mistralError(await rejectionOf(ask(GOOD, modelWith({ overloaded: true })))).statusCode).toBe(503);
    const flapping = modelWith({ outage: { downMs: 100 } });
    expect(mistralError(await rejectionOf(ask(GOOD, flapping))).statusCode).toBe(503);
    await sleep(120);
    await expect(ask(GOOD, flapping)).resolves.toBeDefined();
  });

  it('serverErrorOnce / serverError: 500', async () => {
    const once = modelWith({ serverErrorOnce: true });
    expect(mistralError(await rejectionOf(ask(GOOD, once))).statusCode).toBe(500);
    await expect(ask(GOOD, once)).resolves.toBeDefined();
    expect(mistralError(await rejectionOf(ask(GOOD, modelWith({ serverError: true })))).statusCode).toBe(500);
  });

  it('resetBeforeHeaders: ConnectionError', async () => {
    expect(await rejectionOf(ask(GOOD, modelWith({ resetBeforeHeaders: true })))).toBeInstanceOf(
      ConnectionError,
    );
  });

  it('noResponse: RequestTimeoutError', async () => {
    const error = await rejectionOf(ask(GOOD, modelWith({ noResponse: true }), { timeoutMs: 150 }));
    expect(error).toBeInstanceOf(RequestTimeoutError);
  });

  it('contextWindow: 400 "too large for model"', async () => {
    const error = mistralError(await rejectionOf(ask(GOOD, modelWith({ contextWindow: 4 }))));
    expect(error.statusCode).toBe(400);
    expect(String(error.parsed.message)).toContain('too large for model with 4 maximum context length');
  });

  it('contentFilter: 400', async () => {
    const error = mistralError(await rejectionOf(ask(GOOD, modelWith({ contentFilter: true }))));
    expect(error.statusCode).toBe(400);
  });

  it('notFound: 400 invalid_model (what Mistral answers for an unknown model)', async () => {
    const model = modelWith({ notFound: true });
    const error = mistralError(await rejectionOf(ask(GOOD, model)));
    expect(error.statusCode).toBe(400);
    expect(error.parsed).toMatchObject({
      type: 'invalid_model',
      message: `Invalid model: ${model}`,
      code: '1500',
    });
  });
});

describe('mistral: stream faults', () => {
  it('streamCutAfterChunks: the stream breaks', async () => {
    const { items, error } = await drain(await askStream(GOOD, modelWith({ streamCutAfterChunks: 2 })));
    expect(error).toBeInstanceOf(Error);
    expect(items.map((event) => event.data.choices[0]?.delta.content ?? '').join('')).toBe('Echo: hello');
  });

  it('streamStallAfterChunks without stallMs: stalls until the caller aborts', async () => {
    const controller = new AbortController();
    const model = modelWith({ streamStallAfterChunks: 1 });
    const stream = await client(GOOD, { signal: controller.signal }).chat.stream({ model, messages });
    let text = '';
    try {
      for await (const event of stream) {
        text += event.data.choices[0]?.delta.content ?? '';
        if (text === 'Echo:') setTimeout(() => controller.abort(), 60);
      }
    } catch {
      // Whether the SDK throws or ends quietly on abort, nothing after the stall may arrive.
    }
    expect(text).toBe('Echo:');
    await waitUntil(() => emu.requests.find((entry) => entry.model === model)?.outcome === 'stream_stall');
  });

  it('malformedChunk and midStreamError: iteration throws', async () => {
    for (const behaviour of [{ malformedChunk: true }, { midStreamError: true }]) {
      const { error } = await drain(await askStream(GOOD, modelWith(behaviour)));
      expect(error).toBeInstanceOf(Error);
    }
  });

  it('noTerminator: the stream ends without [DONE]', async () => {
    const { items, error } = await drain(await askStream(GOOD, modelWith({ noTerminator: true })));
    expect(error).toBeUndefined();
    expect(items.at(-1)?.data.choices[0]?.finishReason).toBe('stop');
  });

  it('firstTokenDelayMs and a finite stall slow the stream down', async () => {
    const started = performance.now();
    const model = modelWith({ firstTokenDelayMs: 40, streamStallAfterChunks: 2, stallMs: 40 });
    const { items } = await drain(await askStream(GOOD, model));
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    expect(items.map((event) => event.data.choices[0]?.delta.content ?? '').join('')).toBe(
      'Echo: hello there world',
    );
  });
});

describe('mistral: request log', () => {
  it('records masked key and fingerprint', async () => {
    const key = keyWith({});
    await ask(key);
    expect(emu.requestsFor(key)[0]).toMatchObject({
      provider: 'mistral',
      path: '/mistral/v1/chat/completions',
      keyMasked: `${key.slice(0, 4)}...${key.slice(-4)}`,
      keyFingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
      outcome: 'ok',
      promptTokens: 5,
      completionTokens: 6,
    });
    expect(emu.requestsFor(key)[0]?.key).toBeUndefined();
  });
});
