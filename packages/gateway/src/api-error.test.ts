import { PoolExhaustedError, ProviderError } from '@keypool/core';
import { describe, expect, it } from 'vitest';
import { errorAnswer, GatewayError } from './api-error';

const exhausted = new PoolExhaustedError({
  provider: 'openai',
  retryAfterMs: 1500,
  keys: [],
  errors: [],
  reason: 'no_usable_key',
});

describe('errorAnswer', () => {
  it('answers a spent pool with 429 and retry-after in both shapes', () => {
    const openai = errorAnswer('openai', exhausted);
    expect(openai.status).toBe(429);
    expect(openai.headers).toEqual({ 'retry-after': '2', 'retry-after-ms': '1500' });
    expect(openai.body).toEqual({
      error: {
        message: expect.stringContaining('pool exhausted'),
        type: 'requests',
        param: null,
        code: 'rate_limit_exceeded',
      },
    });
    const anthropic = errorAnswer('anthropic', exhausted);
    expect(anthropic.body).toEqual({
      type: 'error',
      error: { type: 'rate_limit_error', message: expect.any(String) },
    });
  });

  it('answers a pool with no key expected back with 503 and no retry-after', () => {
    const answer = errorAnswer(
      'openai',
      new PoolExhaustedError({
        provider: 'openai',
        retryAfterMs: undefined,
        keys: [],
        errors: [],
        reason: 'no_usable_key',
      }),
    );
    expect(answer.status).toBe(503);
    expect(answer.headers).toEqual({});
  });

  it.each([
    ['overloaded', 'openai', 503, 'server_error'],
    ['overloaded', 'anthropic', 529, 'overloaded_error'],
    ['timeout', 'openai', 504, 'server_error'],
    ['server', 'anthropic', 502, 'api_error'],
    ['invalid_request', 'anthropic', 400, 'invalid_request_error'],
  ] as const)('maps %s for %s to %i %s', (category, dialect, status, type) => {
    const error = new ProviderError({ category, message: 'upstream said no', provider: 'gemini' });
    const answer = errorAnswer(dialect, error);
    expect(answer.status).toBe(status);
    const body = answer.body as { error: { type: string } };
    expect(body.error.type).toBe(type);
  });

  it("answers the gateway's own refusals with their status and a generic 500 for anything else", () => {
    expect(errorAnswer('openai', new GatewayError('unauthorized', 'bad key')).status).toBe(401);
    expect(errorAnswer('anthropic', new GatewayError('model_not_allowed', 'no')).body).toEqual({
      type: 'error',
      error: { type: 'permission_error', message: 'no' },
    });
    const unknown = errorAnswer('openai', new Error('sk-secret-in-a-stray-error'));
    expect(unknown.status).toBe(500);
    expect(JSON.stringify(unknown.body)).not.toContain('sk-secret');
  });
});
