import { inspect } from 'node:util';
import { startRawAnswerServer } from '@keypool/emulator';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { createOpenAIPool } from './openai-pool';
import { createReportingFetch } from './reporting-fetch';

const CANARY = 'sk-cnry-Q7x2V9bN4kLm8PzR3tYw';

function expectNoPiece(text: string): void {
  for (let index = 0; index + 8 <= CANARY.length; index++)
    expect(text).not.toContain(CANARY.slice(index, index + 8));
}

/** Answers 401 with the key it received echoed in two headers. */
function echoingServer() {
  return startRawAnswerServer((request) => ({
    status: 401,
    headers: {
      'content-type': 'application/json',
      'x-echo-authorization': String(request.headers.authorization),
      'x-echo-key': String(request.headers.authorization).replace('Bearer ', ''),
    },
    body: JSON.stringify({
      error: { message: 'bad key', type: 'invalid_request_error', code: 'invalid_api_key' },
    }),
  }));
}

describe('an upstream that echoes the key in a header', () => {
  it("is scrubbed from the SDK's own error by the reporting fetch", async () => {
    const server = await echoingServer();
    try {
      const client = new OpenAI({
        apiKey: CANARY,
        baseURL: `${server.url}/v1`,
        maxRetries: 0,
        fetch: createReportingFetch(undefined, CANARY, undefined),
      });
      const error = await client.chat.completions
        .create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      expect((error as InstanceType<typeof OpenAI.AuthenticationError>).headers.get('x-echo-key')).toBe(
        `sk-c...${CANARY.slice(-4)}`,
      );
      expectNoPiece(inspect(error, { depth: 30, showHidden: true }));
    } finally {
      await server.close();
    }
  });

  it('leaves no piece of the key on the error, its cause or the SDK error headers', async () => {
    const server = await echoingServer();
    try {
      const pool = createOpenAIPool({
        keys: [{ id: 'c', secret: CANARY }],
        maxAttempts: 1,
        clientOptions: { baseURL: `${server.url}/v1` },
      });
      const error = await pool
        .chat({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })
        .catch((caught: unknown) => caught);
      const shown = inspect(error, { depth: 30, showHidden: true });
      expect(shown).toContain('x-echo-key');
      expectNoPiece(shown);
    } finally {
      await server.close();
    }
  });
});
