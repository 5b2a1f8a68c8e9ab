import { ConfigError } from '@keypool/core';
import { APIError } from 'openai/core/error';
import { describe, expect, it } from 'vitest';
import { parseCerebrasRateLimitHeaders } from './cerebras-rate-limit';
import { classifyOpenAIError } from './openai-error';
import { parseOpenRouterErrorBody, parseOpenRouterRateLimitHeaders } from './openrouter-rate-limit';
import { RATE_LIMIT_DIALECTS, resolveRateLimitDialect } from './rate-limit-dialect';
import { parseTogetherRateLimitHeaders } from './together-rate-limit';

const NOW = 1_788_200_000_000;

describe('parseCerebrasRateLimitHeaders', () => {
  it('reads the day request budget and the minute token budget, resets in fractional seconds', () => {
    // The values of Cerebras's documented example answer.
    const headers = new Headers({
      'x-ratelimit-limit-requests-day': '1000000000',
      'x-ratelimit-limit-tokens-minute': '1000000000',
      'x-ratelimit-remaining-requests-day': '999997455',
      'x-ratelimit-remaining-tokens-minute': '999998298',
      'x-ratelimit-reset-requests-day': '33011.382867097855',
      'x-ratelimit-reset-tokens-minute': '11.382867097854614',
    });
    expect(parseCerebrasRateLimitHeaders(headers, NOW)).toEqual({
      requests: { limit: 1_000_000_000, remaining: 999_997_455, resetAt: NOW + 33_011_383 },
      tokens: { limit: 1_000_000_000, remaining: 999_998_298, resetAt: NOW + 11_383 },
    });
  });

  it('ignores OpenAI names, garbled values and resets beyond a week', () => {
    expect(parseCerebrasRateLimitHeaders({ 'x-ratelimit-remaining-requests': '3' }, NOW)).toBeUndefined();
    expect(
      parseCerebrasRateLimitHeaders(
        {
          'x-ratelimit-limit-requests-day': 'unlimited',
          'x-ratelimit-remaining-requests-day': '-1',
          'x-ratelimit-reset-requests-day': 'tomorrow',
          'x-ratelimit-reset-tokens-minute': '99999999',
        },
        NOW,
      ),
    ).toBeUndefined();
  });
});

describe('parseOpenRouterRateLimitHeaders', () => {
  it('reads a request budget whose reset is a Unix time in milliseconds', () => {
    const headers = new Headers({
      'X-RateLimit-Limit': '50',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': '1788220800000',
    });
    expect(parseOpenRouterRateLimitHeaders(headers, NOW)).toEqual({
      requests: { limit: 50, remaining: 0, resetAt: 1_788_220_800_000 },
    });
  });

  it('leaves out a reset in seconds, a duration, or one beyond a week', () => {
    for (const reset of ['1788220800', '6m0s', 'tomorrow', String(NOW + 30 * 86_400_000)]) {
      expect(
        parseOpenRouterRateLimitHeaders({ 'x-ratelimit-remaining': '4', 'x-ratelimit-reset': reset }, NOW),
      ).toEqual({ requests: { remaining: 4 } });
    }
    expect(parseOpenRouterRateLimitHeaders({ 'x-ratelimit-limit': 'unlimited' }, NOW)).toBeUndefined();
  });

  it('reads the copy a 429 body carries under error.metadata.headers', () => {
    // The body OpenRouter answers when the per-day free-model cap is spent.
    const body =
      '{"error":{"message":"Rate limit exceeded: free-models-per-day. Add 10 credits to unlock 1000 free model requests per day","code":429,"metadata":{"headers":{"X-RateLimit-Limit":"50","X-RateLimit-Remaining":"0","X-RateLimit-Reset":"1788220800000"},"provider_name":null}},"user_id":"user_x"}';
    expect(parseOpenRouterErrorBody(body, NOW)).toEqual({
      requests: { limit: 50, remaining: 0, resetAt: 1_788_220_800_000 },
    });
    expect(parseOpenRouterErrorBody('<html>X-RateLimit</html>', NOW)).toBeUndefined();
    expect(parseOpenRouterErrorBody('{"error":{"metadata":{"headers":"X-RateLimit"}}}', NOW)).toBeUndefined();
    expect(parseOpenRouterErrorBody('{"error":{"message":"Provider busy","code":429}}', NOW)).toBeUndefined();
  });
});

describe('parseTogetherRateLimitHeaders', () => {
  it('reads unsuffixed request names (reset in seconds) and x-tokenlimit-* tokens', () => {
    const headers = new Headers({
      'x-ratelimit-limit': '600',
      'x-ratelimit-remaining': '598',
      'x-ratelimit-reset': '1.5',
      'x-tokenlimit-limit': '180000',
      'x-tokenlimit-remaining': '179000',
    });
    expect(parseTogetherRateLimitHeaders(headers, NOW)).toEqual({
      requests: { limit: 600, remaining: 598, resetAt: NOW + 1_500 },
      tokens: { limit: 180_000, remaining: 179_000 },
    });
  });
});

describe('RATE_LIMIT_DIALECTS', () => {
  it('groq reads OpenAI names: requests is the day budget (RPD), tokens the minute one (TPM)', () => {
    const info = RATE_LIMIT_DIALECTS.groq.parse(
      new Headers({
        'x-ratelimit-limit-requests': '14400',
        'x-ratelimit-remaining-requests': '14370',
        'x-ratelimit-reset-requests': '2m59.56s',
        'x-ratelimit-limit-tokens': '18000',
        'x-ratelimit-remaining-tokens': '17997',
        'x-ratelimit-reset-tokens': '7.66s',
      }),
      NOW,
    );
    expect(info).toEqual({
      requests: { limit: 14_400, remaining: 14_370, resetAt: NOW + 179_560 },
      tokens: { limit: 18_000, remaining: 17_997, resetAt: NOW + 7_660 },
    });
  });
});

describe('resolveRateLimitDialect', () => {
  it('defaults to OpenAI and finds a dialect by name', () => {
    expect(resolveRateLimitDialect(undefined)).toBe(RATE_LIMIT_DIALECTS.openai);
    expect(resolveRateLimitDialect('cerebras')).toBe(RATE_LIMIT_DIALECTS.cerebras);
  });

  it('wraps an application parser so that a throw or a non-object reads as nothing learned', () => {
    const custom = resolveRateLimitDialect((headers) => {
      const left = (headers as Headers).get('x-left');
      if (left === 'boom') throw new Error('bad header');
      return left === null ? (null as never) : { requests: { remaining: Number(left) } };
    });
    expect(custom.name).toBe('custom');
    expect(custom.parse(new Headers({ 'x-left': '5' }), NOW)).toEqual({ requests: { remaining: 5 } });
    expect(custom.parse(new Headers({ 'x-left': 'boom' }), NOW)).toBeUndefined();
    expect(custom.parse(new Headers(), NOW)).toBeUndefined();
  });

  it('rejects an unknown dialect name with a ConfigError naming rateLimitHeaders', () => {
    let error: unknown;
    try {
      resolveRateLimitDialect('mistral' as never);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      expect.objectContaining({
        path: 'rateLimitHeaders',
        message: expect.stringContaining('known: openai, groq'),
      }),
    ]);
  });
});

describe('classifyOpenAIError with a dialect', () => {
  it('openrouter: a 429 without retry-after learns the body copy and waits for its reset', () => {
    const body = {
      error: {
        message:
          'Rate limit exceeded: free-models-per-day. Add 10 credits to unlock 1000 free model requests per day',
        code: 429,
        metadata: {
          headers: {
            'X-RateLimit-Limit': '50',
            'X-RateLimit-Remaining': '0',
            'X-RateLimit-Reset': '1788220800000',
          },
        },
      },
    };
    const error = APIError.generate(429, body, undefined, new Headers());
    expect(classifyOpenAIError(error, NOW, undefined, RATE_LIMIT_DIALECTS.openrouter)).toMatchObject({
      category: 'rate_limit',
      rateLimit: { requests: { limit: 50, remaining: 0, resetAt: 1_788_220_800_000 } },
      resetAt: 1_788_220_800_000,
      quotaScope: 'day',
    });
    // Read as OpenAI's dialect, the same answer teaches nothing about when it frees.
    const asOpenAI = classifyOpenAIError(error, NOW);
    expect(asOpenAI.rateLimit).toBeUndefined();
    expect(asOpenAI.resetAt).toBeUndefined();
  });

  it('cerebras: the spent budget of a 429 says when to try again; retry-after still comes first', () => {
    const headers = new Headers({
      'x-ratelimit-remaining-requests-day': '0',
      'x-ratelimit-reset-requests-day': '600',
      'x-ratelimit-remaining-tokens-minute': '500',
      'x-ratelimit-reset-tokens-minute': '30',
    });
    const body = { error: { message: 'Requests per day limit exceeded', type: 'too_many_requests_error' } };
    const error = APIError.generate(429, body, undefined, headers);
    const classified = classifyOpenAIError(error, NOW, undefined, RATE_LIMIT_DIALECTS.cerebras);
    expect(classified).toMatchObject({ category: 'rate_limit', resetAt: NOW + 600_000 });
    expect(classified.rateLimit?.tokens).toEqual({ remaining: 500, resetAt: NOW + 30_000 });
    headers.set('retry-after', '5');
    const hinted = classifyOpenAIError(
      APIError.generate(429, body, undefined, headers),
      NOW,
      undefined,
      RATE_LIMIT_DIALECTS.cerebras,
    );
    expect(hinted).toMatchObject({ retryAfterMs: 5_000 });
    expect(hinted.resetAt).toBeUndefined();
  });
});
