import Anthropic from '@anthropic-ai/sdk';
import type { RawMessageStreamEvent } from '@anthropic-ai/sdk/resources/messages';
import { runNativeStreamConformance } from '@keypool/core/testing';
import { type Emulator, startEmulator } from '@keypool/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnthropicPool, createAnthropicPool } from './anthropic-pool.ts';

const KEYS = ['sk-ant-native-aaaaaaaaaaaaaaaa', 'sk-ant-native-bbbbbbbbbbbbbbbb'] as const;
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ keys: Object.fromEntries(KEYS.map((key) => [key, {}])) });
});
afterAll(() => emu.close());

const params = (model: string, prompt: string) => ({
  model,
  max_tokens: 256,
  stream: true as const,
  messages: [{ role: 'user' as const, content: prompt }],
});

runNativeStreamConformance<AnthropicPool, RawMessageStreamEvent>({
  name: '@keypool/anthropic',
  emulator: () => emu,
  keys: KEYS,
  createPool: (keys, options) =>
    createAnthropicPool({
      keys,
      strategy: 'round-robin',
      clientOptions: { baseURL: emu.baseURLs.anthropic },
      ...options,
    }),
  stream: (pool, model, prompt) => pool.client.messages.create(params(model, prompt)),
  rawStream: (secret, model, prompt) =>
    new Anthropic({ apiKey: secret, baseURL: emu.baseURLs.anthropic, maxRetries: 0 }).messages.create(
      params(model, prompt),
    ),
  textOf: (event) =>
    event.type === 'content_block_delta' && event.delta.type === 'text_delta' ? event.delta.text : '',
  idOf: (event) => (event.type === 'message_start' ? event.message.id : undefined),
  normalize: (event) =>
    event.type === 'message_start' ? { ...event, message: { ...event.message, id: 'id' } } : event,
  // Haiku 4.5 still continues an assistant prefill; Opus 4.7 rejects one, so it is asked again.
  prefillModel: 'claude-haiku-4-5',
  restartModel: 'claude-opus-4-7',
});

describe('@keypool/anthropic: the SDK stream helper over a continued stream', () => {
  it('messages.stream() finalMessage() holds the whole intended answer once, after a cut', async () => {
    const prompt = 'the cat saw the cat and the cat sat on the mat near the cat';
    const reference = await new Anthropic({
      apiKey: KEYS[0],
      baseURL: emu.baseURLs.anthropic,
      maxRetries: 0,
    }).messages.create({
      model: 'claude-haiku-4-5-helper-ref',
      max_tokens: 256,
      messages: [{ role: 'user', content: prompt }],
    });
    const intended = reference.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    emu.setModelBehaviour('claude-haiku-4-5-helper', { streamCutAfterChunks: 3, streamFaultTimes: 1 });
    const pool = createAnthropicPool({
      keys: KEYS.map((secret, index) => ({ id: `key-${index + 1}`, secret })),
      strategy: 'round-robin',
      clientOptions: { baseURL: emu.baseURLs.anthropic },
      nativeStreams: { onInterrupt: 'continue' },
    });
    const stream = pool.client.messages.stream({
      model: 'claude-haiku-4-5-helper',
      max_tokens: 256,
      messages: [{ role: 'user', content: prompt }],
    });
    let streamed = '';
    stream.on('text', (text) => {
      streamed += text;
    });
    const message = await stream.finalMessage();
    const text = message.content.map((block) => (block.type === 'text' ? block.text : '')).join('');
    expect(text).toBe(intended);
    expect(streamed).toBe(intended);
    const streams = emu.requests.filter((entry) => entry.model === 'claude-haiku-4-5-helper' && entry.stream);
    expect(streams).toHaveLength(2);
    expect(streams[1]?.prefill?.length).toBeGreaterThan(0);
  });
});
