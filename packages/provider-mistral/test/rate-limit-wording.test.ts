import { extendRateLimitWording } from '@keypool/core';
import { startCannedHttpServer } from '@keypool/emulator';
import { describe, expect, it } from 'vitest';
import { classifyMistralError, createMistralAdapter, MISTRAL_RATE_LIMIT_WORDING } from '../src/index';
import fixtures from './fixtures/rate-limit-wording.json' with { type: 'json' };

const KEY = 'mistral-wording-test-000000000000001';

/** Sends one chat through the real `@mistralai/mistralai` SDK to a local server answering `body`; returns the error. */
async function errorFor(status: number, body: unknown): Promise<unknown> {
  const server = await startCannedHttpServer({ status, body });
  try {
    const client = createMistralAdapter({ serverURL: server.origin }).createClient(KEY);
    const error = await client.chat
      .complete({ model: 'mistral-small-latest', messages: [{ role: 'user', content: 'hi' }] })
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

describe('classifyMistralError: rate limits by status, then code, then wording', () => {
  it.each(fixtures.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const classified = classifyMistralError(await errorFor(row.status, row.body));
    expect(classified).toMatchObject(row.expected);
    expect(JSON.stringify(classified)).not.toContain(KEY);
  });

  it('takes an overriding table', async () => {
    const error = await errorFor(400, {
      object: 'error',
      message: 'Slow down, cowboy.',
      type: 'invalid_request_error',
    });
    expect(classifyMistralError(error).category).toBe('invalid_request');
    const table = extendRateLimitWording(MISTRAL_RATE_LIMIT_WORDING, {
      rules: [{ category: 'rate_limit', wording: /slow down/i }],
    });
    expect(classifyMistralError(error, table).category).toBe('rate_limit');
  });
});
