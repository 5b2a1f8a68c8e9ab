import { ProviderError, UnsupportedFeatureError } from '@keypool/core';
import { runToolConformance } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toMistralChatRequest } from './mistral-chat';
import { createMistralPool } from './mistral-pool';
import { toMistralToolCallId } from './mistral-tool-call-id';

let emulator: Emulator;
const SECRET = 'mistral-test-tools-0001-xxxxxxxxxxxx';

beforeAll(async () => {
  emulator = await startEmulator({});
  emulator.addKey(SECRET, {});
});
afterAll(() => emulator.close());

const pool = () =>
  createMistralPool({
    keys: [{ id: 'tools', secret: SECRET }],
    clientOptions: { serverURL: emulator.baseURLs.mistral },
  });

runToolConformance({ name: '@keypool/mistral', model: 'mistral-large-latest', pool });

describe('Mistral unified mapping', () => {
  it('translates foreign tool-call ids to nine stable characters and keeps its own', () => {
    const translated = toMistralToolCallId('toolu_01A09q90qw90lq917835lq9');
    expect(translated).toMatch(/^[a-zA-Z0-9]{9}$/);
    expect(toMistralToolCallId('toolu_01A09q90qw90lq917835lq9')).toBe(translated);
    expect(toMistralToolCallId('call_other')).not.toBe(translated);
    expect(toMistralToolCallId('D681PevKs')).toBe('D681PevKs');
  });

  it('maps tools, tool choice, tool turns, JSON output, sampling and media', () => {
    const body = toMistralChatRequest({
      model: 'mistral-large-latest',
      seed: 5,
      topP: 0.8,
      parallelToolCalls: false,
      tools: [{ name: 'f', parameters: { type: 'object' } }],
      toolChoice: 'required',
      responseFormat: { type: 'json', schema: { type: 'object' }, name: 'out' },
      messages: [
        {
          role: 'user',
          content: [{ type: 'document', url: 'https://example.com/a.pdf', mediaType: 'application/pdf' }],
        },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'f', arguments: '{}' }] },
        { role: 'tool', toolCallId: 'call_1', toolName: 'f', content: 'ok' },
      ],
    });
    const id = toMistralToolCallId('call_1');
    expect(body).toMatchObject({
      randomSeed: 5,
      topP: 0.8,
      parallelToolCalls: false,
      toolChoice: 'any',
      responseFormat: {
        type: 'json_schema',
        jsonSchema: { name: 'out', schemaDefinition: { type: 'object' } },
      },
      messages: [
        { role: 'user', content: [{ type: 'document_url', documentUrl: 'https://example.com/a.pdf' }] },
        { role: 'assistant', toolCalls: [{ id, function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', toolCallId: id, name: 'f', content: 'ok' },
      ],
    });
  });

  it('refuses a document as bytes before any request', async () => {
    const before = emulator.requests.length;
    const error = await pool()
      .chat({
        model: 'mistral-large-latest',
        messages: [
          { role: 'user', content: [{ type: 'document', data: 'JVBERi0=', mediaType: 'application/pdf' }] },
        ],
      })
      .catch((caught: unknown) => caught);
    expect(ProviderError.isInstance(error) && error.category).toBe('invalid_request');
    expect(UnsupportedFeatureError.isInstance((error as Error).cause)).toBe(true);
    expect(emulator.requests.length).toBe(before);
  });
});
