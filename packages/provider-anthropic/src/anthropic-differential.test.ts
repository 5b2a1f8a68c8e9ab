import Anthropic from '@anthropic-ai/sdk';
import { createDifferential } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createAnthropicPool } from './anthropic-pool.ts';

// Each scenario runs once on the raw SDK and once through pool.client; the requests on the wire (method, path,
// headers but the key, retry count and time budget, body) and what the caller sees must be equal. Then it runs again
// through a pool whose first key is refused: the call must still succeed, identically, on the good key.

const GOOD = 'sk-ant-diff-good-00000000000000000001';
const BAD = 'sk-ant-diff-bad-000000000000000000002';
const MODEL = 'claude-emulated-1';
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({
    keys: { [GOOD]: {}, [BAD]: { invalid: true } },
    models: { [MODEL]: {}, 'claude-missing': { notFound: true } },
  });
});
afterAll(() => emulator.close());

const { compare } = createDifferential<Anthropic>({
  ignoredHeaders: ['authorization', 'x-api-key', 'x-stainless-retry-count', 'x-stainless-timeout'],
  goodSecret: GOOD,
  badSecret: BAD,
  baseURL: () => emulator.baseURLs.anthropic,
  createRawClient: ({ secret, baseURL, fetch }) =>
    new Anthropic({ apiKey: secret, baseURL, maxRetries: 0, fetch }),
  createPoolClient: ({ keys, strategy, baseURL, fetch }) =>
    createAnthropicPool({ keys, ...(strategy ? { strategy } : {}), clientOptions: { baseURL, fetch } })
      .client,
});

const ask = {
  model: MODEL,
  max_tokens: 64,
  messages: [{ role: 'user' as const, content: 'differential hello' }],
};

describe('pool.client is the @anthropic-ai/sdk client (differential, against the emulator)', () => {
  it('messages.create', () => compare((client) => client.messages.create(ask)));

  it('messages.create with stream: true (every event)', () =>
    compare(async (client) => {
      const events: unknown[] = [];
      for await (const event of await client.messages.create({ ...ask, stream: true })) events.push(event);
      return events;
    }));

  it('the messages.stream() helper: its text events and final message', () =>
    compare(async (client) => {
      const stream = client.messages.stream(ask);
      const texts: string[] = [];
      stream.on('text', (text) => texts.push(text));
      return { final: await stream.finalMessage(), texts };
    }));

  it('tools, beta.messages, system prompt and per-request headers', () =>
    compare((client) =>
      client.beta.messages.create(
        {
          ...ask,
          system: 'be brief',
          tools: [
            { name: 'lookup', description: 'looks up', input_schema: { type: 'object', properties: {} } },
          ],
        },
        { headers: { 'x-trace': 'abc' } },
      ),
    ));

  it('messages.countTokens and models.list', () =>
    compare(async (client) => {
      const counted = await client.messages.countTokens({ model: MODEL, messages: ask.messages });
      const ids: string[] = [];
      for await (const model of client.models.list()) ids.push(model.id);
      return { counted, ids };
    }));

  it('withResponse() and asResponse() on plain and streaming calls; tee() and toReadableStream()', () =>
    compare(async (client) => {
      const { data, response } = await client.messages.create(ask).withResponse();
      const plain = await client.messages.create(ask).asResponse();
      const streamed = await client.messages.create({ ...ask, stream: true }).asResponse();
      const text = (await streamed.text()).replace(/"id":"[^"]*"/g, '');
      const [left, right] = (await client.messages.create({ ...ask, stream: true })).tee();
      const read = async (stream: AsyncIterable<unknown>) => {
        const out: unknown[] = [];
        for await (const event of stream) out.push(event);
        return out;
      };
      const branches = await Promise.all([read(left), read(right)]);
      const readable = (await client.messages.create({ ...ask, stream: true })).toReadableStream();
      const lines = (await new Response(readable).text()).split('\n').length;
      return { data, status: response.status, plain: await plain.json(), text, branches, lines };
    }));

  it('errors: the SDK class with its status and body', () =>
    compare((client) => client.messages.create({ ...ask, model: 'claude-missing' }), { outcome: 'error' }));

  it('withOptions(): a client with new defaults, still routed', () =>
    compare((client) => client.withOptions({ defaultHeaders: { 'x-derived': 'yes' } }).messages.create(ask)));
});
