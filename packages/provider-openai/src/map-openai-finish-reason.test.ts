import { describe, expect, it } from 'vitest';
import { mapOpenAIFinishReason } from './map-openai-finish-reason';

describe('mapOpenAIFinishReason', () => {
  it.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['content_filter', 'content_filter'],
    ['tool_calls', 'tool_calls'],
    ['function_call', 'tool_calls'],
    [null, 'other'],
    [undefined, 'other'],
    ['something_new', 'other'],
  ] as const)('%s -> %s', (reason, expected) => {
    expect(mapOpenAIFinishReason(reason)).toBe(expected);
  });
});
