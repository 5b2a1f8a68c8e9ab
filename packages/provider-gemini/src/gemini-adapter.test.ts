import { ApiError, GoogleGenAI } from '@google/genai';
import type { RateLimitInfo } from '@keypool/core';
import { runAdapterConformance } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureServer, startFixtureServer } from '../test/fixture-server.ts';
import { CANARY_KEY, GEMINI_ERROR_CASES } from '../test/gemini-error-cases.ts';
import { createGeminiAdapter } from './gemini-adapter.ts';
import { createGeminiClient } from './gemini-client.ts';
import { classifyGeminiError } from './gemini-error.ts';

const GOOD_A = 'AIzaSyADAPTER-good-a-00000000000000000001';
const GOOD_B = 'AIzaSyADAPTER-good-b-00000000000000000002';
const MODEL = 'gemini-2.5-flash';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({
    windowMs: 1000,
    logRawKeys: true,
    keys: { [GOOD_A]: {}, [GOOD_B]: {} },
    models: {
      'always-500': { serverError: true },
      silent: { noResponse: true },
      'overloaded-model': { overloaded: true },
    },
  });
});
afterAll(() => emu.close());

runAdapterConformance({
  name: '@keypool/gemini',
  createAdapter: () => createGeminiAdapter({ httpOptions: { baseUrl: emu.baseURLs.gemini } }),
  errorCases: GEMINI_ERROR_CASES,
  canarySecret: CANARY_KEY,
  live: () => ({ goodKeys: [GOOD_A, GOOD_B], model: MODEL }),
});

describe('createGeminiAdapter: clients', () => {
  it('setApiKey switches the current client; one client per key, kept', async () => {
    const adapter = createGeminiAdapter({ httpOptions: { baseUrl: emu.baseURLs.gemini } });
    expect(() => adapter.client).toThrow(/setApiKey/);
    adapter.setApiKey(GOOD_A);
    const first = adapter.client;
    expect(first).toBeInstanceOf(GoogleGenAI);
    expect(adapter.client).toBe(first);
    adapter.setApiKey(GOOD_B);
    expect(adapter.client).not.toBe(first);
    emu.reset();
    await adapter.client.models.generateContent({ model: MODEL, contents: 'switch' });
    expect(emu.requestsFor(GOOD_B)).toHaveLength(1);
    expect(emu.requestsFor(GOOD_A)).toHaveLength(0);
  });

  it('never retries inside the SDK, even when the user asks genai to', async () => {
    const client = createGeminiClient(GOOD_A, {
      httpOptions: { baseUrl: emu.baseURLs.gemini, retryOptions: { attempts: 5, initialDelay: 0.01 } },
    });
    emu.reset();
    const error = await client.models.generateContent({ model: 'always-500', contents: 'x' }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(emu.requests).toHaveLength(1);
  });

  it('sends its own key even when the user headers carry another x-goog-api-key', async () => {
    const client = createGeminiClient(GOOD_A, {
      httpOptions: { baseUrl: emu.baseURLs.gemini, headers: { 'X-Goog-Api-Key': GOOD_B, 'x-extra': '1' } },
    });
    emu.reset();
    await client.models.generateContent({ model: MODEL, contents: 'own key' });
    expect(emu.requests[0]?.key).toBe(GOOD_A);
  });

  it('its timeout fires as a TimeoutError, classified timeout (genai would throw a bare AbortError)', async () => {
    const client = createGeminiClient(GOOD_A, {
      httpOptions: { baseUrl: emu.baseURLs.gemini, timeout: 100 },
    });
    const started = Date.now();
    const error = await client.models.generateContent({ model: 'silent', contents: 'x' }).catch((e) => e);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((error as Error).name).toBe('TimeoutError');
    expect(classifyGeminiError(error).category).toBe('timeout');
  });
});

describe('createGeminiAdapter: the wrapped fetch', () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await startFixtureServer({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '41',
      'x-ratelimit-reset-requests': '12s',
      'x-ratelimit-remaining-tokens': '99000',
    });
  });
  afterAll(() => server.close());

  it("passes the user's fetch, headers, base URL and API version through, and reports rate-limit headers", async () => {
    const seenByUserFetch: string[] = [];
    const reported: RateLimitInfo[] = [];
    const adapter = createGeminiAdapter({
      apiVersion: 'v1beta',
      httpOptions: {
        baseUrl: server.baseUrl,
        headers: { 'x-team': 'search' },
        fetch: (input, init) => {
          seenByUserFetch.push(String(input));
          return fetch(input, init);
        },
      },
    });
    const client = adapter.createClient(GOOD_A, { reportRateLimit: (info) => reported.push(info) });
    const response = await client.models.generateContent({ model: 'plain', contents: 'hello' });
    expect(response.candidates?.[0]?.content?.parts?.[0]?.text).toBe('fixture answer');
    expect(seenByUserFetch).toEqual([`${server.baseUrl}/v1beta/models/plain:generateContent`]);
    const request = server.seen.at(-1)!;
    expect(request.headers['x-team']).toBe('search');
    expect(request.headers['x-goog-api-key']).toBe(GOOD_A);
    expect(request.query.has('key')).toBe(false);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toMatchObject({
      requests: { limit: 60, remaining: 41, resetAt: expect.any(Number) },
      tokens: { remaining: 99000 },
    });
  });

  it('reports from error responses too, and masks the key in error bodies before genai reads them', async () => {
    const reported: RateLimitInfo[] = [];
    const client = createGeminiAdapter({ httpOptions: { baseUrl: server.baseUrl } }).createClient(GOOD_A, {
      reportRateLimit: (info) => reported.push(info),
    });
    const error = await client.models.generateContent({ model: 'echo-key', contents: 'x' }).catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(reported).toHaveLength(1);
    expect(server.seen.at(-1)!.headers['x-goog-api-key']).toBe(GOOD_A);
    expect((error as ApiError).message).not.toContain(GOOD_A);
    expect((error as ApiError).message).toContain('AIza...0001');
    expect(JSON.parse((error as ApiError).message).error.message).toContain('?key=***');
  });

  it('reports nothing for a response without rate-limit headers (the Gemini API sends none)', async () => {
    const reported: RateLimitInfo[] = [];
    const client = createGeminiAdapter({ httpOptions: { baseUrl: emu.baseURLs.gemini } }).createClient(
      GOOD_A,
      {
        reportRateLimit: (info) => reported.push(info),
      },
    );
    await client.models.generateContent({ model: MODEL, contents: 'x' });
    expect(reported).toHaveLength(0);
  });
});
