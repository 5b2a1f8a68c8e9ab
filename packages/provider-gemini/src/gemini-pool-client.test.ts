import { GoogleGenAI } from '@google/genai';
import { ROUTED_CLIENT_API_KEY } from '@keypool/core';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGeminiPool } from './gemini-pool.ts';

const GOOD = 'AIzaSyCLIENT-good-0000000000000000001';
const MODEL = 'gemini-2.5-flash';
let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({
    keys: { [GOOD]: {} },
    models: { [MODEL]: {}, 'gemini-silent': { noResponse: true } },
  });
});
afterAll(() => emulator.close());

const pool = () =>
  createGeminiPool({
    keys: [{ id: 'good', secret: GOOD }],
    clientOptions: { httpOptions: { baseUrl: emulator.baseURLs.gemini } },
  });
const raw = () => new GoogleGenAI({ apiKey: GOOD, httpOptions: { baseUrl: emulator.baseURLs.gemini } });
const failure = (error: unknown) => ({
  class: (error as Error).constructor.name,
  name: (error as Error).name,
  message: (error as Error).message,
});

describe('pool.client aborts like @google/genai', () => {
  it("the caller's abortSignal rejects with the same error as genai's", async () => {
    const run = async (client: GoogleGenAI) => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      return client.models
        .generateContent({
          model: 'gemini-silent',
          contents: 'x',
          config: { abortSignal: controller.signal },
        })
        .catch((caught: unknown) => caught);
    };
    const [native, pooled] = [await run(raw()), await run(pool().client)];
    expect(failure(pooled)).toEqual(failure(native));
    expect((pooled as { keypool: { category: string } }).keypool.category).toBe('aborted');
  });

  it('stream.controller.abort() mid-loop ends the loop quietly', async () => {
    const stream = await pool().client.models.generateContentStream({
      model: MODEL,
      contents: 'one two three four',
    });
    let chunks = 0;
    for await (const _chunk of stream) {
      chunks += 1;
      (stream as unknown as { controller: AbortController }).controller.abort();
    }
    expect(chunks).toBe(1);
  });

  it('client.apiKey reads the masked key of the last call, never a secret', async () => {
    const target = pool();
    expect((target.client as unknown as { apiKey: string }).apiKey).toBe(ROUTED_CLIENT_API_KEY);
    await target.client.models.generateContent({ model: MODEL, contents: 'x' });
    const masked = (target.client as unknown as { apiKey: string }).apiKey;
    expect(masked).toBe(emulator.requestsFor(GOOD).at(-1)?.keyMasked);
    expect(masked).not.toContain(GOOD);
  });
});
