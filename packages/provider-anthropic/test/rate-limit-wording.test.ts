import { extendRateLimitWording } from '@keypool/core';
import { startCannedHttpServer } from '@keypool/emulator';
import { describe, expect, it } from 'vitest';
import {
  ANTHROPIC_RATE_LIMIT_WORDING,
  classifyAnthropicError,
  createAnthropicAdapter,
} from '../src/index.ts';
import fixtures from './fixtures/rate-limit-wording.json' with { type: 'json' };

const KEY = 'sk-ant-api03-wording-test-00000000000000000000';

/** Sends one message through the real Anthropic SDK to a local server answering `body` and returns the error. */
async function errorFor(status: number, body: unknown): Promise<unknown> {
  const server = await startCannedHttpServer({ status, body });
  try {
    const client = createAnthropicAdapter({ baseURL: server.origin }).createClient(KEY);
    const error = await client.messages
      .create({
        model: 'claude-3-5-haiku-latest',
        max_tokens: 8,
        messages: [{ role: 'user', content: 'hi' }],
      })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(server.requests).toBe(1);
    return error;
  } finally {
    await server.close();
  }
}

describe('classifyAnthropicError: rate limits by status, then code, then wording', () => {
  it.each(fixtures.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const classified = classifyAnthropicError(await errorFor(row.status, row.body));
    expect(classified).toMatchObject(row.expected);
    expect(JSON.stringify(classified)).not.toContain(KEY);
  });

  it('takes an overriding table', async () => {
    const error = await errorFor(400, {
      type: 'error',
      error: { type: 'invalid_request_error', message: 'Slow down, cowboy.' },
    });
    expect(classifyAnthropicError(error).category).toBe('invalid_request');
    const table = extendRateLimitWording(ANTHROPIC_RATE_LIMIT_WORDING, {
      rules: [{ category: 'rate_limit', wording: /slow down/i }],
    });
    expect(classifyAnthropicError(error, table).category).toBe('rate_limit');
  });
});
