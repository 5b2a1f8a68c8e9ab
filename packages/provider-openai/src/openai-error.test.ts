import { APIError, RateLimitError } from 'openai/core/error';
import { describe, expect, it } from 'vitest';
import rateLimitRequests from './__fixtures__/emulator-rate-limit-requests.json' with { type: 'json' };
import { CANARY_SECRET, OPENAI_ERROR_CASES, sdkErrorFrom } from './__fixtures__/openai-fixtures';
import { classifyOpenAIError } from './openai-error';

describe('classifyOpenAIError', () => {
  it.each(OPENAI_ERROR_CASES.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const error = typeof row.error === 'function' ? (row.error as () => unknown)() : row.error;
    const classified = classifyOpenAIError(error);
    expect(classified).toMatchObject(row.expected);
    expect(classified.message).not.toContain(CANARY_SECRET);
    expect(JSON.stringify(classified)).not.toContain(CANARY_SECRET);
  });

  it('builds its table from real SDK error classes', () => {
    const error = sdkErrorFrom(rateLimitRequests);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toBeInstanceOf(APIError);
    expect(error.message.startsWith('429 Rate limit reached')).toBe(true);
  });

  it('reads a look-alike APIError from another copy of the SDK by its fields', () => {
    const foreign = Object.assign(new Error('429 You exceeded your current quota'), {
      status: 429,
      headers: new Headers({ 'x-request-id': 'req_foreign' }),
      error: { message: 'You exceeded your current quota', code: 'insufficient_quota' },
      code: 'insufficient_quota',
      type: 'insufficient_quota',
    });
    expect(classifyOpenAIError(foreign)).toMatchObject({
      category: 'quota_exhausted',
      requestId: 'req_foreign',
    });
  });

  it('masks key-like strings and shortens HTML pages in messages', () => {
    const classified = classifyOpenAIError(
      APIError.generate(401, { error: { message: `bad key ${CANARY_SECRET}` } }, undefined, new Headers()),
    );
    expect(classified.message).toMatch(/^401 bad key sk-c\.\.\.d4a6$/);
  });

  it('classifies values that are not errors without throwing', () => {
    for (const odd of [undefined, null, 'boom', 42, { weird: true }]) {
      expect(classifyOpenAIError(odd).category).toBe('server');
    }
  });
});
