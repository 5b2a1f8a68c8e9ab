import { ApiError, GoogleGenAI } from '@google/genai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { behaviourSetters, drain, rejectionOf, sleep, waitUntil } from '../test/helpers.ts';
import { estimateTokens } from './estimate-tokens.ts';
import type { Emulator } from './server.ts';
import { startEmulator } from './server.ts';

let emu: Emulator;
const GOOD = 'AIzaSy-good-1111111111111111';
const MODEL = 'gemini-2.5-flash';

beforeAll(async () => {
  emu = await startEmulator({ windowMs: 1000, keys: { [GOOD]: {} } });
});
afterAll(() => emu.close());

function client(apiKey: string, options: { timeout?: number; baseUrl?: string } = {}): GoogleGenAI {
  return new GoogleGenAI({
    apiKey,
    httpOptions: { baseUrl: options.baseUrl ?? emu.baseURLs.gemini, timeout: options.timeout },
  });
}

const { keyWith, modelWith } = behaviourSetters(() => emu, 'gem');

function ask(apiKey: string, model = MODEL, options: { timeout?: number } = {}) {
  return client(apiKey, options).models.generateContent({ model, contents: 'hello there world' });
}

function askStream(apiKey: string, model = MODEL) {
  return client(apiKey).models.generateContentStream({ model, contents: 'hello there world' });
}

interface GoogleErrorBody {
  error: { code: number; message: string; status: string; details?: Array<Record<string, unknown>> };
}

function bodyOf(error: unknown): GoogleErrorBody {
  expect(error).toBeInstanceOf(ApiError);
  return JSON.parse((error as ApiError).message) as GoogleErrorBody;
}

function detail(body: GoogleErrorBody, type: string): Record<string, unknown> | undefined {
  return body.error.details?.find((item) => item['@type'] === `type.googleapis.com/google.rpc.${type}`);
}

describe('gemini: success', () => {
  it('answers a plain call with echo text and consistent usage', async () => {
    const response = await ask(GOOD);
    expect(response.text).toBe('Echo: hello there world');
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
    expect(response.usageMetadata?.promptTokenCount).toBe(estimateTokens('hello there world'));
    expect(response.usageMetadata?.candidatesTokenCount).toBe(estimateTokens('Echo: hello there world'));
    expect(response.usageMetadata?.totalTokenCount).toBe(11);
    expect(response.sdkHttpResponse?.headers?.['content-type']).toContain('application/json');
  });

  it('works with and without a trailing slash on the base URL', async () => {
    for (const baseUrl of [emu.baseURLs.gemini, `${emu.baseURLs.gemini}/`]) {
      const response = await client(GOOD, { baseUrl }).models.generateContent({
        model: MODEL,
        contents: 'hi',
      });
      expect(response.text).toBe('Echo: hi');
    }
  });

  it('truncates to maxOutputTokens with MAX_TOKENS', async () => {
    const response = await client(GOOD).models.generateContent({
      model: MODEL,
      contents: 'hello there world',
      config: { maxOutputTokens: 2, systemInstruction: 'be brief' },
    });
    expect(response.text).toBe('Echo: he');
    expect(response.candidates?.[0]?.finishReason).toBe('MAX_TOKENS');
    expect(response.usageMetadata?.promptTokenCount).toBe(estimateTokens('be briefhello there world'));
  });

  it('streams several chunks, the last with finishReason STOP and usage', async () => {
    const { items, error } = await drain(await askStream(GOOD));
    expect(error).toBeUndefined();
    expect(items.length).toBeGreaterThanOrEqual(3);
    expect(items.map((chunk) => chunk.text ?? '').join('')).toBe('Echo: hello there world');
    expect(items.at(-1)?.candidates?.[0]?.finishReason).toBe('STOP');
    expect(items.at(-1)?.usageMetadata?.candidatesTokenCount).toBe(6);
  });

  it('accepts the key as ?key= too', async () => {
    const response = await fetch(
      `${emu.baseURLs.gemini}/v1beta/models/${MODEL}:generateContent?key=${GOOD}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
      },
    );
    expect(response.status).toBe(200);
  });

  it('sends no rate-limit headers on success (the real API has none); limits live in 429 bodies', async () => {
    const response = await ask(keyWith({ rpm: 5 }));
    const names = Object.keys(response.sdkHttpResponse?.headers ?? {});
    expect(names.some((name) => name.includes('ratelimit'))).toBe(false);
  });
});

describe('gemini: key behaviours', () => {
  it('rpm: 429 RESOURCE_EXHAUSTED with a PerMinute QuotaFailure and RetryInfo', async () => {
    const key = keyWith({ rpm: 1 });
    await ask(key);
    const error = await rejectionOf(ask(key));
    expect((error as ApiError).status).toBe(429);
    const body = bodyOf(error);
    expect(body.error.status).toBe('RESOURCE_EXHAUSTED');
    const violations = detail(body, 'QuotaFailure')?.violations as Array<{ quotaId: string }>;
    expect(violations[0]?.quotaId).toBe('GenerateRequestsPerMinutePerProjectPerModel-FreeTier');
    expect(detail(body, 'RetryInfo')?.retryDelay).toBe('1s');
  });

  it('tpm: 429 with an input-token quotaId', async () => {
    const key = keyWith({ tpm: 15 });
    await ask(key);
    const violations = detail(bodyOf(await rejectionOf(ask(key))), 'QuotaFailure')?.violations as Array<{
      quotaId: string;
    }>;
    expect(violations[0]?.quotaId).toContain('InputTokensPerModelPerMinute');
  });

  it('rpd: 429 with a PerDay quotaId', async () => {
    const key = keyWith({ rpd: 1 });
    await ask(key);
    const violations = detail(bodyOf(await rejectionOf(ask(key))), 'QuotaFailure')?.violations as Array<{
      quotaId: string;
    }>;
    expect(violations[0]?.quotaId).toContain('PerDay');
  });

  it('invalid and unknown keys: 400 INVALID_ARGUMENT with ErrorInfo API_KEY_INVALID', async () => {
    for (const key of [keyWith({ invalid: true }), 'AIzaSy-unknown-0000000000000']) {
      const error = await rejectionOf(ask(key));
      expect((error as ApiError).status).toBe(400);
      const body = bodyOf(error);
      expect(body.error.status).toBe('INVALID_ARGUMENT');
      expect(body.error.message).toBe('API key not valid. Please pass a valid API key.');
      expect(detail(body, 'ErrorInfo')?.reason).toBe('API_KEY_INVALID');
    }
  });

  it('leaked: 403 PERMISSION_DENIED "Your API key was reported as leaked."', async () => {
    const error = await rejectionOf(ask(keyWith({ leaked: true })));
    expect((error as ApiError).status).toBe(403);
    const body = bodyOf(error);
    expect(body.error.status).toBe('PERMISSION_DENIED');
    expect(body.error.message).toContain('Your API key was reported as leaked.');
  });

  it('quotaExhausted: 429 with a PerDay quotaId and no RetryInfo', async () => {
    const body = bodyOf(await rejectionOf(ask(keyWith({ quotaExhausted: true }))));
    const violations = detail(body, 'QuotaFailure')?.violations as Array<{ quotaId: string }>;
    expect(violations[0]?.quotaId).toContain('PerDay');
    expect(detail(body, 'RetryInfo')).toBeUndefined();
  });

  it('latencyMs delays the answer', async () => {
    const started = performance.now();
    await ask(keyWith({ latencyMs: 80 }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('revokeAfter and faultRate', async () => {
    const revoked = keyWith({ revokeAfter: 1 });
    await ask(revoked);
    expect(((await rejectionOf(ask(revoked))) as ApiError).status).toBe(400);
    const faulty = keyWith({ faultRate: 1 });
    expect(bodyOf(await rejectionOf(ask(faulty))).error.status).toBe('INTERNAL');
  });
});

describe('gemini: model behaviours', () => {
  it('overloaded and outage: 503 UNAVAILABLE', async () => {
    const error = await rejectionOf(ask(GOOD, modelWith({ overloaded: true })));
    expect((error as ApiError).status).toBe(503);
    expect(bodyOf(error).error).toMatchObject({
      status: 'UNAVAILABLE',
      message: expect.stringContaining('overloaded'),
    });
    const flapping = modelWith({ outage: { downMs: 100 } });
    expect(((await rejectionOf(ask(GOOD, flapping))) as ApiError).status).toBe(503);
    await sleep(120);
    await expect(ask(GOOD, flapping)).resolves.toBeDefined();
  });

  it('serverErrorOnce: 500 INTERNAL once', async () => {
    const model = modelWith({ serverErrorOnce: true });
    expect(((await rejectionOf(ask(GOOD, model))) as ApiError).status).toBe(500);
    await expect(ask(GOOD, model)).resolves.toBeDefined();
  });

  it('serverError: 500 INTERNAL every time; firstTokenDelayMs slows the answer', async () => {
    const failing = modelWith({ serverError: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(bodyOf(await rejectionOf(ask(GOOD, failing))).error).toMatchObject({
        code: 500,
        status: 'INTERNAL',
      });
    }
    const started = performance.now();
    await ask(GOOD, modelWith({ firstTokenDelayMs: 80 }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('resetBeforeHeaders: a raw fetch failure', async () => {
    const error = await rejectionOf(ask(GOOD, modelWith({ resetBeforeHeaders: true })));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe('fetch failed');
  });

  it('noResponse: the client timeout aborts', async () => {
    const error = await rejectionOf(ask(GOOD, modelWith({ noResponse: true }), { timeout: 150 }));
    expect((error as Error).name).toBe('AbortError');
  });

  it('contextWindow: 400 INVALID_ARGUMENT about the input token count', async () => {
    const error = await rejectionOf(ask(GOOD, modelWith({ contextWindow: 4 })));
    expect(bodyOf(error).error.message).toBe(
      'The input token count (5) exceeds the maximum number of tokens allowed (4).',
    );
  });

  it('contentFilter: 200 with promptFeedback.blockReason SAFETY (plain and stream)', async () => {
    const model = modelWith({ contentFilter: true });
    const response = await ask(GOOD, model);
    expect(response.promptFeedback?.blockReason).toBe('SAFETY');
    expect(response.text).toBeUndefined();
    const { items, error } = await drain(await askStream(GOOD, model));
    expect(error).toBeUndefined();
    expect(items[0]?.promptFeedback?.blockReason).toBe('SAFETY');
  });

  it('notFound: 404 NOT_FOUND', async () => {
    const model = modelWith({ notFound: true });
    const body = bodyOf(await rejectionOf(ask(GOOD, model)));
    expect(body.error).toMatchObject({ code: 404, status: 'NOT_FOUND' });
    expect(body.error.message).toContain(`models/${model} is not found`);
  });
});

describe('gemini: stream faults', () => {
  it('streamCutAfterChunks: the stream breaks', async () => {
    const { items, error } = await drain(await askStream(GOOD, modelWith({ streamCutAfterChunks: 2 })));
    expect(error).toBeInstanceOf(Error);
    expect(items.map((chunk) => chunk.text ?? '').join('')).toBe('Echo: hello');
  });

  it('midStreamError: an error chunk throws ApiError 503', async () => {
    const { error } = await drain(await askStream(GOOD, modelWith({ midStreamError: true })));
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(503);
  });

  it('malformedChunk: the SDK fails to parse the stream', async () => {
    const { error } = await drain(await askStream(GOOD, modelWith({ malformedChunk: true })));
    expect(error).toBeInstanceOf(Error);
  });

  it('noTerminator: no chunk carries finishReason, and the SDK (no continuation token) does not reconnect', async () => {
    const model = modelWith({ noTerminator: true });
    const { items, error } = await drain(await askStream(GOOD, model));
    expect(error).toBeUndefined();
    expect(items.every((chunk) => chunk.candidates?.[0]?.finishReason === undefined)).toBe(true);
    expect(emu.requests.filter((entry) => entry.model === model)).toHaveLength(1);
  });

  it('streamStallAfterChunks without stallMs: stalls until the caller aborts', async () => {
    const controller = new AbortController();
    const model = modelWith({ streamStallAfterChunks: 2 });
    const stream = await client(GOOD).models.generateContentStream({
      model,
      contents: 'hello there world',
      config: { abortSignal: controller.signal },
    });
    let text = '';
    let error: unknown;
    try {
      for await (const chunk of stream) {
        text += chunk.text ?? '';
        if (text === 'Echo: hello') setTimeout(() => controller.abort(), 60);
      }
    } catch (caught) {
      error = caught;
    }
    expect(text).toBe('Echo: hello');
    expect((error as Error | undefined)?.name).toBe('AbortError');
    await waitUntil(() => emu.requests.find((entry) => entry.model === model)?.outcome === 'stream_stall');
  });

  it('streamStallAfterChunks + stallMs: pauses, then completes', async () => {
    const started = performance.now();
    const { items } = await drain(
      await askStream(GOOD, modelWith({ streamStallAfterChunks: 1, stallMs: 80 })),
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    expect(items.map((chunk) => chunk.text ?? '').join('')).toBe('Echo: hello there world');
  });
});

describe('gemini: request log', () => {
  it('records masked key and fingerprint, never the raw key (even from ?key=)', async () => {
    const key = keyWith({});
    await ask(key);
    await fetch(`${emu.baseURLs.gemini}/v1/models/${MODEL}:generateContent?key=${key}`, {
      method: 'POST',
      body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
    });
    const entries = emu.requestsFor(key);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      provider: 'gemini',
      path: `/gemini/v1/models/${MODEL}:generateContent`,
      model: MODEL,
      keyMasked: `${key.slice(0, 4)}...${key.slice(-4)}`,
      outcome: 'ok',
    });
    expect(JSON.stringify(emu.requests)).not.toContain(key);
  });
});
