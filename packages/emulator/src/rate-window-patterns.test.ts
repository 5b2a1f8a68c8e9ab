import Anthropic from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import { Mistral } from '@mistralai/mistralai';
import { MistralError } from '@mistralai/mistralai/models/errors';
import OpenAI, { RateLimitError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { behaviourSetters, rejectionOf, sleep } from '../test/helpers.ts';
import type { Emulator } from './server.ts';
import { startEmulator } from './server.ts';

// Rate-window patterns as providers really play them, checked with the real SDKs: per-model windows, limits that
// send no headers, fixed retry-after values, fixed windows answering a whole burst with 429.

let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ windowMs: 60_000 });
});
afterAll(() => emu.close());

const { keyWith } = behaviourSetters(() => emu, 'win');
const messages = [{ role: 'user' as const, content: 'hello there world' }];

function openai(apiKey: string): OpenAI {
  return new OpenAI({ apiKey, baseURL: emu.baseURLs.openai, maxRetries: 0 });
}

function askOpenAI(apiKey: string, model = 'gpt-4o') {
  return openai(apiKey).chat.completions.create({ model, messages });
}

describe('windowScope', () => {
  it("'model': a spent window for one model leaves the key's other models served", async () => {
    const key = keyWith({ rpm: 2, windowScope: 'model' });
    await askOpenAI(key, 'gpt-4o');
    await askOpenAI(key, 'gpt-4o');
    const error = (await rejectionOf(askOpenAI(key, 'gpt-4o'))) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    const other = await openai(key)
      .chat.completions.create({ model: 'gpt-4o-mini', messages })
      .withResponse();
    expect(other.data.choices[0]?.message.content).toBe('Echo: hello there world');
    // Headers report the window of the model asked for.
    expect(other.response.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    expect(emu.requestsFor(key).map((entry) => `${entry.model}:${entry.status}`)).toEqual([
      'gpt-4o:200',
      'gpt-4o:200',
      'gpt-4o:429',
      'gpt-4o-mini:200',
    ]);
  });

  it("'key' (default): one window for every model of the key", async () => {
    const key = keyWith({ rpm: 2 });
    await askOpenAI(key, 'gpt-4o');
    await askOpenAI(key, 'gpt-4o');
    expect(await rejectionOf(askOpenAI(key, 'gpt-4o-mini'))).toBeInstanceOf(RateLimitError);
  });
});

describe('rateLimitHeaders: false', () => {
  it('openai: no x-ratelimit-* on success, no retry-after on the 429, no wait in the message', async () => {
    const key = keyWith({ rpm: 1, rateLimitHeaders: false });
    const { response } = await openai(key)
      .chat.completions.create({ model: 'gpt-4o', messages })
      .withResponse();
    expect([...response.headers.keys()].filter((name) => name.includes('ratelimit'))).toEqual([]);
    const error = (await rejectionOf(askOpenAI(key))) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.headers.get('retry-after')).toBeNull();
    expect(error.headers.get('retry-after-ms')).toBeNull();
    expect([...error.headers.keys()].filter((name) => name.includes('ratelimit'))).toEqual([]);
    expect(error.message).not.toContain('try again in');
  });

  it('anthropic: a 429 with neither retry-after nor anthropic-ratelimit-* headers', async () => {
    const key = keyWith({ rpm: 1, rateLimitHeaders: false });
    const client = new Anthropic({ apiKey: key, baseURL: emu.baseURLs.anthropic, maxRetries: 0 });
    const ask = () => client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 64, messages });
    await ask();
    const error = (await rejectionOf(ask())) as InstanceType<typeof Anthropic.RateLimitError>;
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect(error.headers?.get('retry-after')).toBeNull();
    expect([...(error.headers?.keys() ?? [])].filter((name) => name.includes('ratelimit'))).toEqual([]);
  });

  it('gemini: RESOURCE_EXHAUSTED without RetryInfo', async () => {
    const key = keyWith({ rpm: 1, rateLimitHeaders: false });
    const client = new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: emu.baseURLs.gemini } });
    const ask = () => client.models.generateContent({ model: 'gemini-2.5-flash', contents: 'hello' });
    await ask();
    const error = (await rejectionOf(ask())) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(429);
    expect(error.message).toContain('RESOURCE_EXHAUSTED');
    expect(error.message).not.toContain('RetryInfo');
    expect(error.message).not.toContain('Please retry in');
  });
});

describe('retryAfterMs', () => {
  it('openai: the 429 announces the fixed wait, and the key serves again after it', async () => {
    const key = keyWith({ rpm: 1, retryAfterMs: 300 });
    await askOpenAI(key);
    const error = (await rejectionOf(askOpenAI(key))) as RateLimitError;
    expect(error.headers.get('retry-after-ms')).toBe('300');
    expect(error.headers.get('retry-after')).toBe('1');
    expect(await rejectionOf(askOpenAI(key))).toBeInstanceOf(RateLimitError);
    await sleep(320);
    await expect(askOpenAI(key)).resolves.toBeDefined();
  });

  it('is sent even with rateLimitHeaders: false', async () => {
    const key = keyWith({ rpm: 1, retryAfterMs: 2000, rateLimitHeaders: false });
    await askOpenAI(key);
    const error = (await rejectionOf(askOpenAI(key))) as RateLimitError;
    expect(error.headers.get('retry-after')).toBe('2');
    expect(error.headers.get('x-ratelimit-remaining-requests')).toBeNull();
  });

  it('mistral: retry-after: 1 together with x-ratelimit-remaining-req-minute: 0, served again 1 s later', async () => {
    const key = keyWith({ rpm: 2, retryAfterMs: 1000 });
    const client = new Mistral({ apiKey: key, serverURL: emu.baseURLs.mistral });
    const ask = () => client.chat.complete({ model: 'mistral-small-latest', messages });
    await ask();
    await ask();
    const error = (await rejectionOf(ask())) as MistralError;
    expect(error).toBeInstanceOf(MistralError);
    expect(error.statusCode).toBe(429);
    expect(error.headers.get('retry-after')).toBe('1');
    expect(error.headers.get('x-ratelimit-remaining-req-minute')).toBe('0');
    expect(error.headers.get('x-ratelimit-limit-req-minute')).toBe('2');
    await sleep(1020);
    const answer = await ask();
    expect(answer.choices?.[0]?.message?.content).toBe('Echo: hello there world');
    expect(emu.requestsFor(key).map((entry) => entry.status)).toEqual([200, 200, 429, 200]);
  });
});

describe("window: 'fixed'", () => {
  it('answers every request of a burst past the limit with 429s naming the same boundary', async () => {
    const key = keyWith({ rpm: 3, window: 'fixed' });
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () => openai(key).chat.completions.create({ model: 'gpt-4o', messages })),
    );
    const refused = results.flatMap((result) =>
      result.status === 'rejected' ? [result.reason as RateLimitError] : [],
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(3);
    expect(refused).toHaveLength(9);
    const entries = emu.requestsFor(key).filter((entry) => entry.status === 429);
    const boundaries = refused.map((error, index) => {
      expect(error).toBeInstanceOf(RateLimitError);
      return Number(error.headers.get('retry-after-ms')) + (entries[index]?.time ?? 0);
    });
    // Every 429 points at one boundary (to within the spread of arrival times and rounding).
    expect(Math.max(...boundaries) - Math.min(...boundaries)).toBeLessThanOrEqual(30);
  });
});

describe("window: 'fixed' boundaries", () => {
  let fixed: Emulator;
  beforeAll(async () => {
    fixed = await startEmulator({
      windowMs: 400,
      keys: { 'sk-fixed-window-0000000000': { rpm: 1, window: 'fixed' } },
    });
  });
  afterAll(() => fixed.close());

  it('aligns windows to the emulator clock: a window opened late frees at the next boundary', async () => {
    const client = new OpenAI({
      apiKey: 'sk-fixed-window-0000000000',
      baseURL: fixed.baseURLs.openai,
      maxRetries: 0,
    });
    const ask = () => client.chat.completions.create({ model: 'gpt-4o', messages });
    fixed.reset();
    const epoch = Date.now();
    await sleep(250);
    await ask();
    const error = (await rejectionOf(ask())) as RateLimitError;
    const boundary = Date.now() + Number(error.headers.get('retry-after-ms'));
    // The window opened ~250 ms into [epoch, epoch + 400): it frees at epoch + 400, not 400 ms after it opened.
    expect(Math.abs(boundary - (epoch + 400))).toBeLessThanOrEqual(40);
  });
});
