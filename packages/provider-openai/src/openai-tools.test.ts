import { ProviderError, UnsupportedFeatureError } from '@keypool/core';
import { runToolConformance } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIPool } from './openai-pool';
import { toOpenAIChatParams } from './to-openai-chat-params';

let emulator: Emulator;
const SECRET = 'sk-test-tools-0001-xxxxxxxxxxxx';

beforeAll(async () => {
  emulator = await startEmulator({});
  emulator.addKey(SECRET, {});
});
afterAll(() => emulator.close());

const pool = () =>
  createOpenAIPool({
    keys: [{ id: 'tools', secret: SECRET }],
    clientOptions: { baseURL: emulator.baseURLs.openai },
  });

runToolConformance({ name: '@keypool/openai', model: 'gpt-4o', pool });

describe('OpenAI unified mapping', () => {
  it('maps tools, tool choice, JSON Schema output, sampling and media to chat-completions parameters', () => {
    const params = toOpenAIChatParams({
      model: 'gpt-4o',
      topP: 0.5,
      seed: 7,
      parallelToolCalls: false,
      tools: [{ name: 'f', parameters: { type: 'object' }, strict: true }],
      toolChoice: 'required',
      responseFormat: { type: 'json', schema: { type: 'object' }, name: 'out' },
      messages: [
        { role: 'user', content: [{ type: 'image', url: 'https://example.com/cat.png' }] },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'f', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'call_1', content: 'ok' },
      ],
    });
    expect(params).toMatchObject({
      top_p: 0.5,
      seed: 7,
      parallel_tool_calls: false,
      tool_choice: 'required',
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' }, strict: true } }],
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' } } },
      messages: [
        { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function' }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
      ],
    });
  });

  it('refuses a document by URL before any request, without trying another key', async () => {
    const target = pool();
    const before = emulator.requests.length;
    const error = await target
      .chat({
        model: 'gpt-4o',
        messages: [
          {
            role: 'user',
            content: [{ type: 'document', url: 'https://example.com/a.pdf', mediaType: 'application/pdf' }],
          },
        ],
      })
      .catch((caught: unknown) => caught);
    expect(ProviderError.isInstance(error) && error.category).toBe('invalid_request');
    expect((error as Error).message).toMatch(/openai does not support a document by URL/);
    expect(UnsupportedFeatureError.isInstance((error as Error).cause)).toBe(true);
    expect(emulator.requests.length).toBe(before);
  });

  it('sends a PDF as a file part', async () => {
    const answer = await pool().chat({
      model: 'gpt-4o',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Summarise' },
            {
              type: 'document',
              data: new Uint8Array([37, 80, 68, 70]),
              mediaType: 'application/pdf',
              name: 'a.pdf',
            },
          ],
        },
      ],
    });
    expect(answer.text).toBe('Echo: Summarise [1 document]');
  });
});
