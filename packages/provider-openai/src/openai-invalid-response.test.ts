import { ProviderError } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import OpenAI from 'openai';
import { LengthFinishReasonError } from 'openai/core/error';
import { zodResponseFormat } from 'openai/helpers/zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { classifyOpenAIError } from './openai-error';
import { createOpenAIPool } from './openai-pool';

// Answers the SDK receives but cannot use (structured output that does not parse or validate) are `invalid_response`:
// the answer was billed, and sending it again would most likely fail the same way.

let emulator: Emulator;
const A = 'sk-invalid-response-a-000000000000';
const B = 'sk-invalid-response-b-000000000000';
const Weather = z.object({ city: z.string(), celsius: z.number() });
const messages = [{ role: 'user' as const, content: 'weather please' }];
const format = zodResponseFormat(Weather, 'weather');

beforeAll(async () => {
  emulator = await startEmulator({
    keys: { [A]: {}, [B]: {} },
    models: {
      'gpt-malformed': { invalidStructuredOutput: 'malformed_json' },
      'gpt-mismatch': { invalidStructuredOutput: 'schema_mismatch' },
    },
  });
});
afterAll(() => emulator.close());

function sdkFailure(model: string, extra: { max_tokens?: number } = {}): Promise<unknown> {
  const client = new OpenAI({ apiKey: A, baseURL: emulator.baseURLs.openai, maxRetries: 0 });
  return client.chat.completions.parse({ model, messages, response_format: format, ...extra }).then(
    () => {
      throw new Error('expected parse() to fail');
    },
    (error: unknown) => error,
  );
}

describe('classifyOpenAIError: answers the SDK cannot use', () => {
  it('parse() of malformed structured output (SyntaxError) is invalid_response', async () => {
    const error = await sdkFailure('gpt-malformed');
    expect(error).toBeInstanceOf(SyntaxError);
    expect(classifyOpenAIError(error)).toMatchObject({ category: 'invalid_response' });
  });

  it('parse() of output that fails the zod schema (ZodError) is invalid_response', async () => {
    const error = await sdkFailure('gpt-mismatch');
    expect(error).toBeInstanceOf(z.ZodError);
    const classified = classifyOpenAIError(error);
    expect(classified).toMatchObject({ category: 'invalid_response' });
    expect(classified.message).toMatch(/^ZodError/);
  });

  it('a cut answer stays what it is: LengthFinishReasonError is invalid_request', async () => {
    const error = await sdkFailure('gpt-4o', { max_tokens: 2 });
    expect(error).toBeInstanceOf(LengthFinishReasonError);
    expect(classifyOpenAIError(error).category).toBe('invalid_request');
  });

  it('a SyntaxError that is not about an answer (e.g. the caller’s own JSON) stays server', () => {
    expect(classifyOpenAIError(new SyntaxError('Unexpected token < in JSON')).category).toBe('server');
  });
});

describe('pool.client: an answer that does not parse is not sent again', () => {
  it('throws the SDK error (as a raw client does), after one request and with both keys left alone', async () => {
    const pool = createOpenAIPool({
      keys: [
        { id: 'a', secret: A },
        { id: 'b', secret: B },
      ],
      clientOptions: { baseURL: emulator.baseURLs.openai },
    });
    emulator.reset();
    for (const model of ['gpt-malformed', 'gpt-mismatch']) {
      const error = await pool.client.chat.completions
        .parse({ model, messages, response_format: format })
        .catch((caught: unknown) => caught);
      // pool.client throws what the SDK's parse() throws; the SDK parses after the pool served the answer.
      expect(error).toBeInstanceOf(model === 'gpt-malformed' ? SyntaxError : z.ZodError);
      expect(ProviderError.isInstance(error)).toBe(false);
    }
    expect(emulator.requests.map((entry) => [entry.model, entry.status])).toEqual([
      ['gpt-malformed', 200],
      ['gpt-mismatch', 200],
    ]);
    expect(pool.snapshot().map((key) => key.status)).toEqual(['active', 'active']);
  });
});
