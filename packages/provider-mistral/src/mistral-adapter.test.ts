import { runAdapterConformance } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { HTTPClient } from '@mistralai/mistralai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANARY_SECRET, MISTRAL_ERROR_CASES } from './__fixtures__/mistral-error-cases';
import { createMistralAdapter } from './mistral-adapter';

const GOOD = ['mistral-adapter-good-000000000001', 'mistral-adapter-good-000000000002'];
const MODEL = 'mistral-small-latest';
let emu: Emulator;

beforeAll(async () => {
  emu = await startEmulator({ windowMs: 1000, keys: Object.fromEntries(GOOD.map((key) => [key, {}])) });
});
afterAll(() => emu.close());

runAdapterConformance({
  name: '@keypool/mistral',
  createAdapter: () => createMistralAdapter({ serverURL: emu?.baseURLs.mistral ?? 'http://127.0.0.1:9' }),
  errorCases: MISTRAL_ERROR_CASES,
  canarySecret: CANARY_SECRET,
  live: () => ({ goodKeys: GOOD, model: MODEL }),
});

describe('createMistralAdapter', () => {
  it('switches its current client with setApiKey, one client per key', async () => {
    const adapter = createMistralAdapter({ serverURL: emu.baseURLs.mistral });
    expect(() => adapter.client).toThrow(/setApiKey/);
    adapter.setApiKey(GOOD[0]!);
    const first = adapter.client;
    expect(adapter.client).toBe(first);
    adapter.setApiKey(GOOD[1]!);
    const second = adapter.client;
    expect(second).not.toBe(first);
    await second.chat.complete({ model: MODEL, messages: [{ role: 'user', content: 'who am i' }] });
    expect(emu.requestsFor(GOOD[1]!).length).toBeGreaterThan(0);
  });

  it('builds clients with the SDK retries off, even if the options ask for them', () => {
    const adapter = createMistralAdapter({
      serverURL: emu.baseURLs.mistral,
      ...({ retryConfig: { strategy: 'backoff' } } as object),
    });
    const client = adapter.createClient(GOOD[0]!);
    expect(client._options.retryConfig).toEqual({ strategy: 'none' });
  });

  it('reports rate-limit headers of every response through the client hooks', async () => {
    const key = 'mistral-adapter-limited-0000000001';
    emu.addKey(key, { rpm: 5, tpm: 1000 });
    const seen: unknown[] = [];
    const client = createMistralAdapter({ serverURL: emu.baseURLs.mistral }).createClient(key, {
      reportRateLimit: (info) => seen.push(info),
    });
    await client.chat.complete({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] });
    expect(seen).toEqual([
      { requests: { limit: 5, remaining: 4 }, tokens: { limit: 1000, remaining: expect.any(Number) } },
    ]);
  });

  it('passes the user fetch and default headers through', async () => {
    const headers: string[] = [];
    const adapter = createMistralAdapter({
      serverURL: emu.baseURLs.mistral,
      headers: { 'x-app': 'keypool-test' },
      fetch: (input, init) => {
        const request = new Request(input, init);
        headers.push(request.headers.get('x-app') ?? '');
        return fetch(request);
      },
    });
    const client = adapter.createClient(GOOD[0]!);
    await client.chat.complete({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] });
    expect(headers).toEqual(['keypool-test']);
  });

  it('keeps a user HTTPClient (its hooks and fetcher) and still reports rate limits', async () => {
    const key = 'mistral-adapter-httpclient-000001';
    emu.addKey(key, { rpm: 9 });
    const hooked: string[] = [];
    const httpClient = new HTTPClient({ fetcher: (input, init) => fetch(input, init) });
    httpClient.addHook('beforeRequest', (request) => {
      hooked.push(new URL(request.url).pathname);
    });
    const seen: unknown[] = [];
    const client = createMistralAdapter({ serverURL: emu.baseURLs.mistral, httpClient }).createClient(key, {
      reportRateLimit: (info) => seen.push(info),
    });
    await client.chat.complete({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] });
    expect(hooked).toEqual(['/mistral/v1/chat/completions']);
    expect(seen).toEqual([{ requests: { limit: 9, remaining: 8 } }]);
  });

  it('sends the unified request as snake_case and reads the answer', async () => {
    const bodies: unknown[] = [];
    const adapter = createMistralAdapter({
      serverURL: emu.baseURLs.mistral,
      fetch: async (input, init) => {
        const request = new Request(input, init);
        bodies.push(await request.clone().json());
        return fetch(request);
      },
    });
    const client = adapter.createClient(GOOD[0]!);
    const controller = new AbortController();
    const result = await adapter.chat(
      client,
      {
        model: MODEL,
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: 'hello there world' },
        ],
        maxTokens: 2,
        temperature: 0.2,
        stop: ['END'],
      },
      { signal: controller.signal, keyId: 'k', reportRateLimit: () => {}, reportUsage: () => {} },
    );
    expect(bodies[0]).toMatchObject({ max_tokens: 2, temperature: 0.2, stop: ['END'], model: MODEL });
    expect(result).toMatchObject({ text: 'Echo: he', finishReason: 'length', model: MODEL });
    expect(result.usage.totalTokens).toBe(result.usage.inputTokens + result.usage.outputTokens);
  });
});
