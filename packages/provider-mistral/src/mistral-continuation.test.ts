import { runContinuationConformance } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll } from 'vitest';
import { createMistralAdapter } from './mistral-adapter.ts';
import { createMistralPool } from './mistral-pool.ts';

const KEYS = ['mistral-cont-aaaaaaaaaaaaaaaa', 'mistral-cont-bbbbbbbbbbbbbbbb'] as const;
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ keys: Object.fromEntries(KEYS.map((key) => [key, {}])) });
});
afterAll(() => emu.close());

runContinuationConformance({
  name: '@keypool/mistral',
  emulator: () => emu,
  keys: KEYS,
  createAdapter: () => createMistralAdapter({ serverURL: emu.baseURLs.mistral }),
  createPool: (keys) => createMistralPool({ keys, clientOptions: { serverURL: emu.baseURLs.mistral } }),
  // Mistral continues an assistant message marked prefix: true; a table override makes a model restart instead.
  prefillModel: 'mistral-small-latest',
  restartModel: 'mistral-restart',
  rules: [{ provider: 'mistral', model: 'mistral-restart*', method: 'restart' }],
});
