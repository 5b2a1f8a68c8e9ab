import { describe, expect, it } from 'vitest';
import { parseAnthropicRateLimitHeaders } from './anthropic-rate-limit.ts';

describe('parseAnthropicRateLimitHeaders', () => {
  it('reads requests and tokens budgets with RFC 3339 resets', () => {
    const info = parseAnthropicRateLimitHeaders(
      new Headers({
        'anthropic-ratelimit-requests-limit': '50',
        'anthropic-ratelimit-requests-remaining': '49',
        'anthropic-ratelimit-requests-reset': '2026-11-21T12:00:01Z',
        'anthropic-ratelimit-tokens-limit': '40000',
        'anthropic-ratelimit-tokens-remaining': '39000',
        'anthropic-ratelimit-tokens-reset': '2026-11-21T12:00:02.500Z',
      }),
    );
    expect(info).toEqual({
      requests: { limit: 50, remaining: 49, resetAt: Date.parse('2026-11-21T12:00:01Z') },
      tokens: { limit: 40_000, remaining: 39_000, resetAt: Date.parse('2026-11-21T12:00:02.500Z') },
    });
  });

  it('takes the tighter of the input and output token budgets when there is no combined one', () => {
    const info = parseAnthropicRateLimitHeaders({
      'anthropic-ratelimit-input-tokens-limit': '30000',
      'anthropic-ratelimit-input-tokens-remaining': '3000',
      'anthropic-ratelimit-output-tokens-limit': '8000',
      'anthropic-ratelimit-output-tokens-remaining': '2000',
    });
    expect(info).toEqual({ tokens: { limit: 30_000, remaining: 3_000 } });
  });

  it('is undefined without rate-limit headers, and ignores garbage values', () => {
    expect(parseAnthropicRateLimitHeaders(new Headers({ 'request-id': 'req_1' }))).toBeUndefined();
    expect(parseAnthropicRateLimitHeaders(undefined)).toBeUndefined();
    expect(
      parseAnthropicRateLimitHeaders({
        'anthropic-ratelimit-requests-limit': 'many',
        'anthropic-ratelimit-requests-reset': 'soon',
      }),
    ).toBeUndefined();
  });
});
