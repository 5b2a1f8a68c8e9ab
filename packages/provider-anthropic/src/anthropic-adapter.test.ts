import type Anthropic from '@anthropic-ai/sdk';
import { runAdapterConformance } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicErrorCases, CANARY_SECRET } from '../test/error-cases.ts';
import { createAnthropicAdapter } from './anthropic-adapter.ts';
import { createAnthropicPool } from './anthropic-pool.ts';

const KEY_A = 'sk-ant-adapter-aaaaaaaaaaaaaaaa';
const KEY_B = 'sk-ant-adapter-bbbbbbbbbbbbbbbb';
const LIMITED = 'sk-ant-adapter-limited-cccccccc';
const MODEL = 'claude-emulated-1';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({
    windowMs: 1000,
    keys: { [KEY_A]: {}, [KEY_B]: {}, [LIMITED]: { rpm: 50 } },
    logRawKeys: true,
  });
});
afterAll(() => emu.close());

runAdapterConformance<Anthropic>({
  name: '@keypool/anthropic',
  createAdapter: () => createAnthropicAdapter({ baseURL: emu?.baseURLs.anthropic }),
  errorCases: anthropicErrorCases,
  canarySecret: CANARY_SECRET,
  live: () => ({
    goodKeys: [KEY_A, KEY_B],
    model: MODEL,
    createPool: (keys) => createAnthropicPool({ keys, clientOptions: { baseURL: emu.baseURLs.anthropic } }),
  }),
});

/** A fetch that records every request body and response header, as a user's own fetch would see them. */
function recordingFetch() {
  const seen: { url: string; body: Record<string, unknown>; headers: Headers; responseHeaders: Headers }[] =
    [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const response = await globalThis.fetch(input, init);
    seen.push({
      url: String(input),
      body: typeof init?.body === 'string' ? (JSON.parse(init.body) as Record<string, unknown>) : {},
      headers: new Headers(init?.headers),
      responseHeaders: response.headers,
    });
    return response;
  };
  return { seen, fetch };
}

describe('createAnthropicAdapter', () => {
  it('builds each client with its key, the SDK retries off, and the user base URL, fetch and headers', async () => {
    const { seen, fetch } = recordingFetch();
    const adapter = createAnthropicAdapter({
      baseURL: emu.baseURLs.anthropic,
      fetch,
      defaultHeaders: { 'x-app': 'keypool-test' },
    });
    const client = adapter.createClient(KEY_A);
    expect(client.maxRetries).toBe(0);
    expect(client.baseURL).toBe(emu.baseURLs.anthropic);
    await client.messages.create({
      model: MODEL,
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers.get('authorization')).toBe(`Bearer ${KEY_A}`);
    expect(seen[0]?.headers.get('x-app')).toBe('keypool-test');
  });

  it('ignores credential options and maxRetries a caller passes anyway', () => {
    const adapter = createAnthropicAdapter({
      baseURL: emu.baseURLs.anthropic,
      ...({ apiKey: 'sk-ant-wrong-00000000000000', maxRetries: 5, authToken: 'tok' } as object),
    });
    const client = adapter.createClient(KEY_A);
    expect(client.apiKey).toBe(KEY_A);
    expect(client.authToken).toBeNull();
    expect(client.maxRetries).toBe(0);
  });

  it('reports the rate-limit headers of every response through the client hooks', async () => {
    const adapter = createAnthropicAdapter({ baseURL: emu.baseURLs.anthropic });
    const reports: unknown[] = [];
    const client = adapter.createClient(LIMITED, { reportRateLimit: (info) => reports.push(info) });
    await client.messages.create({
      model: MODEL,
      max_tokens: 16,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ requests: { limit: 50, remaining: expect.any(Number) } });
    expect((reports[0] as { requests: { resetAt: number } }).requests.resetAt).toBeGreaterThan(
      Date.now() - 5000,
    );
  });

  it('switches its current client with setApiKey, one client per key', async () => {
    const adapter = createAnthropicAdapter({ baseURL: emu.baseURLs.anthropic });
    expect(() => adapter.client).toThrow(/setApiKey/);
    adapter.setApiKey(KEY_A);
    const first = adapter.client;
    expect(adapter.client).toBe(first);
    adapter.setApiKey(KEY_B);
    expect(adapter.client).not.toBe(first);
    expect(adapter.client.apiKey).toBe(KEY_B);
    const before = emu.requestsFor(KEY_B).length;
    await adapter.client.messages.create({
      model: MODEL,
      max_tokens: 8,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(emu.requestsFor(KEY_B)).toHaveLength(before + 1);
  });

  it('puts system messages in `system`, maps stop, drops temperature, defaults max_tokens', async () => {
    const { seen, fetch } = recordingFetch();
    const adapter = createAnthropicAdapter({ baseURL: emu.baseURLs.anthropic, fetch });
    const controller = new AbortController();
    const context = {
      signal: controller.signal,
      keyId: 'a',
      reportRateLimit: () => {},
      reportUsage: () => {},
    };
    const result = await adapter.chat(
      adapter.createClient(KEY_A),
      {
        model: MODEL,
        messages: [
          { role: 'system', content: 'Be terse.' },
          { role: 'system', content: 'Be kind.' },
          { role: 'user', content: 'hello adapter' },
        ],
        temperature: 0.3,
        stop: ['END'],
      },
      context,
    );
    expect(seen[0]?.body).toEqual({
      model: MODEL,
      max_tokens: 1024,
      system: 'Be terse.\n\nBe kind.',
      messages: [{ role: 'user', content: 'hello adapter' }],
      stop_sequences: ['END'],
    });
    expect(result).toMatchObject({ text: 'Echo: hello adapter', finishReason: 'stop', model: MODEL });
    expect(result.requestId).toMatch(/^req_/);
    expect(result.usage.totalTokens).toBe(result.usage.inputTokens + result.usage.outputTokens);

    const optIn = createAnthropicAdapter(
      { baseURL: emu.baseURLs.anthropic, fetch },
      { sendTemperature: true },
    );
    await optIn.chat(
      optIn.createClient(KEY_A),
      { model: MODEL, messages: [{ role: 'user', content: 'x' }], temperature: 0.3, maxTokens: 5 },
      context,
    );
    expect(seen[1]?.body).toMatchObject({ temperature: 0.3, max_tokens: 5 });
  });

  it('serves a large max_tokens without the SDK\'s "Streaming is required" (the timeout is explicit)', async () => {
    const adapter = createAnthropicAdapter({ baseURL: emu.baseURLs.anthropic });
    const client = adapter.createClient(KEY_A);
    const request = {
      model: MODEL,
      max_tokens: 64_000,
      messages: [{ role: 'user' as const, content: 'big' }],
    };
    // The SDK refuses synchronously, before sending anything.
    expect(() => client.messages.create(request)).toThrow(/Streaming is required/);
    const controller = new AbortController();
    const result = await adapter.chat(
      client,
      { model: MODEL, maxTokens: 64_000, messages: [{ role: 'user', content: 'big' }] },
      { signal: controller.signal, keyId: 'a', reportRateLimit: () => {}, reportUsage: () => {} },
    );
    expect(result.text).toBe('Echo: big');
  });

  it('streams text deltas then one done with the stop reason and usage', async () => {
    const adapter = createAnthropicAdapter({ baseURL: emu.baseURLs.anthropic });
    const controller = new AbortController();
    const parts = [];
    for await (const part of adapter.stream(
      adapter.createClient(KEY_A),
      { model: MODEL, maxTokens: 3, messages: [{ role: 'user', content: 'a long answer please' }] },
      { signal: controller.signal, keyId: 'a', reportRateLimit: () => {}, reportUsage: () => {} },
    ))
      parts.push(part);
    const done = parts.at(-1);
    expect(done).toMatchObject({ type: 'done', finishReason: 'length', model: MODEL });
    expect(parts.slice(0, -1).every((part) => part.type === 'delta')).toBe(true);
    if (done?.type === 'done') {
      expect(done.usage.outputTokens).toBe(3);
      expect(done.requestId).toMatch(/^req_/);
    }
  });

  it('estimates tokens with the default max_tokens', () => {
    const adapter = createAnthropicAdapter({}, { defaultMaxTokens: 100 });
    expect(adapter.estimateTokens?.({ model: MODEL, messages: [{ role: 'user', content: 'abcd' }] })).toBe(
      102,
    );
  });
});
