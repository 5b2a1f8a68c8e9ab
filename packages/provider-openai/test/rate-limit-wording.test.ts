import { extendRateLimitWording } from '@keypool/core';
import { startCannedHttpServer } from '@keypool/emulator';
import { describe, expect, it } from 'vitest';
import { classifyOpenAIError, createOpenAIAdapter, OPENAI_RATE_LIMIT_WORDING } from '../src/index';
import fixtures from './fixtures/rate-limit-wording.json' with { type: 'json' };

const KEY = 'sk-wording-test-0000000000000000000000';

/** Sends one chat request through the real `openai` SDK to a local server answering `body` and returns the error. */
async function errorFor(status: number, body: unknown): Promise<unknown> {
  const server = await startCannedHttpServer({ status, body });
  try {
    const client = createOpenAIAdapter({ baseURL: `${server.origin}/v1` }).createClient(KEY);
    const error = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
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

describe('classifyOpenAIError: rate limits by status, then code, then wording', () => {
  it.each(fixtures.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const classified = classifyOpenAIError(await errorFor(row.status, row.body));
    expect(classified).toMatchObject(row.expected);
    expect(JSON.stringify(classified)).not.toContain(KEY);
  });

  it('takes an overriding table', async () => {
    const error = await errorFor(400, {
      error: { message: 'Slow down, cowboy.', type: 'invalid_request_error' },
    });
    expect(classifyOpenAIError(error).category).toBe('invalid_request');
    const table = extendRateLimitWording(OPENAI_RATE_LIMIT_WORDING, {
      rules: [{ category: 'rate_limit', wording: /slow down/i }],
    });
    expect(classifyOpenAIError(error, Date.now(), table).category).toBe('rate_limit');
    const noStatuses = extendRateLimitWording(OPENAI_RATE_LIMIT_WORDING, { statuses: [] });
    const proxy = await errorFor(503, { error: { message: 'Too many requests', type: 'server_error' } });
    expect(classifyOpenAIError(proxy, Date.now(), noStatuses).category).toBe('overloaded');
  });
});
