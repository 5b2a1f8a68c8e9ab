import { PoolExhaustedError, ProviderError } from '@keypool/core';
import { type RawAnswerServer, startRawAnswerServer } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicPool } from './anthropic-pool.ts';

let server: RawAnswerServer;
beforeAll(async () => {
  server = await startRawAnswerServer({ body: '{}' });
});
afterAll(() => server.close());

/** The category the pool gives a call whose every answer is `body` (with one key, one attempt). */
async function categoryOf(body: string, contentType = 'application/json'): Promise<string | undefined> {
  server.answer = { body, headers: { 'content-type': contentType } };
  const pool = createAnthropicPool({
    keys: [{ id: 'a', secret: 'sk-ant-incomplete-000000000000000001' }],
    maxAttempts: 1,
    clientOptions: { baseURL: server.url },
  });
  const error = await pool
    .chat({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }], maxTokens: 10 })
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
    ['no content', '{"type":"message","role":"assistant","content":[],"stop_reason":"end_turn"}'],
    [
      'content without stop_reason',
      '{"type":"message","role":"assistant","content":[{"type":"text","text":"part"}],"stop_reason":null}',
    ],
  ])('%s', async (_name, body) => {
    expect(await categoryOf(body)).toBe('server');
  });

  it.each([
    ['plain text', 'hello', 'text/plain'],
    ['an empty body', '', 'application/json'],
    ['truncated JSON', '{"type":"message","cont', 'application/json'],
  ])('%s is server or network', async (_name, body, type) => {
    expect(['server', 'network']).toContain(await categoryOf(body, type));
  });
});
