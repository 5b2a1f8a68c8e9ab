import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthenticationError } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicAdapter } from './anthropic-adapter.ts';
import { createAnthropicFetch } from './anthropic-fetch.ts';
import { createAnthropicPool } from './anthropic-pool.ts';

const ECHOED = 'sk-ant-api03-ECHOED-key-0123456789abcdef';
const GOOD = 'sk-ant-api03-GOOD-key-0123456789abcdefgh';

/**
 * A tiny Anthropic-shaped server for what the emulator does not do: a 401 that echoes the key it got (as some
 * providers do), and `POST /v1/messages/count_tokens`.
 */
let server: Server;
let baseURL: string;
const seenKeys: { path: string; key: string }[] = [];
beforeAll(async () => {
  server = createServer((request, response) => {
    const key = (request.headers.authorization ?? '').replace(/^Bearer /, '');
    seenKeys.push({ path: request.url ?? '', key });
    request.resume();
    request.on('end', () => {
      if (key !== GOOD) {
        response.writeHead(401, {
          'content-type': 'application/json',
          'request-id': 'req_echo',
          'x-echo-key': key,
        });
        response.end(
          JSON.stringify({
            type: 'error',
            error: { type: 'authentication_error', message: `invalid x-api-key: ${key}` },
            request_id: 'req_echo',
          }),
        );
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_count' });
      response.end(JSON.stringify({ input_tokens: 42 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('createAnthropicFetch', () => {
  it('scrubs the key out of an error answer before the SDK builds its error', async () => {
    const client = createAnthropicAdapter({ baseURL }).createClient(ECHOED);
    const error = await client.messages
      .create({ model: 'm', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
    const apiError = error as AuthenticationError;
    expect(apiError.apiMessage).toContain('invalid x-api-key: sk-a...cdef');
    const shown = `${apiError.message} ${JSON.stringify(apiError.error)} ${JSON.stringify([...apiError.headers])}`;
    expect(shown).not.toContain(ECHOED);
    expect(apiError.requestID).toBe('req_echo');
  });

  it('passes a success answer through untouched and reports nothing without rate-limit headers', async () => {
    const reports: unknown[] = [];
    const fetch = createAnthropicFetch({ secret: GOOD, reportRateLimit: (info) => reports.push(info) });
    const response = await fetch(`${baseURL}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${GOOD}` },
      body: '{}',
    });
    expect(await response.json()).toEqual({ input_tokens: 42 });
    expect(reports).toEqual([]);
  });
});

describe('createAnthropicPool: countTokens', () => {
  it('routes messages.countTokens through the pool, rotating past a refused key', async () => {
    const pool = createAnthropicPool({
      keys: [
        { id: 'echoed', secret: ECHOED },
        { id: 'good', secret: GOOD },
      ],
      strategy: 'round-robin',
      clientOptions: { baseURL },
    });
    seenKeys.length = 0;
    const counted = await pool.client.messages.countTokens({
      model: 'm',
      messages: [{ role: 'user', content: 'count me' }],
    });
    expect(counted.input_tokens).toBe(42);
    expect(seenKeys.map((entry) => entry.key)).toEqual([ECHOED, GOOD]);
    expect(seenKeys.map((entry) => entry.path)).toEqual([
      '/v1/messages/count_tokens',
      '/v1/messages/count_tokens',
    ]);
    expect(pool.snapshot().find((key) => key.id === 'echoed')?.status).toBe('disabled');

    await pool.close();
  });
});
