import { createDifferential } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { type FakeOpenAIServer, startFakeOpenAIServer } from './__fixtures__/fake-openai-server';
import { createOpenAIPool } from './openai-pool';

// Each scenario runs once on the raw SDK and once through pool.client; the requests on the wire (method, path,
// headers but the key, retry count and time budget, body) and what the caller sees must be equal. Then it runs again
// through a pool whose first key is refused: the call must still succeed, identically, on the good key.

const GOOD = 'sk-diff-good-0000000000000000000001';
const BAD = 'sk-bad-diff-00000000000000000000002';
let emulator: Emulator;
let fake: FakeOpenAIServer;

beforeAll(async () => {
  emulator = await startEmulator({
    keys: { [GOOD]: {}, [BAD]: { invalid: true } },
    models: { 'gpt-missing': { notFound: true }, 'gpt-4o': {} },
  });
  fake = await startFakeOpenAIServer();
});
afterAll(async () => {
  await emulator.close();
  await fake.close();
});

const { compare, normalize } = createDifferential<OpenAI>({
  ignoredHeaders: ['authorization', 'x-stainless-retry-count', 'x-stainless-timeout'],
  goodSecret: GOOD,
  badSecret: BAD,
  baseURL: () => emulator.baseURLs.openai,
  createRawClient: ({ secret, baseURL, fetch }) =>
    new OpenAI({ apiKey: secret, baseURL, maxRetries: 0, fetch }),
  createPoolClient: ({ keys, strategy, baseURL, fetch }) =>
    createOpenAIPool({ keys, ...(strategy ? { strategy } : {}), clientOptions: { baseURL, fetch } }).client,
});

const messages = [{ role: 'user' as const, content: 'differential hello' }];

describe('pool.client is the openai SDK (differential, against the emulator)', () => {
  it('chat.completions.create', () =>
    compare((client) =>
      client.chat.completions.create({ model: 'gpt-4o', messages, max_completion_tokens: 50 }),
    ));

  it('chat.completions.create with stream: true (every chunk)', () =>
    compare(async (client) => {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o',
        messages,
        stream: true,
        stream_options: { include_usage: true },
      });
      const chunks: unknown[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      return chunks;
    }));

  it('the chat.completions.stream() helper: its events and final completion', () =>
    compare(async (client) => {
      const stream = client.chat.completions.stream({ model: 'gpt-4o', messages });
      const deltas: string[] = [];
      stream.on('content', (delta) => deltas.push(delta));
      return { final: await stream.finalChatCompletion(), deltas };
    }));

  it('chat.completions.parse and runTools with a tool', () =>
    compare(async (client) => {
      const parsed = await client.chat.completions.parse({ model: 'gpt-4o', messages });
      const runner = client.chat.completions.runTools({
        model: 'gpt-4o',
        messages,
        tools: [
          {
            type: 'function',
            function: {
              name: 'lookup',
              description: 'looks a thing up',
              parameters: { type: 'object', properties: { q: { type: 'string' } } },
              function: () => 'found',
              parse: JSON.parse,
            },
          },
        ],
      });
      return { parsed, content: await runner.finalContent() };
    }));

  it('per-request headers, query and idempotency key reach the wire unchanged', () =>
    compare((client) =>
      client.chat.completions.create(
        { model: 'gpt-4o', messages },
        { headers: { 'x-trace': 'abc' }, query: { tag: 'diff' }, idempotencyKey: 'idem-123' },
      ),
    ));

  it('withResponse() and asResponse() on a plain call', () =>
    compare(async (client) => {
      const { data, response, request_id } = await client.chat.completions
        .create({ model: 'gpt-4o', messages })
        .withResponse();
      const raw = await client.chat.completions.create({ model: 'gpt-4o', messages }).asResponse();
      return {
        data,
        status: response.status,
        requestId: typeof request_id,
        raw: { status: raw.status, type: raw.headers.get('content-type'), body: await raw.json() },
      };
    }));

  it('asResponse(), withResponse(), tee() and toReadableStream() on streams', () =>
    compare(async (client) => {
      const body = { model: 'gpt-4o', messages, stream: true as const };
      const response = await client.chat.completions.create(body).asResponse();
      const text = (await response.text()).replace(/"(id|created)":("[^"]*"|\d+)/g, '');
      const { data, response: headers } = await client.chat.completions.create(body).withResponse();
      const [left, right] = data.tee();
      const read = async (stream: AsyncIterable<unknown>) => {
        const out: unknown[] = [];
        for await (const chunk of stream) out.push(chunk);
        return out;
      };
      const branches = await Promise.all([read(left), read(right)]);
      const readable = (await client.chat.completions.create(body)).toReadableStream();
      const lines = (await new Response(readable).text()).split('\n').length;
      return { status: response.status, text, streamed: headers.status, branches, lines };
    }));

  it('errors: the SDK class with its status and body', () =>
    compare((client) => client.chat.completions.create({ model: 'gpt-missing', messages }), {
      outcome: 'error',
    }));

  it('models.list', () =>
    compare(async (client) => {
      const ids: string[] = [];
      for await (const model of client.models.list()) ids.push(model.id);
      return ids;
    }));

  it('withOptions(): a client with new defaults, still routed', () =>
    compare((client) =>
      client
        .withOptions({ defaultHeaders: { 'x-derived': 'yes' }, defaultQuery: { v: '2' } })
        .chat.completions.create({ model: 'gpt-4o', messages }),
    ));
});

describe('pool.client is the openai SDK (differential, endpoints the emulator does not serve)', () => {
  it('responses.create (plain and streaming) and the responses.stream() helper', () =>
    compare(
      async (client) => {
        const plain = await client.responses.create({ model: 'gpt-4.1', input: 'hello' });
        const stream = await client.responses.create({ model: 'gpt-4.1', input: 'hello', stream: true });
        const events: unknown[] = [];
        for await (const event of stream) events.push(event);
        const helper = await client.responses.stream({ model: 'gpt-4.1', input: 'hello' }).finalResponse();
        return { text: plain.output_text, events, helper: normalize(helper) };
      },
      { baseURL: fake.baseURL },
    ));

  it('embeddings.create and completions.create', () =>
    compare(
      async (client) => ({
        embedding: await client.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' }),
        completion: await client.completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi' }),
      }),
      { baseURL: fake.baseURL },
    ));
});
