import { runNativeStreamConformance } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { Mistral } from '@mistralai/mistralai';
import type { CompletionEvent } from '@mistralai/mistralai/models/components';
import { afterAll, beforeAll } from 'vitest';
import { mistralContentText } from './mistral-content-text';
import { createMistralPool, type MistralPool } from './mistral-pool';

const KEYS = ['mistral-native-aaaaaaaaaaaaaaaa', 'mistral-native-bbbbbbbbbbbbbbbb'] as const;
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ keys: Object.fromEntries(KEYS.map((key) => [key, {}])) });
});
afterAll(() => emu.close());

const request = (model: string, prompt: string) => ({
  model,
  maxTokens: 256,
  messages: [{ role: 'user' as const, content: prompt }],
});

runNativeStreamConformance<MistralPool, CompletionEvent>({
  name: '@keypool/mistral',
  emulator: () => emu,
  keys: KEYS,
  createPool: (keys, options) =>
    createMistralPool({
      keys,
      strategy: 'round-robin',
      clientOptions: { serverURL: emu.baseURLs.mistral },
      ...options,
    }),
  stream: (pool, model, prompt) => pool.client.chat.stream(request(model, prompt)),
  rawStream: (secret, model, prompt) =>
    new Mistral({ apiKey: secret, serverURL: emu.baseURLs.mistral }).chat.stream(request(model, prompt)),
  textOf: (event) => mistralContentText(event.data.choices[0]?.delta.content ?? ''),
  idOf: (event) => event.data.id,
  normalize: (event) => ({ ...event, data: { ...event.data, id: 'id', created: 0 } }),
  prefillModel: 'mistral-small-latest',
  restartModel: 'mistral-restart',
  rules: [{ provider: 'mistral', model: 'mistral-restart*', method: 'restart' }],
});
