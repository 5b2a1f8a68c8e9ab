import { type Emulator, startEmulator } from '@keypool/emulator';
import { HTTPClient, Mistral } from '@mistralai/mistralai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecordingFetch, IGNORED_HEADERS, observe, served } from './__fixtures__/differential';
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

type Scenario = (client: Mistral) => Promise<unknown>;

async function compare(scenario: Scenario, outcome: 'value' | 'error' = 'value'): Promise<void> {
  const serverURL = emulator.baseURLs.mistral;
  const rawWire = createRecordingFetch(IGNORED_HEADERS);
  const rawClient = new Mistral({
    apiKey: GOOD,
    serverURL,
    httpClient: new HTTPClient({ fetcher: (input, init) => rawWire.fetch(input, init) }),
  });
  const expected = await observe(() => scenario(rawClient));
  // The raw run itself must do what the scenario is about, so that equality below is not vacuous.
  expect(Object.keys(expected)).toEqual([outcome]);
  expect(rawWire.requests.length).toBeGreaterThan(0);

  const pooledWire = createRecordingFetch(IGNORED_HEADERS);
  const pool = createMistralPool({
    keys: [{ id: 'good', secret: GOOD }],
    clientOptions: { serverURL, fetch: pooledWire.fetch },
  });
  expect(await observe(() => scenario(pool.client))).toEqual(expected);
  expect(pooledWire.requests).toEqual(rawWire.requests);

  const failoverWire = createRecordingFetch(IGNORED_HEADERS);
  const failover = createMistralPool({
    keys: [
      { id: 'bad', secret: BAD },
      { id: 'good', secret: GOOD },
    ],
    strategy: 'round-robin',
    clientOptions: { serverURL, fetch: failoverWire.fetch },
  });
  expect(await observe(() => scenario(failover.client))).toEqual(expected);
  expect(served(failoverWire.requests)).toEqual(rawWire.requests);
  expect(failoverWire.requests.filter((request) => request.status === 401)).toHaveLength(1);
}

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
    compare((client) => client.chat.complete({ model: 'mistral-missing', messages }), 'error'));
});
