import { createDifferential } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { HTTPClient, Mistral } from '@mistralai/mistralai';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createMistralPool } from './mistral-pool';

// Each scenario runs once on the raw SDK and once through pool.client; the requests on the wire (method, path,
// headers but the key, body) and what the caller sees must be equal. Then it runs again through a pool whose first
// key is refused: the call must still succeed, identically, on the good key.

const GOOD = 'MistralDiffGood000000000000000001';
const BAD = 'MistralDiffBad0000000000000000002';
const MODEL = 'mistral-small-latest';
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({
    keys: { [GOOD]: {}, [BAD]: { invalid: true } },
    models: { [MODEL]: {}, 'mistral-missing': { notFound: true } },
  });
});
afterAll(() => emulator.close());

const { compare } = createDifferential<Mistral>({
  ignoredHeaders: ['authorization'],
  goodSecret: GOOD,
  badSecret: BAD,
  baseURL: () => emulator.baseURLs.mistral,
  createRawClient: ({ secret, baseURL, fetch }) =>
    new Mistral({
      apiKey: secret,
      serverURL: baseURL,
      httpClient: new HTTPClient({ fetcher: (input, init) => fetch(input, init) }),
    }),
  createPoolClient: ({ keys, strategy, baseURL, fetch }) =>
    createMistralPool({
      keys,
      ...(strategy ? { strategy } : {}),
      clientOptions: { serverURL: baseURL, fetch },
    }).client,
  // The SDK's errors carry the status as `statusCode` and the raw body as `body`.
  describeError: (caught) => {
    const error = caught as { status?: unknown; statusCode?: unknown; body?: unknown };
    return { status: error.status ?? error.statusCode, body: error.body };
  },
});

const messages = [{ role: 'user' as const, content: 'differential hello' }];

describe('pool.client is the @mistralai/mistralai client (differential, against the emulator)', () => {
  it('chat.complete with options and per-request headers', () =>
    compare((client) =>
      client.chat.complete(
        { model: MODEL, messages, temperature: 0.2, maxTokens: 64 },
        { headers: { 'x-trace': 'abc' } },
      ),
    ));

  it('chat.stream (every event)', () =>
    compare(async (client) => {
      const events: unknown[] = [];
      for await (const event of await client.chat.stream({ model: MODEL, messages })) events.push(event.data);
      return events;
    }));

  it('streams are ReadableStreams: getReader(), tee() and pipeTo()', () =>
    compare(async (client) => {
      const reader = (await client.chat.stream({ model: MODEL, messages })).getReader();
      const first = await reader.read();
      await reader.cancel();
      const [left, right] = (await client.chat.stream({ model: MODEL, messages })).tee();
      const collect = async (stream: ReadableStream<{ data: unknown }>) => {
        const out: unknown[] = [];
        for await (const event of stream as unknown as AsyncIterable<{ data: unknown }>) out.push(event.data);
        return out;
      };
      const branches = await Promise.all([collect(left), collect(right)]);
      const piped: unknown[] = [];
      await (await client.chat.stream({ model: MODEL, messages })).pipeTo(
        new WritableStream({ write: (event) => void piped.push(event.data) }),
      );
      return { first: first.value?.data, branches, piped };
    }));

  it('models.list', () => compare((client) => client.models.list()));

  it('errors: the SDK class with its status and body', () =>
    compare((client) => client.chat.complete({ model: 'mistral-missing', messages }), { outcome: 'error' }));
});
