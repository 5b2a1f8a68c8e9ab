import { APIError } from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { anthropicErrorCases, CANARY_SECRET } from '../test/error-cases.ts';
import { classifyAnthropicError } from './anthropic-error.ts';

describe('classifyAnthropicError', () => {
  it.each(anthropicErrorCases.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const error = typeof row.error === 'function' ? (row.error as () => unknown)() : row.error;
    expect((error as object).constructor.name).toBe(row.sdkClass);
    const classified = classifyAnthropicError(error);
    expect(classified).toMatchObject(row.expected);
    expect(classified.message.length).toBeGreaterThan(0);
    expect(classified.message).not.toContain(CANARY_SECRET);
    if (row.expected.modelNotFound === undefined) expect(classified.modelNotFound).toBeUndefined();
  });

  it('builds the mid-stream error as the SDK does: an APIError with no status', () => {
    const row = anthropicErrorCases.find((candidate) => candidate.name === 'stream-event-overloaded-error');
    const error = (row!.error as () => APIError)();
    expect(error).toBeInstanceOf(APIError);
    expect(error.status).toBeUndefined();
    expect(error.type).toBe('overloaded_error');
  });

  it('uses the API message, not the JSON dump the SDK puts in error.message', () => {
    const row = anthropicErrorCases.find((candidate) => candidate.name === 'api-400-prompt-too-long');
    const classified = classifyAnthropicError((row!.error as () => APIError)());
    expect(classified.message).toBe(
      '400 invalid_request_error: prompt is too long: 212345 tokens > 200000 maximum',
    );
  });

  it('masks anything key-shaped in a message, even a key it was not told about', () => {
    const classified = classifyAnthropicError(
      new Error('boom sk-ant-api03-abcdefghijklmnop and ?key=AIzaSyA12345'),
    );
    expect(classified.message).not.toContain('abcdefghijklmnop');
    expect(classified.message).not.toContain('AIzaSyA12345');
  });

  it('keeps the connection error cause in the message', () => {
    const row = anthropicErrorCases.find((candidate) => candidate.sdkClass === 'APIConnectionError');
    const classified = classifyAnthropicError((row!.error as () => unknown)());
    expect(classified.message).toContain('fetch failed');
  });

  it('classifies odd values without throwing', () => {
    for (const odd of [undefined, null, 'text', 42, { status: 'weird' }, Symbol('x')]) {
      expect(classifyAnthropicError(odd).category).toBe('server');
    }
  });
});
