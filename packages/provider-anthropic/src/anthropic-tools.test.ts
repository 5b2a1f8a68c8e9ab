import { ProviderError, UnsupportedFeatureError } from '@keypool/core';
import { runToolConformance } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAnthropicMessageParams } from './anthropic-chat-request.ts';
import { createAnthropicPool } from './anthropic-pool.ts';

let emulator: Emulator;
const SECRET = 'sk-ant-test-tools-0001-xxxxxxxxxxxx';

beforeAll(async () => {
  emulator = await startEmulator({});
  emulator.addKey(SECRET, {});
});
afterAll(() => emulator.close());

const pool = () =>
  createAnthropicPool({
    keys: [{ id: 'tools', secret: SECRET }],
    clientOptions: { baseURL: emulator.baseURLs.anthropic },
  });

runToolConformance({
  name: '@keypool/anthropic',
  model: 'claude-sonnet-4-5',
  pool,
  foreignToolCallId: 'call_Xy12.ab:9',
});

describe('Anthropic unified mapping', () => {
  it('maps tools, tool choice, tool turns, JSON output and media to Messages parameters', () => {
    const params = toAnthropicMessageParams({
      model: 'claude-sonnet-4-5',
      parallelToolCalls: false,
      tools: [{ name: 'f', description: 'F', parameters: { type: 'object' } }],
      toolChoice: { name: 'f' },
      responseFormat: { type: 'json' },
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: [{ type: 'image', url: 'https://example.com/cat.png' }] },
        {
          role: 'assistant',
          content: 'checking',
          toolCalls: [{ id: 'call.1', name: 'f', arguments: '{"a":1}' }],
        },
        { role: 'tool', toolCallId: 'call.1', content: 'ok', isError: true },
        { role: 'user', content: 'and now?' },
      ],
    });
    expect(params).toMatchObject({
      system: 'be brief',
      tools: [{ name: 'f', description: 'F', input_schema: { type: 'object' } }],
      tool_choice: { type: 'tool', name: 'f', disable_parallel_tool_use: true },
      output_config: { format: { type: 'json_schema', schema: { type: 'object' } } },
      messages: [
        {
          role: 'user',
          content: [{ type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } }],
        },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'checking' },
            { type: 'tool_use', id: 'call_1', name: 'f', input: { a: 1 } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_1', content: 'ok', is_error: true },
            { type: 'text', text: 'and now?' },
          ],
        },
      ],
    });
  });

  it('refuses a seed before any request, without trying another key', async () => {
    const before = emulator.requests.length;
    const error = await pool()
      .chat({ model: 'claude-sonnet-4-5', seed: 1, messages: [{ role: 'user', content: 'hi' }] })
      .catch((caught: unknown) => caught);
    expect(ProviderError.isInstance(error) && error.category).toBe('invalid_request');
    expect((error as Error).message).toMatch(/anthropic does not support a seed/);
    expect(UnsupportedFeatureError.isInstance((error as Error).cause)).toBe(true);
    expect(emulator.requests.length).toBe(before);
  });

  it('sends a PDF as a document block', async () => {
    const answer = await pool().chat({
      model: 'claude-sonnet-4-5',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Summarise' },
            { type: 'document', data: 'JVBERi0=', mediaType: 'application/pdf' },
          ],
        },
      ],
    });
    expect(answer.text).toBe('Echo: Summarise [1 document]');
  });
});
