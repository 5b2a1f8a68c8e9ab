import { PoolExhaustedError, ProviderError } from '@keypool/core';
import { type RawAnswerServer, startRawAnswerServer } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIPool } from './openai-pool';

let server: RawAnswerServer;
beforeAll(async () => {
  server = await startRawAnswerServer({ body: '{}' });
});
afterAll(() => server.close());

/** The category the pool gives a call whose every answer is `body` (with one key, one attempt). */
async function categoryOf(body: string, contentType = 'application/json'): Promise<string | undefined> {
  server.answer = { body, headers: { 'content-type': contentType } };
  const pool = createOpenAIPool({
    keys: [{ id: 'o', secret: 'sk-incomplete-000000000000000000001' }],
    maxAttempts: 1,
    clientOptions: { baseURL: `${server.url}/v1` },
  });
  const error = await pool.chat({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).then(
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
    ['no choices', '{"choices":[]}'],
    [
      'a choice without finish_reason',
      '{"choices":[{"index":0,"message":{"role":"assistant","content":"part"},"finish_reason":null}]}',
    ],
    ['a choice without a message', '{"choices":[{"index":0,"finish_reason":"stop"}]}'],
  ])('%s', async (_name, body) => {
    expect(await categoryOf(body)).toBe('server');
  });

  it.each([
    ['plain text', 'hello', 'text/plain'],
    ['an empty body', '', 'application/json'],
    ['truncated JSON', '{"choices":[{"ind', 'application/json'],
  ])('%s is server or network', async (_name, body, type) => {
    expect(['server', 'network']).toContain(await categoryOf(body, type));
  });
});
