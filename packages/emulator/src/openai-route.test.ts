import OpenAI, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
} from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { behaviourSetters, drain, rejectionOf, sleep } from '../test/helpers.ts';
import { estimateTokens } from './estimate-tokens.ts';
import type { Emulator } from './server.ts';
import { startEmulator } from './server.ts';

let emu: Emulator;
const GOOD = 'sk-good-1111111111111111';

beforeAll(async () => {
  emu = await startEmulator({ windowMs: 1000, keys: { [GOOD]: {} } });
});
afterAll(() => emu.close());

function client(apiKey: string, options: { timeout?: number } = {}): OpenAI {
  return new OpenAI({ apiKey, baseURL: emu.baseURLs.openai, maxRetries: 0, ...options });
}

const { keyWith, modelWith } = behaviourSetters(() => emu, 'oai');

const messages = [{ role: 'user' as const, content: 'hello there world' }];

function ask(apiKey: string, model = 'gpt-4o', options: { timeout?: number } = {}) {
  return client(apiKey, options).chat.completions.create({ model, messages });
}

function askStream(apiKey: string, model = 'gpt-4o') {
  return client(apiKey).chat.completions.create({
    model,
    messages,
    stream: true,
    stream_options: { include_usage: true },
  });
}

describe('openai: success', () => {
  it('answers a plain call with echo text and consistent usage', async () => {
    const completion = await ask(GOOD);
    expect(completion.choices[0]?.message.content).toBe('Echo: hello there world');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({
      prompt_tokens: estimateTokens('hello there world'),
      completion_tokens: estimateTokens('Echo: hello there world'),
      total_tokens: estimateTokens('hello there world') + estimateTokens('Echo: hello there world'),
    });
  });

  it('streams several chunks, a usage chunk and [DONE]', async () => {
    const stream = await askStream(GOOD);
    const { items, error } = await drain(stream);
    expect(error).toBeUndefined();
    const text = items.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('Echo: hello there world');
    expect(items.filter((chunk) => chunk.choices[0]?.delta.content).length).toBeGreaterThanOrEqual(3);
    expect(items.at(-1)?.usage?.completion_tokens).toBe(estimateTokens(text));
    expect(items.some((chunk) => chunk.choices[0]?.finish_reason === 'stop')).toBe(true);
  });

  it('truncates to max_completion_tokens with finish_reason length', async () => {
    const completion = await client(GOOD).chat.completions.create({
      model: 'gpt-4o',
      messages,
      max_completion_tokens: 2,
    });
    expect(completion.choices[0]?.message.content).toBe('Echo: he');
    expect(completion.choices[0]?.finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens).toBe(2);
  });

  it('sends real rate-limit headers on success, with real remaining counts', async () => {
    const key = keyWith({ rpm: 5, tpm: 1000 });
    const first = await client(key).chat.completions.create({ model: 'gpt-4o', messages }).withResponse();
    const second = await client(key).chat.completions.create({ model: 'gpt-4o', messages }).withResponse();
    const used = first.data.usage!.total_tokens;
    expect(first.response.headers.get('x-ratelimit-limit-requests')).toBe('5');
    expect(first.response.headers.get('x-ratelimit-remaining-requests')).toBe('4');
    expect(second.response.headers.get('x-ratelimit-remaining-requests')).toBe('3');
    expect(first.response.headers.get('x-ratelimit-limit-tokens')).toBe('1000');
    expect(second.response.headers.get('x-ratelimit-remaining-tokens')).toBe(String(1000 - 2 * used));
    expect(first.response.headers.get('x-ratelimit-reset-requests')).toMatch(/^(\d+ms|1s|0s)$/);
    expect(first.request_id).toMatch(/^req_/);
  });
});

describe('openai: key behaviours', () => {
  it('rpm: 429 rate_limit_exceeded with retry-after and rate-limit headers', async () => {
    const key = keyWith({ rpm: 1 });
    await ask(key);
    const error = await rejectionOf(ask(key));
    expect(error).toBeInstanceOf(RateLimitError);
    const rateLimit = error as RateLimitError;
    expect(rateLimit.status).toBe(429);
    expect(rateLimit.code).toBe('rate_limit_exceeded');
    expect(rateLimit.type).toBe('requests');
    expect(rateLimit.headers.get('retry-after')).toBe('1');
    expect(Number(rateLimit.headers.get('retry-after-ms'))).toBeGreaterThan(0);
    expect(Number(rateLimit.headers.get('retry-after-ms'))).toBeLessThanOrEqual(1000);
    expect(rateLimit.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(rateLimit.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+ms$|^1s$/);
    expect(rateLimit.message).toMatch(/^429 Rate limit reached for gpt-4o .* requests per min \(RPM\)/);
  });

  it('rpm: the window frees after windowMs', async () => {
    const key = keyWith({ rpm: 1 });
    await ask(key);
    const error = (await rejectionOf(ask(key))) as RateLimitError;
    await sleep(Number(error.headers.get('retry-after-ms')) + 20);
    await expect(ask(key)).resolves.toBeDefined();
  });

  it('tpm: 429 of type tokens when the request would exceed the token budget', async () => {
    const key = keyWith({ tpm: 15 });
    await ask(key);
    const error = (await rejectionOf(ask(key))) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.type).toBe('tokens');
    expect(error.code).toBe('rate_limit_exceeded');
    expect(error.message).toContain('tokens per min (TPM): Limit 15, Used 11, Requested 11');
    expect(error.headers.get('x-ratelimit-remaining-tokens')).toBe('4');
  });

  it('rpd: 429 on requests per day', async () => {
    const key = keyWith({ rpd: 1 });
    await ask(key);
    const error = (await rejectionOf(ask(key))) as RateLimitError;
    expect(error.message).toContain('requests per day (RPD)');
  });

  it('invalid: 401 invalid_api_key with a masked key in the message', async () => {
    const key = keyWith({ invalid: true });
    const error = await rejectionOf(ask(key));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).code).toBe('invalid_api_key');
    expect((error as AuthenticationError).message).toContain('Incorrect API key provided: sk-');
    expect((error as AuthenticationError).message).not.toContain(key);
  });

  it('unknown keys are rejected with 401', async () => {
    const error = await rejectionOf(ask('sk-never-configured-000000000'));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).status).toBe(401);
  });

  it('quotaExhausted: 429 insufficient_quota without retry-after', async () => {
    const key = keyWith({ quotaExhausted: true });
    const error = (await rejectionOf(ask(key))) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.code).toBe('insufficient_quota');
    expect(error.type).toBe('insufficient_quota');
    expect(error.headers.get('retry-after')).toBeNull();
  });

  it('revokeAfter: the first N calls succeed, then 401', async () => {
    const key = keyWith({ revokeAfter: 2 });
    await ask(key);
    await ask(key);
    expect(await rejectionOf(ask(key))).toBeInstanceOf(AuthenticationError);
  });

  it('leaked: rejected as an invalid key', async () => {
    const key = keyWith({ leaked: true });
    expect(await rejectionOf(ask(key))).toBeInstanceOf(AuthenticationError);
  });

  it('latencyMs delays the answer', async () => {
    const key = keyWith({ latencyMs: 80 });
    const started = performance.now();
    await ask(key);
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('faultRate 1: every call is a 500', async () => {
    const key = keyWith({ faultRate: 1 });
    const error = (await rejectionOf(ask(key))) as InternalServerError;
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.status).toBe(500);
    expect(error.type).toBe('server_error');
  });
});

describe('openai: model behaviours', () => {
  it('overloaded: 503 server_error', async () => {
    const error = (await rejectionOf(ask(GOOD, modelWith({ overloaded: true })))) as InternalServerError;
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.status).toBe(503);
    expect(error.message).toBe('503 The server is overloaded or not ready yet.');
  });

  it('serverErrorOnce: 500 once, then healthy; setModelBehaviour re-arms it', async () => {
    const model = modelWith({ serverErrorOnce: true });
    expect(((await rejectionOf(ask(GOOD, model))) as APIError).status).toBe(500);
    await expect(ask(GOOD, model)).resolves.toBeDefined();
    emu.setModelBehaviour(model, { serverErrorOnce: true });
    expect(((await rejectionOf(ask(GOOD, model))) as APIError).status).toBe(500);
  });

  it('serverError: 500 every time', async () => {
    const model = modelWith({ serverError: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(((await rejectionOf(ask(GOOD, model))) as APIError).status).toBe(500);
    }
  });

  it('resetBeforeHeaders: APIConnectionError', async () => {
    const error = await rejectionOf(ask(GOOD, modelWith({ resetBeforeHeaders: true })));
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as APIConnectionError).status).toBeUndefined();
  });

  it('noResponse: the client times out', async () => {
    const error = await rejectionOf(ask(GOOD, modelWith({ noResponse: true }), { timeout: 150 }));
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
  });

  it('firstTokenDelayMs: slow plain answer', async () => {
    const started = performance.now();
    await ask(GOOD, modelWith({ firstTokenDelayMs: 80 }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('contextWindow: 400 context_length_exceeded', async () => {
    const error = (await rejectionOf(ask(GOOD, modelWith({ contextWindow: 2 })))) as BadRequestError;
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.code).toBe('context_length_exceeded');
    expect(error.param).toBe('messages');
    expect(error.message).toContain('maximum context length is 2 tokens');
  });

  it('contentFilter: 400 content_policy_violation', async () => {
    const error = (await rejectionOf(ask(GOOD, modelWith({ contentFilter: true })))) as BadRequestError;
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.code).toBe('content_policy_violation');
  });

  it('notFound: 404 model_not_found', async () => {
    const model = modelWith({ notFound: true });
    const error = (await rejectionOf(ask(GOOD, model))) as NotFoundError;
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.code).toBe('model_not_found');
    expect(error.message).toContain(model);
  });

  it('outage: 503 for downMs from the first request, then healthy', async () => {
    const model = modelWith({ outage: { downMs: 150 } });
    expect(((await rejectionOf(ask(GOOD, model))) as APIError).status).toBe(503);
    await sleep(170);
    await expect(ask(GOOD, model)).resolves.toBeDefined();
    emu.setModelBehaviour(model, { outage: { downMs: 150 } });
    expect(((await rejectionOf(ask(GOOD, model))) as APIError).status).toBe(503);
  });
});

describe('openai: stream faults', () => {
  it('streamCutAfterChunks: the stream breaks after N content chunks', async () => {
    const model = modelWith({ streamCutAfterChunks: 2 });
    const { items, error } = await drain(await askStream(GOOD, model));
    expect(error).toBeInstanceOf(Error);
    expect(emu.requests.find((entry) => entry.model === model)).toMatchObject({
      status: 200,
      outcome: 'stream_cut',
    });
    expect(items.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('Echo: hello');
  });

  it('streamStallAfterChunks + stallMs: the stream pauses, then completes', async () => {
    const started = performance.now();
    const { items, error } = await drain(
      await askStream(GOOD, modelWith({ streamStallAfterChunks: 1, stallMs: 100 })),
    );
    expect(error).toBeUndefined();
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    expect(items.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(
      'Echo: hello there world',
    );
  });

  it('streamStallAfterChunks without stallMs: stalls until the client gives up', async () => {
    const controller = new AbortController();
    const model = modelWith({ streamStallAfterChunks: 1 });
    const stream = await client(GOOD).chat.completions.create(
      { model, messages, stream: true },
      { signal: controller.signal },
    );
    let text = '';
    // The SDK ends the iteration quietly when its own signal aborts.
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (text === 'Echo:') setTimeout(() => controller.abort(), 60);
    }
    expect(text).toBe('Echo:');
    await sleep(20);
    expect(emu.requests.find((entry) => entry.model === model)?.outcome).toBe('stream_stall');
  });

  it('malformedChunk: the SDK fails to parse the stream', async () => {
    const { error } = await drain(await askStream(GOOD, modelWith({ malformedChunk: true })));
    expect(error).toBeInstanceOf(Error);
  });

  it('noTerminator: the stream ends without [DONE]', async () => {
    const { items, error } = await drain(await askStream(GOOD, modelWith({ noTerminator: true })));
    expect(error).toBeUndefined();
    expect(items.at(-1)?.usage).toBeDefined();
  });

  it('midStreamError: an error event mid-stream throws APIError without status', async () => {
    const { items, error } = await drain(await askStream(GOOD, modelWith({ midStreamError: true })));
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBeUndefined();
    expect(items.length).toBeGreaterThanOrEqual(1);
  });
});

describe('openai: request log', () => {
  it('records the masked key and fingerprint, never the raw key', async () => {
    const key = keyWith({});
    await ask(key);
    const [entry] = emu.requestsFor(key);
    expect(entry).toMatchObject({
      provider: 'openai',
      path: '/openai/v1/chat/completions',
      model: 'gpt-4o',
      stream: false,
      keyMasked: `${key.slice(0, 4)}...${key.slice(-4)}`,
      status: 200,
      outcome: 'ok',
      promptTokens: 5,
      completionTokens: 6,
    });
    expect(entry?.keyFingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(entry?.key).toBeUndefined();
    expect(JSON.stringify(emu.requests)).not.toContain(key);
  });
});
