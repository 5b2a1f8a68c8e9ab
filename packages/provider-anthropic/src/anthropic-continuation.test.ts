import { runContinuationConformance } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll } from 'vitest';
import { createAnthropicAdapter } from './anthropic-adapter.ts';
import { createAnthropicPool } from './anthropic-pool.ts';

const KEYS = ['sk-ant-cont-aaaaaaaaaaaaaaaa', 'sk-ant-cont-bbbbbbbbbbbbbbbb'] as const;
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ keys: Object.fromEntries(KEYS.map((key) => [key, {}])) });
});
afterAll(() => emu.close());

runContinuationConformance({
  name: '@keypool/anthropic',
  emulator: () => emu,
  keys: KEYS,
  createAdapter: () => createAnthropicAdapter({ baseURL: emu.baseURLs.anthropic }),
  createPool: (keys) => createAnthropicPool({ keys, clientOptions: { baseURL: emu.baseURLs.anthropic } }),
  // Haiku 4.5 still continues an assistant prefill; Opus 4.7 answers it with a 400, so it restarts.
  prefillModel: 'claude-haiku-4-5',
  restartModel: 'claude-opus-4-7',
});
