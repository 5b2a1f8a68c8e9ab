import { PoolExhaustedError, ProviderError } from '@keypool/core';
import { type RawAnswerServer, startRawAnswerServer } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMistralPool } from './mistral-pool';

let server: RawAnswerServer;
beforeAll(async () => {
  server = await startRawAnswerServer({ body: '{}' });
});
afterAll(() => server.close());

/** The category the pool gives a call whose every answer is `body` (with one key, one attempt). */
async function categoryOf(body: string, contentType = 'application/json'): Promise<string | undefined> {
  server.answer = { body, headers: { 'content-type': contentType } };
  const pool = createMistralPool({
    keys: [{ id: 'm', secret: 'IncompleteKey0000000000000000001' }],
    maxAttempts: 1,
    clientOptions: { serverURL: server.url },
  });
  const error = await pool
    .chat({ model: 'mistral-small-latest', messages: [{ role: 'user', content: 'hi' }] })
    .then(
      (result) => result,
      (caught: unknown) => caught,
    );
  if (ProviderError.isInstance(error)) return error.category;
  if (PoolExhaustedError.isInstance(error)) return error.lastError?.category;
  return `success: ${JSON.stringify(error)}`;
}

const CHOICELESS =
  '{"id":"x","object":"chat.completion","model":"m","created":1,"usage":{"prompt_tokens":1,"completion_tokens":0,"total_tokens":1}';

describe('a 200 without a real answer is a server failure, never a success', () => {
  it.each([
    ['an empty object', '{}'],
    ['no choices', `${CHOICELESS},"choices":[]}`],
  ])('%s', async (_name, body) => {
    expect(await categoryOf(body)).toBe('server');
  });

  it.each([
    ['plain text', 'hello', 'text/plain'],
    ['an empty body', '', 'application/json'],
    ['truncated JSON', '{"id":"x","choices":[{"ind', 'application/json'],
    ['a truncated SSE stream', 'data: {"id":"x","choi', 'text/event-stream'],
    ['HTML', '<html><body>hello</body></html>', 'text/html'],
  ])('%s is server or network, not invalid_request', async (_name, body, type) => {
    expect(['server', 'network']).toContain(await categoryOf(body, type));
  });
});
