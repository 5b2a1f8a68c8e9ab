import { startEmulator } from '@keypool/emulator';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { parseGatewayConfig } from '../src/gateway-config';
import { createGatewayPools } from '../src/gateway-pools';
import { startGateway } from '../src/gateway-server';
import { hashVirtualKey } from '../src/virtual-keys';
import { type StubUpstream, startStubUpstream } from './stub-upstream';
import { startTestGateway, type TestGateway } from './test-gateway';

let running: TestGateway | undefined;
let upstream: StubUpstream | undefined;
afterEach(async () => {
  await running?.close();
  await upstream?.close();
  running = undefined;
  upstream = undefined;
});

/** An OpenAI-like upstream for /embeddings and /responses (the emulator serves only chat). */
function openAILike() {
  return startStubUpstream((request, response, body) => {
    const parsed = JSON.parse(body) as { model: string; input: unknown };
    const answer =
      request.url === '/v1/embeddings'
        ? {
            object: 'list',
            data: [{ object: 'embedding', index: 0, embedding: [0.25, -0.5] }],
            model: parsed.model,
            usage: { prompt_tokens: 2, total_tokens: 2 },
          }
        : {
            id: 'resp_1',
            object: 'response',
            created_at: 1,
            model: parsed.model,
            status: 'completed',
            output: [
              {
                type: 'message',
                id: 'msg_1',
                role: 'assistant',
                status: 'completed',
                content: [{ type: 'output_text', text: `echo ${String(parsed.input)}`, annotations: [] }],
              },
            ],
            usage: { input_tokens: 2, output_tokens: 2, total_tokens: 4 },
          };
    response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_upstream_1' });
    response.end(JSON.stringify(answer));
  });
}

describe('the other OpenAI endpoints', () => {
  it('passes embeddings and responses through byte for byte, on the pool key, with a mapped model name', async () => {
    upstream = await openAILike();
    running = await startTestGateway({
      keys: { openai: ['sk-oa-0001'] },
      gateway: {
        upstreams: { openai: upstream.baseURL },
        models: { 'embed-small': 'openai/text-embedding-3-small' },
      },
    });
    const openai = new OpenAI({ baseURL: running.openaiURL, apiKey: 'x', maxRetries: 0 });
    const embedding = await openai.embeddings.create({
      model: 'embed-small',
      input: 'hello',
      encoding_format: 'float',
    });
    expect(embedding.data[0]?.embedding).toEqual([0.25, -0.5]);
    const { data, response } = await openai.responses
      .create({ model: 'gpt-4o-mini', input: 'there' })
      .withResponse();
    expect(data.output_text).toBe('echo there');
    expect(response.headers.get('x-request-id')).toBe('req_upstream_1');
    expect(upstream.requests.map((request) => [request.path, request.authorization])).toEqual([
      ['/v1/embeddings', 'Bearer sk-oa-0001'],
      ['/v1/responses', 'Bearer sk-oa-0001'],
    ]);
    expect(JSON.parse(upstream.requests[0]!.body)).toMatchObject({ model: 'text-embedding-3-small' });
    // The client's own bytes went up unchanged when the model needs no mapping.
    expect(upstream.requests[1]!.body).toBe(JSON.stringify({ model: 'gpt-4o-mini', input: 'there' }));
  });

  it('lists the configured models and chains on /v1/models', async () => {
    running = await startTestGateway({
      keys: { openai: ['sk-oa-0001'] },
      chains: { default: [{ provider: 'openai', model: 'gpt-4o' }] },
      gateway: { models: { fast: 'openai/gpt-4o-mini' } },
    });
    const openai = new OpenAI({ baseURL: running.openaiURL, apiKey: 'x', maxRetries: 0 });
    const models = await openai.models.list();
    expect(models.data).toEqual([
      { id: 'fast', object: 'model', created: 0, owned_by: 'openai' },
      { id: 'chain:default', object: 'model', created: 0, owned_by: 'keypool' },
    ]);
  });
});

describe('health and shutdown', () => {
  it('answers /healthz and /readyz, and drains a stream in flight before closing', async () => {
    running = await startTestGateway({
      emulator: { acceptAnyKey: true, models: { 'gpt-stall': { streamStallAfterChunks: 1, stallMs: 400 } } },
      keys: { openai: ['sk-oa-0001'] },
    });
    const { gateway } = running;
    expect(await (await fetch(`${gateway.url}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
    const openai = new OpenAI({ baseURL: running.openaiURL, apiKey: 'x', maxRetries: 0 });
    const stream = await openai.chat.completions.create({
      model: 'gpt-stall',
      messages: [{ role: 'user', content: 'one two three four' }],
      stream: true,
    });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const closed = gateway.close();
    let text = '';
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      text += next.value.choices[0]?.delta.content ?? '';
    }
    await closed;
    expect(text).toContain('two three four');
    await expect(fetch(`${gateway.url}/healthz`)).rejects.toThrow();
  });
});

describe('a mounted Web handler', () => {
  it('serves the paths the gateway does not (metrics, an event stream) behind the virtual keys', async () => {
    const emulator = await startEmulator({ acceptAnyKey: true });
    const pools = await createGatewayPools({
      keys: { openai: [{ id: 'openai-1', secret: 'sk-oa-0001' }] },
      upstreams: emulator.baseURLs,
    });
    const config = parseGatewayConfig({
      port: 0,
      virtualKeys: [{ id: 'ops', hash: hashVirtualKey('kp-ops') }],
    });
    const gateway = await startGateway({
      config,
      pools,
      mount: (request) => {
        const { pathname } = new URL(request.url);
        if (pathname === '/metrics')
          return new Response('keypool_calls_total 3\n', { headers: { 'content-type': 'text/plain' } });
        if (pathname === '/events') {
          const body = new ReadableStream({
            start(controller) {
              controller.enqueue(new TextEncoder().encode('data: {"type":"hello"}\n\n'));
            },
          });
          return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
        }
        return undefined;
      },
    });
    try {
      const auth = { authorization: 'Bearer kp-ops' };
      expect((await fetch(`${gateway.url}/metrics`)).status).toBe(401);
      const metrics = await fetch(`${gateway.url}/metrics`, { headers: auth });
      expect(await metrics.text()).toBe('keypool_calls_total 3\n');
      const events = await fetch(`${gateway.url}/events`, { headers: auth });
      const reader = events.body!.getReader();
      expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: {"type":"hello"}\n\n');
      await reader.cancel();
      expect((await fetch(`${gateway.url}/nothing`, { headers: auth })).status).toBe(404);
    } finally {
      await gateway.close();
      await emulator.close();
    }
  });
});
