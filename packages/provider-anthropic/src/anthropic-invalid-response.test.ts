import Anthropic from '@anthropic-ai/sdk';
import { jsonSchemaOutputFormat } from '@anthropic-ai/sdk/helpers/json-schema';
import { ProviderError } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAnthropicError } from './anthropic-error';
import { createAnthropicPool } from './anthropic-pool';

// Structured output that `messages.parse()` cannot parse is `invalid_response`: the answer was billed, and sending the
// same request again would most likely fail the same way.

let emulator: Emulator;
const A = 'sk-ant-invalid-response-a-0000000000';
const B = 'sk-ant-invalid-response-b-0000000000';
const MODEL = 'claude-sonnet-4-6';
const messages = [{ role: 'user' as const, content: 'weather please' }];
const format = jsonSchemaOutputFormat({
  type: 'object',
  properties: { city: { type: 'string' } },
  required: ['city'],
  additionalProperties: false,
} as const);

beforeAll(async () => {
  emulator = await startEmulator({
    keys: { [A]: {}, [B]: {} },
    models: { 'claude-malformed': { invalidStructuredOutput: 'malformed_json' } },
  });
});
afterAll(() => emulator.close());

const client = () => new Anthropic({ apiKey: A, baseURL: emulator.baseURLs.anthropic, maxRetries: 0 });

describe('classifyAnthropicError: answers the SDK cannot use', () => {
  it('parses fitting structured output from a healthy model', async () => {
    const message = await client().messages.parse({
      model: MODEL,
      max_tokens: 256,
      messages,
      output_config: { format },
    });
    expect(message.parsed_output).toEqual({ city: 'Echo: weather please' });
  });

  it('"Failed to parse structured output" is invalid_response', async () => {
    const error = await client()
      .messages.parse({ model: 'claude-malformed', max_tokens: 256, messages, output_config: { format } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.AnthropicError);
    expect(classifyAnthropicError(error)).toMatchObject({ category: 'invalid_response' });
  });

  it('other SDK-side errors stay invalid_request', () => {
    expect(classifyAnthropicError(new Anthropic.AnthropicError('missing max_tokens')).category).toBe(
      'invalid_request',
    );
  });
});

describe('pool.client: an answer that does not parse is not sent again', () => {
  it('throws the SDK error (as a raw client does) after one request', async () => {
    const pool = createAnthropicPool({
      keys: [
        { id: 'a', secret: A },
        { id: 'b', secret: B },
      ],
      clientOptions: { baseURL: emulator.baseURLs.anthropic },
    });
    emulator.reset();
    const error = await pool.client.messages
      .parse({ model: 'claude-malformed', max_tokens: 256, messages, output_config: { format } })
      .catch((caught: unknown) => caught);
    // pool.client throws what the SDK's parse() throws; the SDK parses after the pool served the answer.
    expect(error).toBeInstanceOf(Anthropic.AnthropicError);
    expect(ProviderError.isInstance(error)).toBe(false);
    expect(emulator.requests.map((entry) => entry.status)).toEqual([200]);
  });
});
