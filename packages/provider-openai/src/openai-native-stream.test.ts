import { runNativeStreamConformance } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('@keypool/openai: the SDK stream helper over a continued stream', () => {
  it('chat.completions.stream() finalContent() holds the whole intended answer once, after a cut', async () => {
    const prompt = 'the cat saw the cat and the cat sat on the mat near the cat';
    const reference = await new OpenAI({
      apiKey: KEYS[0],
      baseURL: emu.baseURLs.openai,
      maxRetries: 0,
    }).chat.completions.create({
      model: 'gpt-4o-helper-ref',
      messages: [{ role: 'user', content: prompt }],
    });
    const intended = reference.choices[0]?.message.content ?? '';
    emu.setModelBehaviour('gpt-4o-helper', { streamCutAfterChunks: 3, streamFaultTimes: 1 });
    const pool = createOpenAIPool({
      keys: KEYS.map((secret, index) => ({ id: `key-${index + 1}`, secret })),
      strategy: 'round-robin',
      clientOptions: { baseURL: emu.baseURLs.openai },
      nativeStreams: { onInterrupt: 'continue' },
    });
    const stream = pool.client.chat.completions.stream({
      model: 'gpt-4o-helper',
      messages: [{ role: 'user', content: prompt }],
    });
    let streamed = '';
    stream.on('content', (delta) => {
      streamed += delta;
    });
    expect(await stream.finalContent()).toBe(intended);
    expect(streamed).toBe(intended);
    expect(emu.requests.filter((entry) => entry.model === 'gpt-4o-helper' && entry.stream)).toHaveLength(2);
  });
});
