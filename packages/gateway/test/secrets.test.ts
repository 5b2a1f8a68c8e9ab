import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayRequestEvent } from '../src/gateway-events';
import { type StubUpstream, startStubUpstream } from './stub-upstream';
import { startTestGateway, type TestGateway } from './test-gateway';

const SECRET = 'sk-upstream-secret-0123456789-abcdefghij';
let running: TestGateway | undefined;
let upstream: StubUpstream | undefined;
afterEach(async () => {
  await running?.close();
  await upstream?.close();
  running = undefined;
  upstream = undefined;
});

/** A careless upstream that quotes the key it was given in every error it sends. */
function echoingUpstream() {
  return startStubUpstream((request, response, body) => {
    const key =
      (request.headers.authorization ?? '').replace('Bearer ', '') || String(request.headers['x-api-key']);
    const { model } = JSON.parse(body) as { model: string };
    const status = model === 'bad-request' ? 400 : 401;
    const message = `Incorrect API key provided: ${key}. Find your key at https://example.test/?key=${key}`;
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({
        error: { message, type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
      }),
    );
  });
}

describe('upstream secrets', () => {
  it('never reach a client answer, a header or an event, even when the upstream quotes them', async () => {
    upstream = await echoingUpstream();
    running = await startTestGateway({
      keys: { openai: [SECRET] },
      gateway: { upstreams: { openai: upstream.baseURL } },
    });
    const events: GatewayRequestEvent[] = [];
    running.gateway.on('request', (event) => events.push(event));
    const openai = new OpenAI({ baseURL: running.openaiURL, apiKey: 'x', maxRetries: 0 });
    const seen: string[] = [];
    for (const model of ['bad-request', 'gpt-4o-mini', 'gpt-4o-mini']) {
      try {
        await openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] });
      } catch (error) {
        const apiError = error as InstanceType<typeof OpenAI.APIError>;
        seen.push(
          `${apiError.status} ${apiError.message} ${JSON.stringify(apiError.error)} ${JSON.stringify([...(apiError.headers ?? new Headers())])}`,
        );
      }
    }
    const anthropic = new Anthropic({ baseURL: running.gateway.url, apiKey: 'x', maxRetries: 0 });
    await anthropic.messages
      .create({ model: 'openai/gpt-4o-mini', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: Error) => seen.push(`${error.message}`));
    expect(seen).toHaveLength(4);
    expect(seen[0]).toMatch(/^400 /);
    expect(seen[0]).toContain('Incorrect API key provided');
    expect(upstream.requests.length).toBeGreaterThanOrEqual(2);
    for (const text of [...seen, JSON.stringify(events)]) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(SECRET.slice(8, 30));
    }
  });
});
