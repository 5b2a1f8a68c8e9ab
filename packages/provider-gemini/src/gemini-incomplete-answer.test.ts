import { PoolExhaustedError, ProviderError } from '@keypool/core';
import { type RawAnswerServer, startRawAnswerServer } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGeminiPool } from './gemini-pool.ts';

let server: RawAnswerServer;
beforeAll(async () => {
  server = await startRawAnswerServer({ body: '{}' });
});
afterAll(() => server.close());

/** The category the pool gives a call whose every answer is `body` (with one key, one attempt). */
async function categoryOf(body: string, contentType = 'application/json'): Promise<string | undefined> {
  server.answer = { body, headers: { 'content-type': contentType } };
  const pool = createGeminiPool({
    keys: [{ id: 'g', secret: 'AIzaSyINCOMPLETE-000000000000000000001' }],
    maxAttempts: 1,
    clientOptions: { httpOptions: { baseUrl: server.url } },
  });
  const error = await pool
    .chat({ model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'hi' }] })
    .then(
      (result) => result,
      (caught: unknown) => caught,
    );
  if (ProviderError.isInstance(error)) return error.category;
  if (PoolExhaustedError.isInstance(error)) return error.lastError?.category;
  return `success: ${JSON.stringify(error)}`;
}

describe('a 200 without a real answer is a server failure, never a success', () => {
  it.each([
    ['an empty object', '{}'],
    ['no candidates', '{"candidates":[]}'],
    ['an unrelated object', '{"hello":"world"}'],
    [
      'a candidate without finishReason',
      '{"candidates":[{"content":{"role":"model","parts":[{"text":"part"}]}}]}',
    ],
    ['a STOP without any content', '{"candidates":[{"finishReason":"STOP"}]}'],
  ])('%s', async (_name, body) => {
    expect(await categoryOf(body)).toBe('server');
  });

  it.each([
    ['plain text', 'hello', 'text/plain'],
    ['an empty body', '', 'application/json'],
    ['truncated JSON', '{"candidates":[{"content":{"parts":[{"te', 'application/json'],
  ])('%s is server or network', async (_name, body, type) => {
    expect(['server', 'network']).toContain(await categoryOf(body, type));
  });

  it('a MAX_TOKENS stop with no text is still an answer (the budget went to thinking)', async () => {
    expect(await categoryOf('{"candidates":[{"finishReason":"MAX_TOKENS"}]}')).toMatch(/^success/);
  });
});
