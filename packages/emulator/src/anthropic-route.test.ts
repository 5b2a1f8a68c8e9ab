import Anthropic, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  OverloadedError,
  PaymentRequiredError,
  RateLimitError,
} from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { behaviourSetters, drain, rejectionOf, sleep } from '../test/helpers.ts';
import { estimateTokens } from './estimate-tokens.ts';
import type { Emulator } from './server.ts';
import { startEmulator } from './server.ts';

let emu: Emulator;
const GOOD = 'sk-ant-good-111111111111';
const MODEL = 'claude-sonnet-4-5';

beforeAll(async () => {
  emu = await startEmulator({ windowMs: 1000, keys: { [GOOD]: {} } });
});
afterAll(() => emu.close());

function client(apiKey: string, options: { timeout?: number } = {}): Anthropic {
  return new Anthropic({ apiKey, baseURL: emu.baseURLs.anthropic, maxRetries: 0, ...options });
}

const { keyWith, modelWith } = behaviourSetters(() => emu, 'ant');

const messages = [{ role: 'user' as const, content: 'hello there world' }];

function ask(apiKey: string, model = MODEL, options: { timeout?: number } = {}) {
  return client(apiKey, options).messages.create({ model, max_tokens: 256, messages });
}

function askStream(apiKey: string, model = MODEL) {
  return client(apiKey).messages.create({ model, max_tokens: 256, messages, stream: true });
}

function streamedText(events: Anthropic.RawMessageStreamEvent[]): string {
  return events
    .map((event) =>
      event.type === 'content_block_delta' && event.delta.type === 'text_delta' ? event.delta.text : '',
    )
    .join('');
}

describe('anthropic: success', () => {
  it('answers a plain call with echo text and consistent usage', async () => {
    const message = await ask(GOOD);
    expect(message.content).toEqual([{ type: 'text', text: 'Echo: hello there world' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.input_tokens).toBe(estimateTokens('hello there world'));
    expect(message.usage.output_tokens).toBe(estimateTokens('Echo: hello there world'));
  });

  it('counts the system prompt and truncates to max_tokens', async () => {
    const message = await client(GOOD).messages.create({
      model: MODEL,
      max_tokens: 2,
      system: 'be brief',
      messages,
    });
    expect(message.content[0]).toEqual({ type: 'text', text: 'Echo: he' });
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.usage.input_tokens).toBe(estimateTokens('be briefhello there world'));
  });

  it('streams every event type, ending with message_stop', async () => {
    const { items, error } = await drain(await askStream(GOOD));
    expect(error).toBeUndefined();
    expect(streamedText(items)).toBe('Echo: hello there world');
    expect(items.map((event) => event.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('MessageStream.finalMessage() assembles text and usage', async () => {
    const message = await client(GOOD)
      .messages.stream({ model: MODEL, max_tokens: 256, messages })
      .finalMessage();
    expect(message.content).toHaveLength(1);
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Echo: hello there world' });
    expect(message.usage.input_tokens).toBe(5);
    expect(message.usage.output_tokens).toBe(6);
  });

  it('accepts the key in x-api-key as well as Authorization: Bearer', async () => {
    const response = await fetch(`${emu.baseURLs.anthropic}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': GOOD, 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, max_tokens: 10, messages }),
    });
    expect(response.status).toBe(200);
  });

  it('sends anthropic-ratelimit headers on success', async () => {
    const key = keyWith({ rpm: 3, tpm: 100 });
    const { response, request_id } = await client(key)
      .messages.create({ model: MODEL, max_tokens: 256, messages })
      .withResponse();
    expect(response.headers.get('anthropic-ratelimit-requests-limit')).toBe('3');
    expect(response.headers.get('anthropic-ratelimit-requests-remaining')).toBe('2');
    expect(response.headers.get('anthropic-ratelimit-tokens-limit')).toBe('100');
    expect(response.headers.get('anthropic-ratelimit-tokens-remaining')).toBe('89');
    const reset = response.headers.get('anthropic-ratelimit-requests-reset') ?? '';
    expect(reset).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    expect(Date.parse(reset) - Date.now()).toBeLessThanOrEqual(1000);
    expect(request_id).toMatch(/^req_/);
  });
});

describe('anthropic: key behaviours', () => {
  it('rpm: 429 rate_limit_error with integer retry-after and retry-after-ms', async () => {
    const key = keyWith({ rpm: 1 });
    await ask(key);
    const error = (await rejectionOf(ask(key))) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.status).toBe(429);
    expect(error.type).toBe('rate_limit_error');
    expect(error.errorCode).toBeNull();
    expect(error.headers.get('retry-after')).toBe('1');
    expect(Number(error.headers.get('retry-after-ms'))).toBeGreaterThan(0);
    expect(error.headers.get('anthropic-ratelimit-requests-remaining')).toBe('0');
    expect(error.requestID).toMatch(/^req_/);
  });

  it('tpm: 429 rate_limit_error mentioning input tokens per minute', async () => {
    const key = keyWith({ tpm: 15 });
    await ask(key);
    const error = (await rejectionOf(ask(key))) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.apiMessage).toContain('15 input tokens per minute');
  });

  it('invalid and unknown keys: 401 authentication_error', async () => {
    for (const key of [keyWith({ invalid: true }), 'sk-ant-unknown-000000000000']) {
      const error = (await rejectionOf(ask(key))) as AuthenticationError;
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error.type).toBe('authentication_error');
      expect(error.apiMessage).toBe('invalid x-api-key');
    }
  });

  it('quotaExhausted: 429 enforced_spend_limit_reached without retry-after', async () => {
    const error = (await rejectionOf(ask(keyWith({ quotaExhausted: true })))) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toBeInstanceOf(Anthropic.EnforcedSpendLimitReachedError);
    expect(error.errorCode).toBe('enforced_spend_limit_reached');
    expect(error.headers.get('retry-after')).toBeNull();
  });

  it('quotaExhausted with quotaStyle billing: 402 billing_error', async () => {
    const error = (await rejectionOf(
      ask(keyWith({ quotaExhausted: true, quotaStyle: 'billing' })),
    )) as PaymentRequiredError;
    expect(error).toBeInstanceOf(PaymentRequiredError);
    expect(error.type).toBe('billing_error');
  });

  it('revokeAfter: 1 call succeeds, then 401', async () => {
    const key = keyWith({ revokeAfter: 1 });
    await ask(key);
    expect(await rejectionOf(ask(key))).toBeInstanceOf(AuthenticationError);
  });

  it('rpd: 429 rate_limit_error mentioning requests per day', async () => {
    const key = keyWith({ rpd: 1 });
    await ask(key);
    const error = (await rejectionOf(ask(key))) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.apiMessage).toContain('1 requests per day');
  });

  it('leaked: rejected as an invalid key', async () => {
    expect(await rejectionOf(ask(keyWith({ leaked: true })))).toBeInstanceOf(AuthenticationError);
  });

  it('latencyMs delays the answer', async () => {
    const started = performance.now();
    await ask(keyWith({ latencyMs: 80 }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('faultRate 1: 500 api_error', async () => {
    const error = (await rejectionOf(ask(keyWith({ faultRate: 1 })))) as InternalServerError;
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.status).toBe(500);
    expect(error.type).toBe('api_error');
  });
});

describe('anthropic: model behaviours', () => {
  it('overloaded: 529 OverloadedError', async () => {
    const error = (await rejectionOf(ask(GOOD, modelWith({ overloaded: true })))) as OverloadedError;
    expect(error).toBeInstanceOf(OverloadedError);
    expect(error.status).toBe(529);
    expect(error.type).toBe('overloaded_error');
  });

  it('outage: 529 for downMs, then healthy', async () => {
    const model = modelWith({ outage: { downMs: 100 } });
    expect(await rejectionOf(ask(GOOD, model))).toBeInstanceOf(OverloadedError);
    await sleep(120);
    await expect(ask(GOOD, model)).resolves.toBeDefined();
  });

  it('serverErrorOnce: 500 once, then healthy', async () => {
    const model = modelWith({ serverErrorOnce: true });
    expect(((await rejectionOf(ask(GOOD, model))) as APIError).status).toBe(500);
    await expect(ask(GOOD, model)).resolves.toBeDefined();
  });

  it('serverError: 500 every time', async () => {
    const model = modelWith({ serverError: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = (await rejectionOf(ask(GOOD, model))) as InternalServerError;
      expect(error).toBeInstanceOf(InternalServerError);
      expect(error.status).toBe(500);
    }
  });

  it('resetBeforeHeaders: APIConnectionError', async () => {
    expect(await rejectionOf(ask(GOOD, modelWith({ resetBeforeHeaders: true })))).toBeInstanceOf(
      APIConnectionError,
    );
  });

  it('noResponse: APIConnectionTimeoutError', async () => {
    const error = await rejectionOf(ask(GOOD, modelWith({ noResponse: true }), { timeout: 150 }));
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
  });

  it('contextWindow: 400 "prompt is too long"', async () => {
    const error = (await rejectionOf(ask(GOOD, modelWith({ contextWindow: 3 })))) as BadRequestError;
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.type).toBe('invalid_request_error');
    expect(error.apiMessage).toBe('prompt is too long: 5 tokens > 3 maximum');
  });

  it('contentFilter: 400 invalid_request_error about the content filtering policy', async () => {
    const error = (await rejectionOf(ask(GOOD, modelWith({ contentFilter: true })))) as BadRequestError;
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.apiMessage).toContain('content filtering policy');
  });

  it('notFound: 404 not_found_error', async () => {
    const model = modelWith({ notFound: true });
    const error = (await rejectionOf(ask(GOOD, model))) as NotFoundError;
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.type).toBe('not_found_error');
    expect(error.apiMessage).toBe(`model: ${model}`);
  });
});

describe('anthropic: stream faults', () => {
  it('midStreamError: event: error throws APIError with type overloaded_error and no status', async () => {
    const { items, error } = await drain(await askStream(GOOD, modelWith({ midStreamError: true })));
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBeUndefined();
    expect((error as APIError).type).toBe('overloaded_error');
    expect(streamedText(items)).toBe('Echo:');
  });

  it('streamCutAfterChunks: the stream breaks', async () => {
    const { items, error } = await drain(await askStream(GOOD, modelWith({ streamCutAfterChunks: 1 })));
    expect(error).toBeInstanceOf(Error);
    expect(streamedText(items)).toBe('Echo:');
  });

  it('streamStallAfterChunks: the stream stops until the client gives up', async () => {
    const model = modelWith({ streamStallAfterChunks: 2 });
    const controller = new AbortController();
    const stream = await client(GOOD).messages.create(
      { model, max_tokens: 50, messages, stream: true },
      { signal: controller.signal },
    );
    const events: Anthropic.RawMessageStreamEvent[] = [];
    // The SDK ends the iteration quietly when its own signal aborts; nothing after the stall arrives.
    for await (const event of stream) {
      events.push(event);
      if (streamedText(events) === 'Echo: hello') setTimeout(() => controller.abort(), 60);
    }
    expect(streamedText(events)).toBe('Echo: hello');
    expect(events.some((event) => event.type === 'message_stop')).toBe(false);
    await sleep(20);
    expect(emu.requests.find((entry) => entry.model === model)?.outcome).toBe('stream_stall');
  });

  it('streamStallAfterChunks + stallMs: pauses, then completes', async () => {
    const started = performance.now();
    const { items, error } = await drain(
      await askStream(GOOD, modelWith({ streamStallAfterChunks: 1, stallMs: 80 })),
    );
    expect(error).toBeUndefined();
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    expect(streamedText(items)).toBe('Echo: hello there world');
  });

  it('malformedChunk: the SDK fails to parse the stream', async () => {
    const { error } = await drain(await askStream(GOOD, modelWith({ malformedChunk: true })));
    expect(error).toBeInstanceOf(Error);
  });

  it('noTerminator: the stream ends without message_stop', async () => {
    const { items, error } = await drain(await askStream(GOOD, modelWith({ noTerminator: true })));
    expect(error).toBeUndefined();
    expect(items.at(-1)?.type).toBe('message_delta');
  });

  it('firstTokenDelayMs: the first delta comes late', async () => {
    const started = performance.now();
    await drain(await askStream(GOOD, modelWith({ firstTokenDelayMs: 80 })));
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
  });
});

describe('anthropic: request log', () => {
  it('records masked key and fingerprint (raw key only with logRawKeys)', async () => {
    const key = keyWith({});
    await ask(key);
    expect(emu.requestsFor(key)[0]).toMatchObject({
      provider: 'anthropic',
      path: '/anthropic/v1/messages',
      keyMasked: `${key.slice(0, 4)}...${key.slice(-4)}`,
      outcome: 'ok',
    });
    expect(emu.requestsFor(key)[0]?.key).toBeUndefined();

    const raw = await startEmulator({ logRawKeys: true, keys: { [key]: {} } });
    try {
      await new Anthropic({ apiKey: key, baseURL: raw.baseURLs.anthropic, maxRetries: 0 }).messages.create({
        model: MODEL,
        max_tokens: 10,
        messages,
      });
      expect(raw.requests[0]?.key).toBe(key);
      expect(raw.requests[0]?.keyFingerprint).toBe(emu.requestsFor(key)[0]?.keyFingerprint);
    } finally {
      await raw.close();
    }
  });
});
