import { runContinuationConformance } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll } from 'vitest';
import { createGeminiAdapter } from './gemini-adapter.ts';
import { createGeminiPool } from './gemini-pool.ts';

const KEYS = ['AIza-gemini-cont-aaaaaaaaaaaaaaaa', 'AIza-gemini-cont-bbbbbbbbbbbbbbbb'] as const;
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ keys: Object.fromEntries(KEYS.map((key) => [key, {}])) });
});
afterAll(() => emu.close());

runContinuationConformance({
  name: '@keypool/gemini',
  emulator: () => emu,
  keys: KEYS,
  createAdapter: () => createGeminiAdapter({ httpOptions: { baseUrl: emu.baseURLs.gemini } }),
  createPool: (keys) =>
    createGeminiPool({ keys, clientOptions: { httpOptions: { baseUrl: emu.baseURLs.gemini } } }),
  // Gemini continues trailing model-role content; a table override makes a model restart instead.
  prefillModel: 'gemini-2.5-flash',
  restartModel: 'gemini-restart',
  rules: [{ provider: 'gemini', model: 'gemini-restart*', method: 'restart' }],
});
