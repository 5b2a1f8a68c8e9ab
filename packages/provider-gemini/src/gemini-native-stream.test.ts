import { type GenerateContentResponse, GoogleGenAI } from '@google/genai';
import { runNativeStreamConformance } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll } from 'vitest';
import { createGeminiPool, type GeminiPool } from './gemini-pool.ts';

const KEYS = ['AIza-gemini-native-aaaaaaaaaaaaaaa', 'AIza-gemini-native-bbbbbbbbbbbbbbb'] as const;
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ keys: Object.fromEntries(KEYS.map((key) => [key, {}])) });
});
afterAll(() => emu.close());

const params = (model: string, prompt: string) => ({
  model,
  contents: prompt,
  config: { maxOutputTokens: 256 },
});

runNativeStreamConformance<GeminiPool, GenerateContentResponse>({
  name: '@keypool/gemini',
  emulator: () => emu,
  keys: KEYS,
  createPool: (keys, options) =>
    createGeminiPool({
      keys,
      strategy: 'round-robin',
      clientOptions: { httpOptions: { baseUrl: emu.baseURLs.gemini } },
      ...options,
    }),
  stream: (pool, model, prompt) => pool.client.models.generateContentStream(params(model, prompt)),
  rawStream: (secret, model, prompt) =>
    new GoogleGenAI({
      apiKey: secret,
      httpOptions: { baseUrl: emu.baseURLs.gemini },
    }).models.generateContentStream(params(model, prompt)),
  textOf: (chunk) => chunk.text ?? '',
  idOf: (chunk) => chunk.responseId,
  // Compared as the consumer reads them: the data fields (the raw HTTP response object differs per request).
  normalize: (chunk) => ({
    candidates: chunk.candidates,
    usageMetadata: chunk.usageMetadata,
    modelVersion: chunk.modelVersion,
    text: chunk.text,
  }),
  prefillModel: 'gemini-2.5-flash',
  restartModel: 'gemini-restart',
  rules: [{ provider: 'gemini', model: 'gemini-restart*', method: 'restart' }],
});
