import { ProviderError, UnsupportedFeatureError } from '@keypool/core';
import { runToolConformance } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGeminiPool } from './gemini-pool.ts';
import { toGeminiRequest } from './to-gemini-request.ts';

let emulator: Emulator;
const SECRET = 'AIzaSyTestTools0001xxxxxxxxxxxxxxxxxx';

beforeAll(async () => {
  emulator = await startEmulator({});
  emulator.addKey(SECRET, {});
});
afterAll(() => emulator.close());

const pool = () =>
  createGeminiPool({
    keys: [{ id: 'tools', secret: SECRET }],
    clientOptions: { httpOptions: { baseUrl: emulator.baseURLs.gemini } },
  });

runToolConformance({ name: '@keypool/gemini', model: 'gemini-2.5-flash', pool });

describe('Gemini unified mapping', () => {
  it('maps tools, tool choice, tool turns, JSON output and media to generateContent parameters', () => {
    const params = toGeminiRequest({
      model: 'gemini-2.5-flash',
      seed: 3,
      topP: 0.9,
      tools: [{ name: 'f', parameters: { type: 'object' } }],
      toolChoice: { name: 'f' },
      responseFormat: { type: 'json', schema: { type: 'object' } },
      messages: [
        {
          role: 'user',
          content: [{ type: 'image', url: 'https://example.com/cat.png', mediaType: 'image/png' }],
        },
        { role: 'assistant', content: '', toolCalls: [{ id: 'toolu_1', name: 'f', arguments: '{"a":1}' }] },
        { role: 'tool', toolCallId: 'toolu_1', content: 'plain words' },
      ],
    });
    expect(params).toMatchObject({
      contents: [
        {
          role: 'user',
          parts: [{ fileData: { fileUri: 'https://example.com/cat.png', mimeType: 'image/png' } }],
        },
        { role: 'model', parts: [{ functionCall: { id: 'toolu_1', name: 'f', args: { a: 1 } } }] },
        {
          role: 'user',
          parts: [{ functionResponse: { id: 'toolu_1', name: 'f', response: { output: 'plain words' } } }],
        },
      ],
      config: {
        seed: 3,
        topP: 0.9,
        tools: [{ functionDeclarations: [{ name: 'f', parametersJsonSchema: { type: 'object' } }] }],
        toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['f'] } },
        responseMimeType: 'application/json',
        responseJsonSchema: { type: 'object' },
      },
    });
  });

  it('refuses an image URL without a media type before any request', async () => {
    const before = emulator.requests.length;
    const error = await pool()
      .chat({
        model: 'gemini-2.5-flash',
        messages: [{ role: 'user', content: [{ type: 'image', url: 'https://example.com/cat' }] }],
      })
      .catch((caught: unknown) => caught);
    expect(ProviderError.isInstance(error) && error.category).toBe('invalid_request');
    expect(UnsupportedFeatureError.isInstance((error as Error).cause)).toBe(true);
    expect((error as Error).message).toMatch(/gemini does not support an image URL without a mediaType/);
    expect(emulator.requests.length).toBe(before);
  });
});
