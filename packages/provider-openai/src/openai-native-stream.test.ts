import { runNativeStreamConformance } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { afterAll, beforeAll } from 'vitest';
import { createOpenAIPool, type OpenAIPool } from './openai-pool.ts';

const KEYS = ['sk-openai-native-aaaaaaaaaaaaaaaa', 'sk-openai-native-bbbbbbbbbbbbbbbb'] as const;
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ keys: Object.fromEntries(KEYS.map((key) => [key, {}])) });
});
afterAll(() => emu.close());

const params = (model: string, prompt: string) => ({
  model,
  max_completion_tokens: 256,
  stream: true as const,
  messages: [{ role: 'user' as const, content: prompt }],
});

runNativeStreamConformance<OpenAIPool, ChatCompletionChunk>({
  name: '@keypool/openai',
  emulator: () => emu,
  keys: KEYS,
  createPool: (keys, options) =>
    createOpenAIPool({
      keys,
      strategy: 'round-robin',
      clientOptions: { baseURL: emu.baseURLs.openai },
      ...options,
    }),
  stream: (pool, model, prompt) => pool.client.chat.completions.create(params(model, prompt)),
  rawStream: (secret, model, prompt) =>
    new OpenAI({ apiKey: secret, baseURL: emu.baseURLs.openai, maxRetries: 0 }).chat.completions.create(
      params(model, prompt),
    ),
  textOf: (chunk) => chunk.choices[0]?.delta.content ?? '',
  idOf: (chunk) => chunk.id,
  normalize: (chunk) => ({ ...chunk, id: 'id', created: 0 }),
  // Chat completions has no prefill: a continuation asks again and passes on only the new text.
  restartModel: 'gpt-4o-mini',
});
