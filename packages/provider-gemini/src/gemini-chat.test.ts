import { GoogleGenAI } from '@google/genai';
import type { AttemptContext, ChatRequest, ChatStreamPart } from '@keypool/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureServer, startFixtureServer } from '../test/fixture-server.ts';
import { geminiChat, geminiStream } from './gemini-chat.ts';
import { GeminiContentBlockedError } from './gemini-content-blocked-error.ts';

const KEY = 'AIzaSyCHAT-000000000000000000000000000001';
let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer();
});
afterAll(() => server.close());

const client = () => new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: server.baseUrl } });
const context = (signal = new AbortController().signal): AttemptContext => ({
  signal,
  keyId: 'k',
  reportRateLimit: () => undefined,
  reportUsage: () => undefined,
});
const request = (model: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model,
  messages: [
    { role: 'system', content: 'Be terse.' },
    { role: 'system', content: 'Answer in English.' },
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: 'Hello.' },
    { role: 'user', content: 'What is six times seven?' },
    { role: 'user', content: 'Just the number.' },
  ],
  ...extra,
});

async function collect(stream: AsyncIterable<ChatStreamPart>): Promise<ChatStreamPart[]> {
  const parts: ChatStreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

describe('geminiChat', () => {
  it('sends the unified request in Gemini wire format', async () => {
    const result = await geminiChat(
      client(),
      request('plain', { maxTokens: 64, temperature: 0.2, stop: ['END'] }),
      context(),
    );
    expect(result).toEqual({
      text: 'fixture answer',
      finishReason: 'stop',
      usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 },
      model: 'plain',
      requestId: 'fixture-response',
    });
    const sent = server.seen.at(-1)!;
    expect(sent.path).toBe('/v1/models/plain:generateContent');
    expect(sent.headers['x-goog-api-key']).toBe(KEY);
    expect(sent.body).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'Hi' }] },
        { role: 'model', parts: [{ text: 'Hello.' }] },
        { role: 'user', parts: [{ text: 'What is six times seven?' }, { text: 'Just the number.' }] },
      ],
      systemInstruction: { parts: [{ text: 'Be terse.\n\nAnswer in English.' }] },
      generationConfig: { maxOutputTokens: 64, temperature: 0.2, stopSequences: ['END'] },
    });
  });

  it('leaves thought parts out of the text and counts thinking tokens as output', async () => {
    const result = await geminiChat(client(), request('thinking'), context());
    expect(result.text).toBe('forty-two');
    expect(result.finishReason).toBe('length');
    expect(result.usage).toEqual({ inputTokens: 5, outputTokens: 10, totalTokens: 15 });
    expect(result.model).toBe('thinking-001');
  });

  it('returns a partial answer a filter cut short, with finishReason content_filter', async () => {
    const result = await geminiChat(client(), request('partial-safety'), context());
    expect(result.text).toBe('partial');
    expect(result.finishReason).toBe('content_filter');
  });

  it('throws GeminiContentBlockedError for a blocked prompt and for a withheld answer', async () => {
    const prompt = await geminiChat(client(), request('prompt-blocked'), context()).catch((e: unknown) => e);
    expect(GeminiContentBlockedError.isInstance(prompt)).toBe(true);
    expect(prompt).toMatchObject({ blocked: 'prompt', reason: 'SAFETY' });
    const response = await geminiChat(client(), request('response-blocked'), context()).catch(
      (e: unknown) => e,
    );
    expect(response).toMatchObject({ blocked: 'response', reason: 'SAFETY' });
  });

  it('passes the attempt signal to genai', async () => {
    const controller = new AbortController();
    controller.abort();
    const error = await geminiChat(client(), request('plain'), context(controller.signal)).catch(
      (e: unknown) => e,
    );
    expect((error as Error).name).toBe('AbortError');
  });
});

describe('geminiStream', () => {
  it('yields deltas, then one done with finish reason, usage, model and response id', async () => {
    const parts = await collect(geminiStream(client(), request('plain'), context()));
    expect(parts).toEqual([
      { type: 'delta', text: 'fixture ' },
      { type: 'delta', text: 'answer' },
      {
        type: 'done',
        finishReason: 'stop',
        usage: { inputTokens: 3, outputTokens: 2, totalTokens: 5 },
        model: 'plain',
        requestId: 'fixture-stream',
      },
    ]);
    expect(server.seen.at(-1)!.path).toBe('/v1/models/plain:streamGenerateContent');
    expect(server.seen.at(-1)!.query.get('alt')).toBe('sse');
  });

  it('ends a filtered stream with done content_filter after its text', async () => {
    const parts = await collect(geminiStream(client(), request('partial-safety'), context()));
    expect(parts.at(-1)).toMatchObject({ type: 'done', finishReason: 'content_filter' });
    expect(parts[0]).toEqual({ type: 'delta', text: 'partial' });
  });

  it('throws before any delta for a blocked prompt or a withheld answer', async () => {
    for (const model of ['prompt-blocked', 'response-blocked']) {
      const error = await collect(geminiStream(client(), request(model), context())).catch((e: unknown) => e);
      expect(GeminiContentBlockedError.isInstance(error)).toBe(true);
    }
  });
});
