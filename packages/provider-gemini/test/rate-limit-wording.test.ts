import { extendRateLimitWording } from '@keypool/core';
import { startCannedHttpServer } from '@keypool/emulator';
import { describe, expect, it } from 'vitest';
import { classifyGeminiError, createGeminiAdapter, GEMINI_RATE_LIMIT_WORDING } from '../src/index.ts';
import fixtures from './fixtures/rate-limit-wording.json' with { type: 'json' };

const KEY = 'AIzaWordingTest000000000000000000000001';

/** Sends one request through the real `@google/genai` SDK to a local server answering `body`; returns the error. */
async function errorFor(status: number, body: unknown): Promise<unknown> {
  const server = await startCannedHttpServer({ status, body });
  try {
    const client = createGeminiAdapter({ httpOptions: { baseUrl: server.origin } }).createClient(KEY);
    const error = await client.models.generateContent({ model: 'gemini-2.0-flash', contents: 'hi' }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(server.requests).toBe(1);
    return error;
  } finally {
    await server.close();
  }
}

describe('classifyGeminiError: rate limits by status, then code, then wording', () => {
  it.each(fixtures.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const classified = classifyGeminiError(await errorFor(row.status, row.body));
    expect(classified).toMatchObject(row.expected);
    expect(JSON.stringify(classified)).not.toContain(KEY);
  });

  it('takes an overriding table', async () => {
    const error = await errorFor(400, {
      error: { code: 400, message: 'Slow down, cowboy.', status: 'INVALID_ARGUMENT' },
    });
    expect(classifyGeminiError(error).category).toBe('invalid_request');
    const table = extendRateLimitWording(GEMINI_RATE_LIMIT_WORDING, {
      rules: [{ category: 'rate_limit', wording: /slow down/i }],
    });
    expect(classifyGeminiError(error, Date.now(), table).category).toBe('rate_limit');
  });
});
