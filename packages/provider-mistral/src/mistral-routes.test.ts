import { describe, expect, it } from 'vitest';
import { mapMistralFinishReason } from './map-mistral-finish-reason';
import { mistralContentText } from './mistral-content-text';
import { createMistralRoutes, estimateMistralRequestTokens, isTerminalMistralChunk } from './mistral-routes';

const chunk = (content: unknown, finishReason: string | null, usage?: object) => ({
  data: {
    id: 'c',
    model: 'm',
    choices: [{ index: 0, delta: { content }, finishReason }],
    ...(usage ? { usage } : {}),
  },
});

describe('createMistralRoutes', () => {
  const routes = new Map(createMistralRoutes().map((route) => [route.path, route]));

  it('routes the model calls, plain and streaming', () => {
    for (const path of ['chat.complete', 'chat.stream', 'fim.complete', 'fim.stream', 'embeddings.create'])
      expect(routes.has(path)).toBe(true);
    expect(routes.get('chat.stream')?.streams?.([])).toBe(true);
    expect(routes.get('chat.complete')?.streams).toBeUndefined();
    expect(routes.get('audio.speech.complete')?.streams?.([{ stream: true }])).toBe(true);
    expect(routes.get('audio.speech.complete')?.streams?.([{ input: 'x' }])).toBe(false);
    expect(routes.has('models.list')).toBe(false);
  });

  it('reads text, usage and the end of a completion stream', () => {
    const stream = routes.get('chat.stream')!;
    expect(stream.textOf?.(chunk('Echo:', null))).toBe('Echo:');
    expect(stream.textOf?.(chunk([{ type: 'text', text: 'a' }, { type: 'image_url' }], null))).toBe('a');
    expect(stream.chunkUsageOf?.(chunk('', 'stop', { totalTokens: 11 }))).toBe(11);
    expect(stream.isTerminal?.(chunk('', 'stop'))).toBe(true);
    expect(isTerminalMistralChunk(chunk('x', null))).toBe(false);
    expect(isTerminalMistralChunk({})).toBe(false);
  });

  it('reads usage of plain answers and puts the attempt signal in the second argument', () => {
    const complete = routes.get('chat.complete')!;
    expect(complete.usageOf?.({ usage: { totalTokens: 7 } })).toBe(7);
    const signal = new AbortController().signal;
    const args = complete.withSignal([{ model: 'm' }, { headers: { a: '1' } }], signal);
    expect(args).toEqual([{ model: 'm' }, { headers: { a: '1' }, signal }]);
  });

  it('estimates tokens from messages, prompts and inputs', () => {
    const messages = [{ role: 'user', content: 'x'.repeat(40) }];
    expect(estimateMistralRequestTokens({ model: 'm', messages, maxTokens: 10 })).toBe(21);
    expect(estimateMistralRequestTokens({ model: 'm', messages })).toBe(267);
    expect(estimateMistralRequestTokens({ model: 'e', inputs: ['abcd', 'efgh'] }, false)).toBe(2);
    expect(estimateMistralRequestTokens({ model: 'c', prompt: 'abcd', suffix: 'ef', maxTokens: 1 })).toBe(3);
    expect(estimateMistralRequestTokens(undefined)).toBe(0);
  });
});

describe('mapMistralFinishReason and mistralContentText', () => {
  it.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['model_length', 'length'],
    ['tool_calls', 'tool_calls'],
    ['error', 'other'],
    [null, 'other'],
  ] as const)('%s -> %s', (reason, expected) => expect(mapMistralFinishReason(reason)).toBe(expected));

  it('joins text chunks and ignores the rest', () => {
    expect(mistralContentText('plain')).toBe('plain');
    expect(
      mistralContentText([
        { type: 'thinking', thinking: [] },
        { type: 'text', text: 'a' },
        { type: 'text', text: 'b' },
      ]),
    ).toBe('ab');
    expect(mistralContentText(null)).toBe('');
  });
});
