import { runAdapterConformance } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CANARY_SECRET, OPENAI_ERROR_CASES } from './__fixtures__/openai-fixtures';
import { createOpenAIAdapter } from './openai-adapter';

const KEY_A = 'sk-adapter-aaaaaaaaaaaaaaaa0001';
const KEY_B = 'sk-adapter-bbbbbbbbbbbbbbbb0002';
const LIMITED = 'sk-adapter-limited-cccccccc0003';
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({
    windowMs: 1000,
    keys: { [KEY_A]: {}, [KEY_B]: {}, [LIMITED]: { rpm: 5 } },
    models: { 'gpt-cut': { streamCutAfterChunks: 2 } },
  });
});
afterAll(() => emulator.close());

runAdapterConformance({
  name: '@keypool/openai',
  createAdapter: () => createOpenAIAdapter({ baseURL: emulator.baseURLs.openai }),
  errorCases: OPENAI_ERROR_CASES,
  canarySecret: CANARY_SECRET,
  live: () => ({ goodKeys: [KEY_A, KEY_B], model: 'gpt-4o' }),
});

describe('createOpenAIAdapter', () => {
  it('builds clients with SDK retries off and the user options passed through', () => {
    const adapter = createOpenAIAdapter({
      baseURL: 'http://127.0.0.1:9/v1',
      timeout: 1234,
      defaultHeaders: { 'x-app': 'demo' },
      // @ts-expect-error: the key comes from the pool, a key in the options is ignored
      apiKey: 'sk-ignored-0000000000000000',
      maxRetries: 5,
    });
    const client = adapter.createClient(KEY_A);
    expect(client).toBeInstanceOf(OpenAI);
    expect(client.apiKey).toBe(KEY_A);
    expect(client.maxRetries).toBe(0);
    expect(client.timeout).toBe(1234);
    expect(client.baseURL).toBe('http://127.0.0.1:9/v1');
  });

  it('switches its current client with setApiKey, one client per key', () => {
    const adapter = createOpenAIAdapter({ baseURL: emulator.baseURLs.openai });
    expect(() => adapter.client).toThrow(/setApiKey/);
    adapter.setApiKey(KEY_A);
    const first = adapter.client;
    expect(first.apiKey).toBe(KEY_A);
    expect(adapter.client).toBe(first);
    adapter.setApiKey(KEY_B);
    expect(adapter.client).not.toBe(first);
    expect(adapter.client.apiKey).toBe(KEY_B);
  });

  it('reports rate-limit headers of every response, through the user fetch', async () => {
    const seen: string[] = [];
    const adapter = createOpenAIAdapter({
      baseURL: emulator.baseURLs.openai,
      fetch: (input, init) => {
        seen.push(String(input));
        return fetch(input, init);
      },
    });
    const reports: unknown[] = [];
    const client = adapter.createClient(LIMITED, { reportRateLimit: (info) => reports.push(info) });
    await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
    expect(seen).toHaveLength(1);
    expect(reports).toEqual([
      { requests: { limit: 5, remaining: expect.any(Number), resetAt: expect.any(Number) } },
    ]);
  });

  it('maps a unified request to chat-completions parameters and back', async () => {
    const adapter = createOpenAIAdapter({ baseURL: emulator.baseURLs.openai });
    const client = adapter.createClient(KEY_A);
    const context = {
      signal: new AbortController().signal,
      keyId: 'a',
      reportRateLimit: () => undefined,
      reportUsage: () => undefined,
    };
    const answer = await adapter.chat(
      client,
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'one two three four five six' }], maxTokens: 3 },
      context,
    );
    expect(answer.finishReason).toBe('length');
    expect(answer.usage.outputTokens).toBe(3);
    expect(answer.requestId).toMatch(/^req_/);
    const parts: string[] = [];
    const failure = await (async () => {
      for await (const part of adapter.stream(
        client,
        { model: 'gpt-cut', messages: [{ role: 'user', content: 'a stream that is cut early on' }] },
        context,
      ))
        parts.push(part.type);
    })().catch((error: unknown) => error);
    expect(parts.length).toBeGreaterThan(0);
    expect(parts).not.toContain('done');
    expect(adapter.classifyError(failure).category).toBe('network');
  });
});
