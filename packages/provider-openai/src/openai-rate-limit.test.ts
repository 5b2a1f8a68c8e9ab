import { describe, expect, it } from 'vitest';
import { parseOpenAIRateLimitHeaders } from './openai-rate-limit';

const NOW = 1_800_000_000_000;

describe('parseOpenAIRateLimitHeaders', () => {
  it('reads limits, remaining and Go-duration resets of requests and tokens', () => {
    const headers = new Headers({
      'x-ratelimit-limit-requests': '500',
      'x-ratelimit-remaining-requests': '499',
      'x-ratelimit-reset-requests': '6m0s',
      'x-ratelimit-limit-tokens': '30000',
      'x-ratelimit-remaining-tokens': '29000',
      'x-ratelimit-reset-tokens': '12ms',
    });
    expect(parseOpenAIRateLimitHeaders(headers, NOW)).toEqual({
      requests: { limit: 500, remaining: 499, resetAt: NOW + 360_000 },
      tokens: { limit: 30_000, remaining: 29_000, resetAt: NOW + 12 },
    });
  });

  it('accepts plain header records and fractional seconds', () => {
    expect(
      parseOpenAIRateLimitHeaders(
        { 'X-RateLimit-Remaining-Tokens': '7', 'x-ratelimit-reset-tokens': '1.5s' },
        NOW,
      ),
    ).toEqual({ tokens: { remaining: 7, resetAt: NOW + 1_500 } });
  });

  it('is undefined without rate-limit headers, and skips unreadable values', () => {
    expect(parseOpenAIRateLimitHeaders(new Headers({ 'x-request-id': 'req_1' }), NOW)).toBeUndefined();
    expect(parseOpenAIRateLimitHeaders(undefined, NOW)).toBeUndefined();
    expect(
      parseOpenAIRateLimitHeaders(
        { 'x-ratelimit-limit-requests': 'lots', 'x-ratelimit-remaining-requests': '3' },
        NOW,
      ),
    ).toEqual({ requests: { remaining: 3 } });
  });
});
