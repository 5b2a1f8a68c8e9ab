import { GoogleGenAI } from '@google/genai';
import { createDifferential, createRecordingFetch } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGeminiPool } from './gemini-pool.ts';

// Each scenario runs once on the raw SDK and once through pool.client; the requests on the wire (method, path,
// headers but the key, body) and what the caller sees must be equal. Then it runs again through a pool whose first
// key is refused: the call must still succeed, identically, on the good key.

const GOOD = 'AIzaSyDIFF-good-000000000000000000001';
const BAD = 'AIzaSyDIFF-bad-0000000000000000000002';
const MODEL = 'gemini-2.5-flash';
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({
    keys: { [GOOD]: {}, [BAD]: { invalid: true } },
    models: { [MODEL]: {}, 'gemini-missing': { notFound: true }, 'gemini-silent': { noResponse: true } },
  });
});
afterAll(() => emulator.close());

const IGNORED_HEADERS = ['x-goog-api-key'];

const { compare } = createDifferential<GoogleGenAI>({
  ignoredHeaders: IGNORED_HEADERS,
  goodSecret: GOOD,
  badSecret: BAD,
  baseURL: () => emulator.baseURLs.gemini,
  createRawClient: ({ secret, baseURL, fetch }) =>
    new GoogleGenAI({ apiKey: secret, httpOptions: { baseUrl: baseURL, fetch } }),
  createPoolClient: ({ keys, strategy, baseURL, fetch }) =>
    createGeminiPool({
      keys,
      ...(strategy ? { strategy } : {}),
      clientOptions: { httpOptions: { baseUrl: baseURL, fetch } },
    }).client,
  // The API refuses an invalid key with a 400 (API_KEY_INVALID) as well as a 401.
  isRefusal: (request) => request.status === 400 || request.status === 401,
  describeError: (caught) => ({ message: (caught as Error).message }),
  volatileFields: ['responseId', 'createTime'],
});

describe('pool.client is the @google/genai client (differential, against the emulator)', () => {
  it('models.generateContent with a system instruction and config', () =>
    compare((client) =>
      client.models.generateContent({
        model: MODEL,
        contents: 'differential hello',
        config: { systemInstruction: 'be brief', temperature: 0.2, maxOutputTokens: 64 },
      }),
    ));

  it('models.generateContentStream (every chunk)', () =>
    compare(async (client) => {
      const chunks: unknown[] = [];
      const stream = await client.models.generateContentStream({
        model: MODEL,
        contents: 'stream me',
        config: { temperature: 0 },
      });
      for await (const chunk of stream) chunks.push(chunk.text);
      return chunks;
    }));

  it('chats.create(): sendMessage and sendMessageStream keep the history', () =>
    compare(async (client) => {
      const chat = client.chats.create({ model: MODEL });
      const first = await chat.sendMessage({ message: 'first turn' });
      const streamed: unknown[] = [];
      for await (const chunk of await chat.sendMessageStream({ message: 'second turn' }))
        streamed.push(chunk.text);
      return { first: first.text, streamed, history: chat.getHistory() };
    }));

  it('models.countTokens and models.list', () =>
    compare(async (client) => {
      const counted = await client.models.countTokens({ model: MODEL, contents: 'count these words' });
      const names: unknown[] = [];
      for await (const model of await client.models.list()) names.push(model.name);
      return { counted: counted.totalTokens, names };
    }));

  it('errors: ApiError with its status and a JSON message', () =>
    compare(
      (client) =>
        client.models.generateContent({ model: 'gemini-missing', contents: 'x', config: { temperature: 0 } }),
      { outcome: 'error' },
    ));

  it('a call without config: the one wire difference is an empty generationConfig (known limit)', async () => {
    // pool.client puts the attempt's abort signal in `config.abortSignal` (the only place genai reads one), and genai
    // then sends `generationConfig: {}`, which the API treats as absent.
    const rawWire = createRecordingFetch(IGNORED_HEADERS);
    const raw = new GoogleGenAI({
      apiKey: GOOD,
      httpOptions: { baseUrl: emulator.baseURLs.gemini, fetch: rawWire.fetch },
    });
    const pooledWire = createRecordingFetch(IGNORED_HEADERS);
    const pool = createGeminiPool({
      keys: [{ id: 'good', secret: GOOD }],
      clientOptions: { httpOptions: { baseUrl: emulator.baseURLs.gemini, fetch: pooledWire.fetch } },
    });
    const params = { model: MODEL, contents: 'no config' };
    expect((await pool.client.models.generateContent(params)).text).toBe(
      (await raw.models.generateContent(params)).text,
    );
    const [sent] = pooledWire.requests;
    expect(JSON.parse(sent?.body ?? '{}')).toEqual({
      ...JSON.parse(rawWire.requests[0]?.body ?? '{}'),
      generationConfig: {},
    });
    expect({ ...sent, body: '' }).toEqual({ ...rawWire.requests[0], body: '' });
  });

  it('a per-request httpOptions.timeout: the same error as genai', () =>
    compare(
      (client) =>
        client.models.generateContent({
          model: 'gemini-silent',
          contents: 'x',
          config: { httpOptions: { timeout: 200 } },
        }),
      { outcome: 'error' },
    ));
});
