import { runContinuationConformance } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll } from 'vitest';
import { createOpenAIAdapter } from './openai-adapter.ts';
import { createOpenAIPool } from './openai-pool.ts';

const KEYS = ['sk-openai-cont-aaaaaaaaaaaaaaaa', 'sk-openai-cont-bbbbbbbbbbbbbbbb'] as const;
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ keys: Object.fromEntries(KEYS.map((key) => [key, {}])) });
});
afterAll(() => emu.close());

runContinuationConformance({
  name: '@keypool/openai',
  emulator: () => emu,
  keys: KEYS,
  createAdapter: () => createOpenAIAdapter({ baseURL: emu.baseURLs.openai }),
  createPool: (keys) => createOpenAIPool({ keys, clientOptions: { baseURL: emu.baseURLs.openai } }),
  // Chat completions has no prefill: every broken OpenAI answer restarts.
  restartModel: 'gpt-4o-mini',
});
